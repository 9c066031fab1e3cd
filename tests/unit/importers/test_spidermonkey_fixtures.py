"""Real ``js::DumpHeap`` logs (gjs 1.74, js102, js78, a C++ embedder): the importer agrees
exactly with the fixtures' own oracle (``check_fixtures.py``) and with the facts the engines
reported when the fixtures were made (``*.expected.json``)."""

from __future__ import annotations

import dataclasses
import gzip
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.analyzers.paths import compute_root_distances, find_retaining_paths
from leakhunt.analyzers.selectors import select_nodes
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers import ImportOptions, load_graph, load_spidermonkey_gclog, sniff_format
from leakhunt.options import PathOptions

from helpers.gclog_oracle import (
    REAL_FIXTURES,
    cell_nodes,
    edge_text,
    hex_id,
    node_of,
    oracle,
    oracle_dumps,
    sidecar,
    walk_chain,
)

DUMPS = [(name, index) for name in REAL_FIXTURES for index in range(sidecar(name)["dump_count"])]


@cache
def graph(name: str, index: int | None = None) -> RetentionGraph:
    return load_spidermonkey_gclog(str(REAL_FIXTURES[name]), options=ImportOptions(index))


def dump_graph(name: str, index: int) -> RetentionGraph:
    last = sidecar(name)["dump_count"] - 1
    return graph(name, None if index == last else index)


def measured(name: str, index: int) -> dict[str, Any]:
    data: dict[str, Any] = sidecar(name)["measured"]["dumps"][index]
    return data


def raw_sizes(path: Path, index: int) -> dict[int, int]:
    """Cell address → SIZE:: or its arena's size=, read line by line (independent of leakhunt)."""
    sizes: dict[int, int] = {}
    dump, heap, arena = -1, False, 0
    with gzip.open(path, "rt", encoding="latin-1", newline="\n") as lines:
        for raw in lines:
            line = raw.rstrip("\n")
            if line == "# Roots.":
                dump, heap = dump + 1, False
            elif line == "==========":
                heap = True
            elif dump == index and heap and line.startswith("# arena "):
                arena = int(line.rsplit("size=", 1)[1])
            elif dump == index and heap and line[:1] not in ("#", ">"):
                size = re.search(r" SIZE:: (\d+)$", line)
                sizes[int(line.split(" ", 1)[0], 16)] = int(size.group(1)) if size else arena
    return sizes


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_counts_match_the_log(name: str, index: int) -> None:
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    counts = measured(name, index)
    cells = cell_nodes(g)
    assert len(g.roots) == len(d.roots) == counts["root_lines"]
    assert cells.size == len(d.cells) == counts["cells"]
    sources = g.edge_source()
    from_cells = (sources > 0) & (g.edge_kind != EdgeKind.EPHEMERON)
    assert int(from_cells.sum()) == d.edge_lines == counts["edge_lines"]
    assert len(g.ephemerons) == len(d.weakmaps) == counts["weakmap_entries"]
    halves = sum(1 if e["map"] in ("(nil)", "0x0") else 2 for e in d.weakmaps)
    assert g.edge_count == len(d.roots) + d.edge_lines + halves
    referenced = {a for a, _, _ in d.roots} | {t for out in d.edges.values() for t, _ in out}
    referenced |= {e[k] for e in d.weakmaps for k in ("map", "key", "keyDelegate", "value")}
    unlisted = referenced - d.cells.keys() - {"(nil)"}
    placeholders = np.flatnonzero(g.node_kind == NodeKind.PLACEHOLDER)
    assert {hex_id(g, int(v)) for v in placeholders} == unlisted
    assert g.node_count == 1 + counts["cells"] + len(unlisted)
    assert len(g.contexts) == len(d.realms) == len(sidecar(name)["realm_lines"][index])
    details = dict(g.source.details)
    assert details["dump"] == f"{index + 1} of {sidecar(name)['dump_count']}"
    assert details["zones"] == str(counts["zones"]) == str(sidecar(name)["zone_count"][index])
    assert details["unlisted cells"] == str(len(unlisted))


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_every_cell_edge_and_root_is_the_logs(name: str, index: int) -> None:
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    got: dict[str, list[tuple[str, str]]] = {}
    sources = g.edge_source()
    for edge in np.flatnonzero((sources > 0) & (g.edge_kind != EdgeKind.EPHEMERON)).tolist():
        got.setdefault(hex_id(g, int(sources[edge])), []).append(
            (hex_id(g, int(g.edge_target[edge])), edge_text(g, edge))
        )
    assert got == {a: out for a, out in d.edges.items() if out}
    roots = [
        (hex_id(g, int(g.edge_target[e])), g.strings[int(label)])
        for e, label in zip(g.roots.edge.tolist(), g.roots.label.tolist(), strict=True)
    ]
    assert sorted(roots) == sorted((a, n) for a, _, n in d.roots)


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_reachability_matches_the_oracle(name: str, index: int) -> None:
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    distance = compute_root_distances(g).distance
    cells = cell_nodes(g)
    reached = {hex_id(g, int(v)) for v in cells[distance[cells] >= 0]}
    assert reached == oracle().reachable(d) & d.cells.keys()
    assert len(reached) == measured(name, index)["reachable_cells"]


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_sizes_are_size_suffixes_or_arena_sizes(name: str, index: int) -> None:
    g = dump_graph(name, index)
    expected = raw_sizes(REAL_FIXTURES[name], index)
    cells = cell_nodes(g)
    got = dict(zip(g.node_id[cells].tolist(), g.node_self_size[cells].tolist(), strict=True))
    assert got == expected
    assert int(g.node_self_size.sum()) == sum(expected.values())


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_classes_match_the_prototype_constructor(name: str, index: int) -> None:
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    compared = 0
    for node in cell_nodes(g).tolist():
        cell = hex_id(g, node)
        want = oracle().class_of(d, cell)
        if not want or (want == "Object" and not d.cells[cell].startswith("Object ")):
            continue  # no constructor, or a JSClass more specific than Object is kept
        assert g.strings[int(g.node_class[node])] == want, d.cells[cell]
        compared += 1
    assert compared > 100


