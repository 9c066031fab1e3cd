"""A real headless-Chromium snapshot (fixtures/chromium): the importer agrees with a plain
reading of the file, finds the page's contexts (by origin, plus the untagged detached iframe),
and retaining paths reproduce the chains the browser itself reported when the fixture was made.

Chromium 156 / V8 15.6 differs from the Node fixtures in ways these tests pin down: node 0's
only child is ``(GC roots)`` (no user root: no ``global`` shortcut, no ``(Document DOM trees)``),
so paths start at the ``(Global handles)`` edge that holds the page's NativeContext, then reach
the ``Window [JSGlobalObject] / <origin>`` through the context's ``global_object`` field.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt import find_retaining_paths, load_graph, select_nodes, summarize
from leakhunt.analyzers import compute_dominators
from leakhunt.graph import EdgeKind, RetentionGraph, RootKind
from leakhunt.options import SummaryOptions

from conftest import REPO

CHROMIUM_FIXTURES = REPO / "fixtures" / "chromium"
NAME = "chromium_page"


@cache
def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CHROMIUM_FIXTURES / f"{NAME}.expected.json").read_text())
    return data


@cache
def _plain() -> dict[str, Any]:
    path = CHROMIUM_FIXTURES / f"{NAME}.heapsnapshot.gz"
    data: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return data


@cache
def _graph() -> RetentionGraph:
    return load_graph(str(CHROMIUM_FIXTURES / f"{NAME}.heapsnapshot.gz"))


def _ordinal(graph: RetentionGraph, node_id: int) -> int:
    (ordinal,) = np.flatnonzero(graph.node_id == node_id)
    return int(ordinal)


def _steps(chain: str) -> list[tuple[str, int]]:
    return [
        (str(s["edge_name"]), int(s["to_id"]))
        for s in _expected()["retaining_chains"][chain]["snapshot"]
    ]


def _path_steps(graph: RetentionGraph, edges: tuple[int, ...]) -> list[tuple[str, int]]:
    return [(graph.edge_name_text(e), int(graph.node_id[graph.edge_target[e]])) for e in edges]


def test_summary_matches_plain_reading() -> None:
    doc = _plain()
    meta = doc["snapshot"]["meta"]
    fields = meta["node_fields"]
    nf, ef = len(fields), len(meta["edge_fields"])
    node_types, edge_types = meta["node_types"][0], meta["edge_types"][0]
    nodes, edges = doc["nodes"], doc["edges"]
    type_at, size_at = fields.index("type"), fields.index("self_size")
    types = Counter(node_types[nodes[i + type_at]] for i in range(0, len(nodes), nf))
    sizes: Counter[str] = Counter()
    for i in range(0, len(nodes), nf):
        sizes[node_types[nodes[i + type_at]]] += nodes[i + size_at]
    edge_kinds = Counter(edge_types[edges[i]] for i in range(0, len(edges), ef))

    summary = summarize(_graph(), SummaryOptions(top=5))
    assert summary.nodes == doc["snapshot"]["node_count"] == len(nodes) // nf
    assert summary.edges == doc["snapshot"]["edge_count"] == len(edges) // ef
    assert summary.nodes == _expected()["snapshot"]["node_count"]
    assert summary.edges == _expected()["snapshot"]["edge_count"]
    assert summary.total_self_size == sum(nodes[size_at::nf])
    assert {t.type_name: t.count for t in summary.types} == dict(types)
    assert {t.type_name: t.self_size for t in summary.types} == dict(sizes)
    assert summary.weak_edges == edge_kinds["weak"]
    assert len(summary.classes) == 5


def test_columns_match_plain_reading() -> None:
    doc = _plain()
    graph = _graph()
    fields = doc["snapshot"]["meta"]["node_fields"]
    nf = len(fields)
    # Chromium 156 writes 6 node fields: no trace_node_id, so offsets must come from meta.
    assert fields == ["type", "name", "id", "self_size", "edge_count", "detachedness"]
    assert graph.node_id.tolist() == doc["nodes"][fields.index("id") :: nf]
    assert graph.node_detachedness.tolist() == doc["nodes"][fields.index("detachedness") :: nf]
    assert graph.edge_target.tolist() == [t // nf for t in doc["edges"][2::3]]
    assert graph.strings[: len(doc["strings"])] == tuple(doc["strings"])


def test_sidecar_ids_are_in_the_graph() -> None:
    graph = _graph()
    for key, obj in _expected()["objects"].items():
        ordinal = _ordinal(graph, obj["id"])
        assert ordinal == obj["ordinal"], key
        assert graph.type_names[int(graph.node_type[ordinal])] == obj["type"], key
        assert graph.node_label(ordinal) == obj["name"], key
        assert int(graph.node_self_size[ordinal]) == obj["self_size"], key
    for key, node_id in _expected()["dropped_ids"].items():
        assert not np.any(graph.node_id == node_id), key


def test_no_user_root_only_gc_roots() -> None:
    """Node 0 has one child, (GC roots); the importer must not invent a user root."""
    graph = _graph()
    first, target = graph.node_first_edge, graph.edge_target
    children = [int(target[e]) for e in range(int(first[0]), int(first[1]))]
    assert [graph.node_label(c) for c in children] == ["(GC roots)"]
    kinds = {RootKind(int(k)) for k in graph.roots.kind}
    assert RootKind.USER not in kinds
    assert RootKind.STRONG_GLOBAL_HANDLE in kinds
    labels = {graph.strings[int(label)] for label in graph.roots.label}
    assert {"(Global handles)", "C++ Persistent roots"} <= labels


def test_page_contexts_by_origin_and_the_detached_iframe() -> None:
    graph = _graph()
    expected = _expected()
    origin = expected["producer"]["page_origin"]
    contexts = {
        int(graph.node_id[node]): (name, int(glob))
        for node, glob, name in zip(
            graph.contexts.node, graph.contexts.global_node, graph.contexts.name, strict=True
        )
    }
    assert set(contexts) == {c["id"] for c in expected["native_contexts"]}
    assert len(contexts) == 3  # page, removed iframe, extension system context
    # The page's context is named by origin (Blink tags contexts with the origin, not the URL).
    main_name, main_global = contexts[expected["main_native_context_id"]]
    assert main_name == origin
    assert graph.node_label(main_global) == f"Window / {origin}"
    # The removed iframe's context lost its tag: plain `system / NativeContext`, untagged Window.
    detached = _ordinal(graph, expected["detached_native_context_id"])
    assert graph.node_label(detached) == "system / NativeContext"
    detached_name, detached_global = contexts[expected["detached_native_context_id"]]
    assert origin not in detached_name
    assert int(graph.node_id[detached_global]) == expected["detached_window_proxy_id"]
    assert graph.node_label(detached_global) == "Window"
    # Untagged is not proof of a zombie: the extension system context is untagged too.
    (other,) = set(contexts) - {
        expected["main_native_context_id"],
        expected["detached_native_context_id"],
    }
    assert origin not in contexts[other][0]
    assert graph.node_label(contexts[other][1]) == "Object [JSGlobalProxy]"


def test_detachedness_marks_dom_wrappers_only() -> None:
    graph = _graph()
    expected = _expected()
    det = graph.node_detachedness
    counts = Counter(int(d) for d in det)
    assert {str(k): v for k, v in counts.items()} == expected["detachedness_counts"]
    for key in ("detached_box", "detached_item", "detached_frame_document"):
        assert det[_ordinal(graph, expected["objects"][key]["id"])] == 2, key
    for key in ("document", "save_button"):
        assert det[_ordinal(graph, expected["objects"][key]["id"])] == 1, key
    for key in ("window_proxy", "window_global", "frame_window_proxy", "frame_window_global"):
        assert det[_ordinal(graph, expected["objects"][key]["id"])] == 0, key
    # Every detached-or-attached node is a Blink (native) DOM object.
    flagged = np.flatnonzero(det != 0)
    assert {graph.type_names[int(graph.node_type[n])] for n in flagged} == {"native"}


# Chains whose recorded file path is also the shortest one, so the preferred path ends with it.
WINDOW_CHAINS = [
    "leaked_session_via_map",
    "leaked_payload",
    "map_only_session",
    "detached_box",
    "detached_item",
    "detached_native_context",
    "frame_state",
    "weak_map_live_value",
]


@pytest.mark.parametrize("chain", WINDOW_CHAINS)
def test_preferred_path_runs_from_the_window_and_ends_with_the_chain(chain: str) -> None:
    graph = _graph()
    expected = _expected()
    steps = _steps(chain)
    assert expected["retaining_chains"][chain]["from"] == "window_global"
    report = find_retaining_paths(graph, select_nodes(graph, [f"@{steps[-1][1]}"]))
    (path,) = report.paths
    # No user root exists; the page's NativeContext is held by a strong (Global handles)
    # edge and its `global_object` field leads to the Window, where the chain starts.
    assert path.root_kind is RootKind.STRONG_GLOBAL_HANDLE
    assert int(graph.node_id[path.nodes[0]]) == expected["main_native_context_id"]
    assert graph.edge_name_text(path.edges[0]) == "global_object"
    assert int(graph.node_id[path.nodes[1]]) == expected["window_global_id"]
    assert graph.node_label(path.nodes[1]).startswith("Window [JSGlobalObject] / http://")
    assert _path_steps(graph, path.edges)[1:] == steps


def test_leaked_session_preferred_path_is_the_map_entry() -> None:
    graph = _graph()
    expected = _expected()
    target = select_nodes(graph, [f"@{expected['leaked_session_id']}"])
    (path,) = find_retaining_paths(graph, target).paths
    names = [graph.edge_name_text(e) for e in path.edges]
    assert names[:4] == ["global_object", "app", "sessions", "table"]
    assert int(graph.node_id[path.nodes[-1]]) == expected["leaked_session_id"]


def test_listener_closure_is_reached_through_the_button() -> None:
    """The event-listener chain runs through Blink objects (native nodes, element edges)."""
    graph = _graph()
    expected = _expected()
    chain = _steps("leaked_session_via_listener")
    button_to_closure, closure_to_session = chain[:-2], chain[-2:]
    assert button_to_closure[-1][1] == expected["listener_closure_id"]
    target = select_nodes(graph, [f"@{expected['listener_closure_id']}"])
    (path,) = find_retaining_paths(graph, target).paths
    steps = _path_steps(graph, path.edges)
    assert steps[-len(button_to_closure) :] == button_to_closure
    button = expected["objects"]["save_button"]["id"]
    assert int(graph.node_id[path.nodes[-len(button_to_closure) - 1]]) == button
    assert closure_to_session == [
        ("context", closure_to_session[0][1]),
        ("session", expected["leaked_session_id"]),
    ]


def test_weak_map_value_edge_is_an_ephemeron() -> None:
    graph = _graph()
    expected = _expected()
    assert len(graph.ephemerons) >= 1
    target = select_nodes(graph, [f"@{expected['weak_map_live_value_id']}"])
    (path,) = find_retaining_paths(graph, target).paths
    assert EdgeKind(int(graph.edge_kind[path.edges[-1]])) is EdgeKind.EPHEMERON
    assert int(graph.node_id[path.nodes[-2]]) == expected["live_key_id"]


def test_dominators_total_and_the_detached_realm() -> None:
    graph = _graph()
    expected = _expected()
    tree = compute_dominators(graph)
    fields = _plain()["snapshot"]["meta"]["node_fields"]
    total = int(graph.node_self_size.sum())
    assert total == sum(_plain()["nodes"][fields.index("self_size") :: len(fields)])
    assert int(tree.retained_size[graph.root_node]) == total == tree.total_size
    # The closure kept by the top window dominates the removed iframe's whole realm.
    keeper = _ordinal(graph, expected["objects"]["frame_keeper"]["id"])
    for key in (
        "detached_native_context_id",
        "detached_window_global_id",
        "detached_frame_document_id",
    ):
        node = _ordinal(graph, expected[key])
        while node not in (keeper, graph.root_node):
            node = int(tree.idom[node])
        assert node == keeper, key
    context = _ordinal(graph, expected["detached_native_context_id"])
    assert tree.retained_size[keeper] > tree.retained_size[context] > 0


def test_detached_iframe_context_is_held_only_weakly_by_handles() -> None:
    """The zombie signature of reference §4: weak (Global handles) edges only, while the page's
    own context is held strongly (V8PerContextData, gin::ContextHolder, extensions)."""
    graph = _graph()
    expected = _expected()
    targets = graph.edge_target[graph.roots.edge]

    def root_kinds(node_id: int) -> set[RootKind]:
        rows = np.flatnonzero(targets == _ordinal(graph, node_id))
        return {RootKind(int(k)) for k in graph.roots.kind[rows]}

    assert root_kinds(expected["detached_native_context_id"]) == {RootKind.WEAK_GLOBAL_HANDLE}
    assert RootKind.STRONG_GLOBAL_HANDLE in root_kinds(expected["main_native_context_id"])


def test_page_and_frame_objects_are_attributed_to_their_contexts() -> None:
    path = Path(__file__).resolve().parents[3] / "fixtures/chromium/chromium_page.heapsnapshot.gz"
    graph = load_graph(str(path))
    expected = json.loads(path.with_name("chromium_page.expected.json").read_text())
    objects = {name: entry["id"] for name, entry in expected["objects"].items()}

    def context_node_id(node_id: int) -> int:
        (node,) = select_nodes(graph, [f"@{node_id}"])
        return int(graph.node_id[graph.contexts.node[graph.node_context[node]]])

    page, frame = objects["main_native_context"], objects["frame_native_context"]
    assert context_node_id(objects["leaked_session"]) == page
    assert context_node_id(objects["app"]) == page
    assert context_node_id(objects["frame_keeper"]) == frame  # made inside the removed iframe
    assert context_node_id(objects["frame_state"]) == frame
