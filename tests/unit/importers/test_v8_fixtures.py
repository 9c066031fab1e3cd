"""Real Node 20 snapshots (fixtures/v8): the importer agrees with a plain reading of the file,
and retaining paths reproduce the chains the engine itself reported when the fixture was made."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest

from leakhunt import find_retaining_paths, load_graph, select_nodes, summarize
from leakhunt.graph import EdgeKind, RetentionGraph, RootKind
from leakhunt.options import PathOptions, SummaryOptions

from conftest import v8_expected, v8_fixture

FIXTURES = ["leak_chain", "collections", "vm_contexts", "closures", "expose_internals"]


@cache
def _plain(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(v8_fixture(name).read_bytes()))
    return data


@cache
def _graph(name: str) -> RetentionGraph:
    return load_graph(str(v8_fixture(name)))


@pytest.mark.parametrize("name", FIXTURES)
def test_summary_matches_plain_reading(name: str) -> None:
    doc = _plain(name)
    meta = doc["snapshot"]["meta"]
    nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
    node_types, edge_types = meta["node_types"][0], meta["edge_types"][0]
    nodes, edges = doc["nodes"], doc["edges"]
    types = Counter(node_types[nodes[i]] for i in range(0, len(nodes), nf))
    sizes: Counter[str] = Counter()
    for i in range(0, len(nodes), nf):
        sizes[node_types[nodes[i]]] += nodes[i + 3]
    edge_kinds = Counter(edge_types[edges[i]] for i in range(0, len(edges), ef))

    summary = summarize(_graph(name), SummaryOptions(top=5))
    assert summary.nodes == doc["snapshot"]["node_count"] == len(nodes) // nf
    assert summary.edges == doc["snapshot"]["edge_count"] == len(edges) // ef
    assert summary.total_self_size == sum(nodes[3::nf])
    assert {t.type_name: t.count for t in summary.types} == dict(types)
    assert {t.type_name: t.self_size for t in summary.types} == dict(sizes)
    assert summary.weak_edges == edge_kinds["weak"]
    assert len(summary.classes) == 5


@pytest.mark.parametrize("name", FIXTURES)
def test_columns_match_plain_reading(name: str) -> None:
    doc = _plain(name)
    graph = _graph(name)
    nf = len(doc["snapshot"]["meta"]["node_fields"])
    assert graph.node_id.tolist() == doc["nodes"][2::nf]
    assert graph.edge_target.tolist() == [t // nf for t in doc["edges"][2::3]]
    assert graph.strings[: len(doc["strings"])] == tuple(doc["strings"])


def test_root_layout_of_a_node_snapshot() -> None:
    graph = _graph("leak_chain")
    kinds = Counter(RootKind(int(k)) for k in graph.roots.kind)
    assert kinds[RootKind.USER] == 1
    assert kinds[RootKind.EMBEDDER] >= 1  # Node / Environment
    user_row = int(np.flatnonzero(graph.roots.kind == RootKind.USER)[0])
    global_node = int(graph.edge_target[graph.roots.edge[user_row]])
    expected = v8_expected("leak_chain")["snapshot"]
    assert global_node == expected["global_ordinal"]
    labels = {graph.strings[int(label)] for label in graph.roots.label}
    assert {"(Global handles)", "(Stack roots)", "(Strong roots)", "Node / Environment"} <= labels
    weak_handles = graph.roots.kind == RootKind.WEAK_GLOBAL_HANDLE
    assert np.all(graph.edge_kind[graph.roots.edge[weak_handles]] == EdgeKind.WEAK)


def test_expose_internals_has_no_user_root() -> None:
    graph = _graph("expose_internals")
    assert RootKind.USER not in {RootKind(int(k)) for k in graph.roots.kind}
    expected = v8_expected("expose_internals")
    leaf = select_nodes(graph, [f"@{expected['leaf_id']}"])
    path = find_retaining_paths(graph, leaf).paths[0]
    assert path.root_kind is RootKind.STRONG_GLOBAL_HANDLE
    assert [graph.edge_name_text(e) for e in path.edges][-3:] == ["internalsDemo", "holder", "leaf"]


def _chain_steps(chain: Any) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = chain["snapshot"] if isinstance(chain, dict) else chain
    return steps


def _path_steps(graph: RetentionGraph, edges: tuple[int, ...]) -> list[tuple[str, int]]:
    return [(graph.edge_name_text(e), int(graph.node_id[graph.edge_target[e]])) for e in edges]


CHAINS = [
    ("leak_chain", "leaked_session_via_map"),
    ("leak_chain", "leaked_payload"),
    ("collections", "map_orphan_key"),
    ("collections", "set_orphan_member"),
    ("collections", "weak_map_live_value"),
    ("vm_contexts", "zombie_native_context"),
    ("vm_contexts", "zombie_state"),
    ("vm_contexts", "alive_state"),
    ("closures", "counter_history"),
    ("closures", "loop_item_2"),
    ("closures", "outer_secret"),
    ("closures", "vault_secret"),
]


@pytest.mark.parametrize(("name", "chain"), CHAINS)
def test_preferred_path_ends_with_the_engine_reported_chain(name: str, chain: str) -> None:
    graph = _graph(name)
    steps = _chain_steps(v8_expected(name)["retaining_chains"][chain])
    expected = [(str(s["edge_name"]), s["to_id"]) for s in steps]
    target = select_nodes(graph, [f"@{expected[-1][1]}"])
    report = find_retaining_paths(graph, target)
    (path,) = report.paths
    assert path.root_kind is RootKind.USER
    assert graph.node_label(path.nodes[0]) == "global"
    assert _path_steps(graph, path.edges)[-len(expected) :] == expected


def test_leaked_session_second_path_is_the_listener_closure() -> None:
    graph = _graph("leak_chain")
    expected = v8_expected("leak_chain")
    steps = _chain_steps(expected["retaining_chains"]["leaked_session_via_listener"])
    listener = [(str(s["edge_name"]), s["to_id"]) for s in steps]
    target = select_nodes(graph, [f"@{expected['leaked_session_id']}"])
    report = find_retaining_paths(graph, target, PathOptions(max_paths=5))
    found = [_path_steps(graph, p.edges) for p in report.paths]
    assert len(found) == 5 and len({tuple(f) for f in found}) == 5
    assert listener in found
    lengths = [p.length for p in report.paths]
    assert lengths[0] == min(lengths)


def test_weak_map_value_is_reached_through_its_key() -> None:
    graph = _graph("collections")
    expected = v8_expected("collections")
    assert len(graph.ephemerons) >= 1
    target = select_nodes(graph, [f"@{expected['weak_map_live_value_id']}"])
    path = find_retaining_paths(graph, target).paths[0]
    last = path.edges[-1]
    assert EdgeKind(int(graph.edge_kind[last])) is EdgeKind.EPHEMERON
    assert int(graph.node_id[path.nodes[-2]]) == expected["live_key_id"]


def test_vm_contexts_are_contexts() -> None:
    graph = _graph("vm_contexts")
    expected = v8_expected("vm_contexts")
    ids = {int(graph.node_id[n]) for n in graph.contexts.node}
    assert {
        expected["main_native_context_id"],
        expected["alive_native_context_id"],
        expected["zombie_native_context_id"],
    } == ids
    assert "main" in graph.contexts.name
    assert any("ZombieSandbox" in name for name in graph.contexts.name)


def _context_of(graph: RetentionGraph, node_id: int) -> str:
    (node,) = select_nodes(graph, [f"@{node_id}"])
    index = int(graph.node_context[node])
    return graph.contexts.name[index] if index >= 0 else "-"


def test_objects_and_functions_are_attributed_to_their_realm() -> None:
    graph = _graph("vm_contexts")
    expected = v8_expected("vm_contexts")
    objects = expected["objects"]
    assert _context_of(graph, objects["zombie_state"]["id"]).startswith("vm ZombieSandbox")
    assert _context_of(graph, objects["zombie_closure"]["id"]).startswith("vm ZombieSandbox")
    assert _context_of(graph, objects["alive_state"]["id"]).startswith("vm AliveSandbox")
    assert _context_of(graph, objects["leaked_closures_array"]["id"]) == "main"
    leak = _graph("leak_chain")
    assert _context_of(leak, v8_expected("leak_chain")["leaked_session_id"]) == "main"
    counts = np.bincount(graph.node_context[graph.node_context >= 0])
    assert counts.min() > 100  # every realm owns its intrinsics and objects, not just 3 nodes