@pytest.mark.parametrize(("name", "index"), DUMPS)
def test_objects_are_attributed_to_their_globals_realm(name: str, index: int) -> None:
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    globals_seen = set()
    for node in cell_nodes(g).tolist():
        owner = oracle().global_of(d, hex_id(g, node))
        if owner is None:
            continue
        context = int(g.node_context[node])
        assert context >= 0
        assert hex_id(g, int(g.contexts.global_node[context])) == owner
        globals_seen.add(owner)
    assert len(globals_seen) == len(g.contexts) == len(d.realms)
    assert set(g.contexts.kind) == {"realm"}


def _targets() -> list[tuple[str, str]]:
    return [(name, t["id"]) for name in REAL_FIXTURES for t in sidecar(name)["targets"]]


def _target(name: str, ident: str) -> dict[str, Any]:
    return next(t for t in sidecar(name)["targets"] if t["id"] == ident)


def _target_node(name: str, target: dict[str, Any]) -> tuple[RetentionGraph, int]:
    index = target.get("dump", 0)
    g = dump_graph(name, index)
    d = oracle_dumps(REAL_FIXTURES[name])[index]
    found = oracle().resolve(d, target, [], target["id"])
    assert len(found) == 1
    return g, node_of(g, found[0])


@pytest.mark.parametrize(("name", "ident"), _targets())
def test_sidecar_targets(name: str, ident: str) -> None:
    target = _target(name, ident)
    g, node = _target_node(name, target)
    report = find_retaining_paths(g, [node])
    if "reachable" in target:
        assert (node not in report.unreachable) == target["reachable"]
    if "class" in target:
        assert g.strings[int(g.node_class[node])] == target["class"]
    if "global" in target:
        context = int(g.node_context[node])
        assert g.node_id[g.contexts.global_node[context]] == int(target["global"], 16)


@pytest.mark.parametrize(
    ("name", "ident"), [(n, i) for n, i in _targets() if "chain" in _target(n, i)]
)
def test_expected_retaining_chains(name: str, ident: str) -> None:
    """The engine-recorded chain exists in the graph, and is the preferred path found."""
    target = _target(name, ident)
    chain, root = target["chain"], target["root"]
    g, node = _target_node(name, target)
    d = oracle_dumps(REAL_FIXTURES[name])[target.get("dump", 0)]
    starts = {
        int(g.edge_target[e])
        for e, label in zip(g.roots.edge.tolist(), g.roots.label.tolist(), strict=True)
        if g.strings[int(label)] == root["name"]
    }
    assert any(node in walk_chain(g, d.cells, start, chain) for start in starts)

    path = find_retaining_paths(g, [node]).paths[0]
    if path.root_label.startswith("exact-"):
        # The sidecar's "durable": false for the shell's rooted global predates issue 8: a
        # JS::Rooted holding a realm's global is the embedder's durable root, and paths prefer
        # it to the stack roots (env chain) near the same global: one path ends the other.
        assert path.root_kind is RootKind.EMBEDDER
        assert path.nodes[0] in set(g.contexts.global_node.tolist())
        ours = [edge_text(g, e) for e in path.edges]
        theirs = [step["edge"] for step in chain[1:]]
        shorter = min(len(ours), len(theirs))
        assert ours[len(ours) - shorter :] == theirs[len(theirs) - shorter :]
        return
    assert path.root_kind.is_transient is not root["durable"]
    assert path.nodes[0] in starts  # the root line named in the sidecar holds the first node
    if len(chain) > 1 and "address" in chain[0] and chain[-1].get("address") == chain[0]["address"]:
        assert path.nodes == (node,)  # a cycle back to a rooted wrapper: the root edge alone
        return
    assert [edge_text(g, e) for e in path.edges] == [step["edge"] for step in chain[1:]]
    assert [d.cells[hex_id(g, v)] for v in path.nodes] == [step["node"] for step in chain]


def test_gjs_native_leaks_are_held_by_persistent_roots() -> None:
    """Timeout closure, signal handler, JS expando, handler/wrapper cycle: all PersistentRooted."""
    g = graph("gjs_native_leak")
    truth = sidecar("gjs_native_leak")["native_truth"]
    payloads = {
        "TimerPayload": (truth["timer"]["closure"], ["**UNKNOWN SLOT 1**", "payload"]),
        "SignalPayload": (
            truth["signal"]["wrapper"],
            ["signal connection", "**UNKNOWN SLOT 1**", "payload"],
        ),
        "ExpandoPayload": (truth["expando"]["wrapper"], ["leakyExpando"]),
        "CyclePayload": (
            truth["cycle"]["wrapper"],
            ["signal connection", "**UNKNOWN SLOT 1**", "payload"],
        ),
    }
    for class_name, (holder, edges) in payloads.items():
        (path,) = find_retaining_paths(g, select_nodes(g, [f"class:{class_name}"])).paths
        assert (path.root_kind, path.root_label) == (
            RootKind.STRONG_GLOBAL_HANDLE,
            "persistent-Object",
        )
        assert path.nodes[0] == node_of(g, holder)
        assert [edge_text(g, e) for e in path.edges] == edges
    wrapper = node_of(g, truth["signal"]["wrapper"])
    assert g.strings[int(g.node_class[wrapper])] == "Gio_SimpleAction"
    assert g.strings[int(g.node_name[wrapper])] == "GObject_Object"
    signal = [
        e
        for e in range(int(g.node_first_edge[wrapper]), int(g.node_first_edge[wrapper + 1]))
        if edge_text(g, e) == "signal connection"
    ]
    assert [g.edge_kind[e] for e in signal] == [EdgeKind.INTERNAL]
    assert g.node_id[g.edge_target[signal[0]]] == int(truth["signal"]["handler"], 16)


def _cut(g: RetentionGraph, edge: int) -> RetentionGraph:
    kinds = g.edge_kind.copy()
    kinds[edge] = EdgeKind.WEAK
    return dataclasses.replace(g, edge_kind=kinds)


@pytest.mark.parametrize("name", ["embedder_realms", "js102_compartments", "js78_compartments"])
def test_zombie_compartment_is_held_only_through_its_wrapper(name: str) -> None:
    (zombie,) = sidecar(name)["zombies"]
    g = graph(name)
    d = oracle_dumps(REAL_FIXTURES[name])[0]
    starts = {
        int(g.edge_target[e])
        for e, label in zip(g.roots.edge.tolist(), g.roots.label.tolist(), strict=True)
        if g.strings[int(label)] == zombie["root"]["name"]
    }
    (wrapper,) = set().union(*(walk_chain(g, d.cells, s, zombie["wrapper_chain"]) for s in starts))
    edges = range(int(g.node_first_edge[wrapper]), int(g.node_first_edge[wrapper + 1]))
    (cut,) = [e for e in edges if edge_text(g, e) == zombie["cut_edge"]]
    members = [node_of(g, oracle().resolve(d, m, [], "member")[0]) for m in zombie["members"]]
    before = compute_root_distances(g).distance
    after = compute_root_distances(_cut(g, cut)).distance
    assert all(before[m] >= 0 for m in members)
    assert all(after[m] < 0 for m in members)
    report = find_retaining_paths(g, members)
    assert all(cut in p.edges for p in report.paths)  # every path enters through the wrapper
    zombie_contexts = {int(g.node_context[m]) for m in members}
    assert int(g.node_context[wrapper]) not in zombie_contexts
    if name == "embedder_realms":
        names = {g.contexts.name[c] for c in zombie_contexts}
        assert names <= {"embedder://zombie-addon/", "embedder://zombie-addon/frame"}


def test_embedder_realms_match_the_engine_globals() -> None:
    g = graph("embedder_realms")
    for realm in sidecar("embedder_realms")["realms"]:
        (context,) = [i for i, n in enumerate(g.contexts.name) if n == realm["name"]]
        assert g.node_id[g.contexts.global_node[context]] == int(realm["global"], 16)
        assert g.contexts.kind[context] == "realm"
    assert g.problems == (
        "1599 referenced cells are not listed in the dump (permanent atoms, static strings, "
        "nursery or other zones): placeholder nodes",
    )


@pytest.mark.parametrize("name", ["js102_compartments", "js78_compartments"])
def test_wrapper_targets_lie_in_the_engine_reported_compartment(name: str) -> None:
    g = graph(name)
    for wrapper in sidecar(name)["wrapper_table"]:
        for end in ("wrapper", "target"):
            node = node_of(g, wrapper[end])
            compartment = wrapper[
                "source_compartment" if end == "wrapper" else "target_compartment"
            ]
            context = int(g.node_context[node])
            if context < 0:  # a global's window proxy: no shape route to a global
                continue
            assert f"compartment {compartment}," in g.contexts.name[context]


def test_unknown_realm_names_carry_compartment_and_global() -> None:
    g = graph("gjs_plain_leak")
    d = oracle_dumps(REAL_FIXTURES["gjs_plain_leak"])[0]
    compartment = re.search(r"compartment (\S+),", d.realms[0]).group(1)  # type: ignore[union-attr]
    for index, context in enumerate(g.contexts.name):
        global_id = hex_id(g, int(g.contexts.global_node[index]))
        assert context == f"<unknown> (compartment {compartment}, global {global_id})"
    globals_ = {d.cells[hex_id(g, int(v))] for v in g.contexts.global_node}
    assert globals_ == {"GjsGlobal <unknown object>", "GjsInternalGlobal <unknown object>"}


def test_two_dumps_default_to_the_last_and_can_be_chosen() -> None:
    path = str(REAL_FIXTURES["gjs_two_dumps"])
    last, first = graph("gjs_two_dumps"), graph("gjs_two_dumps", 0)
    assert dict(last.source.details)["dump"] == "2 of 2"
    assert dict(first.source.details)["dump"] == "1 of 2"
    assert dict(first.source.details)["dump index"] == "0"
    assert last.node_count != first.node_count
    for absent in sidecar("gjs_two_dumps")["absent"]:
        g = dump_graph("gjs_two_dumps", absent.get("dump", 0))
        marker = absent["marker"]
        texts = [i for i, s in enumerate(g.strings) if s == marker["text"]]
        strings = np.isin(g.node_name, texts) & (g.node_kind == NodeKind.STRING)
        marked = [
            e
            for e in np.flatnonzero(strings[g.edge_target]).tolist()
            if edge_text(g, e) == marker["edge"]
        ]
        assert marked == []
    survivor = [t for t in sidecar("gjs_two_dumps")["targets"] if t["id"].startswith("survivor")]
    assert {t["address"] for t in survivor} == {survivor[0]["address"]}  # same address twice
    with pytest.raises(
        SnapshotFormatError, match=r"dump 2: out of range: the file holds 2 dump\(s\)"
    ):
        load_graph(path, options=ImportOptions(dump_index=2))


def test_weak_ref_targets_are_reached_only_weakly() -> None:
    g = graph("gjs_weakmaps")
    (target,) = [t for t in sidecar("gjs_weakmaps")["targets"] if t["id"] == "weakref-target"]
    _, node = _target_node("gjs_weakmaps", target)
    assert find_retaining_paths(g, [node]).unreachable == (node,)
    weak = find_retaining_paths(g, [node], PathOptions(include_weak=True)).paths[0]
    assert edge_text(g, weak.edges[-1]) == "WeakRefObject::target"
    assert g.edge_kind[weak.edges[-1]] == EdgeKind.WEAK


def test_weak_map_values_are_explained_through_their_key() -> None:
    g = graph("gjs_weakmaps")
    (target,) = [t for t in sidecar("gjs_weakmaps")["targets"] if t["id"] == "live-value-0"]
    _, node = _target_node("gjs_weakmaps", target)
    (path,) = find_retaining_paths(g, [node]).paths
    assert g.edge_kind[path.edges[-1]] == EdgeKind.EPHEMERON
    key = path.nodes[-2]
    assert g.strings[int(g.node_class[key])] == "CacheKey"
    entries = oracle_dumps(REAL_FIXTURES["gjs_weakmaps"])[0].weakmaps
    with_map = sum(e["map"] != "(nil)" for e in entries)
    assert (len(entries), with_map) == (12, 6)
    assert g.ephemerons.entry_halves.tolist().count(2) == with_map
    assert len(g.ephemerons.edge) == len(entries) + with_map


@pytest.mark.parametrize("name", sorted(REAL_FIXTURES))
def test_content_sniffing(name: str) -> None:
    assert sniff_format(str(REAL_FIXTURES[name])) == "spidermonkey-gclog"
