"""Pinned cycles against an independent check: plain reachability and networkx in the test."""

from __future__ import annotations

from collections import deque

import networkx as nx
import numpy as np
import pytest

from leakhunt.analyzers.cycles import HANDLE_PIN, UNSEEN_PIN, find_pinned_cycles
from leakhunt.analyzers.external import parse_unknown_references
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import STRONG_EDGE_KINDS, EdgeKind, NodeKind, RootKind
from leakhunt.importers import load_graph
from leakhunt.importers.rootdump import load_overlay, read_root_dump
from tests.helpers.rootdump import ADDON_DUMP, ADDON_EXPECTED, ADDON_SNAPSHOT, STANDALONE, load_json

_EXPECTED_WORDS = {
    EdgeKind.WEAK_CALLBACK: "weak callback",
    EdgeKind.NATIVE_HANDLE: "strong global handle",
    EdgeKind.PROPERTY: "property",
    EdgeKind.INTERNAL: "internal",
    EdgeKind.CONTEXT_VARIABLE: "context",
    EdgeKind.EPHEMERON: "ephemeron",
}


def _edges(graph: RetentionGraph) -> list[tuple[int, int, int, int]]:
    """(source, target, kind, edge) for every edge, from the CSR read plainly."""
    out = []
    first = graph.node_first_edge.tolist()
    targets = graph.edge_target.tolist()
    kinds = graph.edge_kind.tolist()
    for node in range(graph.node_count):
        for edge in range(first[node], first[node + 1]):
            out.append((node, targets[edge], kinds[edge], edge))
    return out


def _reach(
    graph: RetentionGraph, edges: list[tuple[int, int, int, int]], seeds: list[int], kinds: set[int]
) -> set[int]:
    """Plain BFS; a weak-map value is reached once every one of its entry's holders is."""
    halves = {
        int(e): int(k) for e, k in zip(graph.ephemerons.edge, graph.ephemerons.entry, strict=True)
    }
    need = graph.ephemerons.entry_halves.tolist()
    met = [0] * len(need)
    out: dict[int, list[tuple[int, int, int]]] = {}
    for s, t, k, e in edges:
        out.setdefault(s, []).append((t, k, e))
    seen = set(seeds)
    queue = deque(seeds)
    while queue:
        node = queue.popleft()
        for target, kind, edge in out.get(node, ()):
            if kind == EdgeKind.EPHEMERON:
                entry = halves[edge]
                met[entry] += 1
                if met[entry] < need[entry]:
                    continue
            elif kind not in kinds:
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def independent_pins(graph: RetentionGraph) -> tuple[set[int], set[int]]:
    """Handle owners and unseen-reference nodes whose pin closes a cycle, computed plainly."""
    edges = _edges(graph)
    roots = graph.roots
    targets = [int(graph.edge_target[e]) for e in roots.edge.tolist()]
    owners_with_handles = {s for s, _, k, _ in edges if k == EdgeKind.NATIVE_HANDLE}
    pins: set[int] = set()
    handle_owners: set[int] = set()
    unseen: set[int] = set()
    live_seeds: list[int] = []
    ideal_seeds: list[int] = []
    for row, target in enumerate(targets):
        kind = int(roots.kind[row])
        weak = (
            kind == RootKind.WEAK_GLOBAL_HANDLE
            or int(graph.edge_kind[roots.edge[row]]) == EdgeKind.WEAK
        )
        if weak:
            continue
        live_seeds.append(target)
        label = graph.strings[int(roots.label[row])]
        if (
            kind == RootKind.STRONG_GLOBAL_HANDLE
            and target in owners_with_handles
            and graph.node_kind[target] == NodeKind.NATIVE
        ):
            handle_owners.add(target)
            pins.add(target)
        elif kind == RootKind.REFCOUNTED and (parse_unknown_references(label) or 0) > 0:
            unseen.add(target)
            pins.add(target)
        else:
            ideal_seeds.append(target)
    strong = {int(k) for k in STRONG_EDGE_KINDS}
    collector = _reach(graph, edges, live_seeds, strong)
    embedder = _reach(graph, edges, ideal_seeds, strong | {int(EdgeKind.WEAK_CALLBACK)})
    u = collector - embedder
    sub = nx.DiGraph()
    sub.add_nodes_from(u)
    followed = strong | {int(EdgeKind.WEAK_CALLBACK), int(EdgeKind.EPHEMERON)}
    sub.add_edges_from((s, t) for s, t, k, _ in edges if s in u and t in u and k in followed)
    handle_cycles = {
        s
        for s, t, k, _ in edges
        if k == EdgeKind.NATIVE_HANDLE
        and s in handle_owners
        and s in u
        and t in u
        and nx.has_path(sub, t, s)
    }
    known_owners: dict[int, set[int]] = {}
    root_edges = set(roots.edge.tolist())
    for s, t, k, e in edges:
        if e not in root_edges and k in strong:
            known_owners.setdefault(t, set()).add(s)
    unseen_cycles = set()
    for node in unseen & u:
        cycle_members = {n for n in u if nx.has_path(sub, node, n) and nx.has_path(sub, n, node)}
        in_cycle = len(cycle_members) > 1 or sub.has_edge(node, node)
        owners = known_owners.get(node, set())
        if in_cycle and owners and owners <= cycle_members:
            unseen_cycles.add(node)
    return handle_cycles, unseen_cycles


def _check_loop(graph: RetentionGraph, members: tuple[int, ...], edges: tuple[int, ...]) -> None:
    sources = graph.edge_source()
    for i, edge in enumerate(edges):
        assert sources[edge] == members[i]
        assert graph.edge_target[edge] == members[(i + 1) % len(members)]


def test_standalone_dump_cycles_match_the_independent_check() -> None:
    graph = load_graph(str(STANDALONE))
    report = find_pinned_cycles(graph)
    handle_cycles, unseen_cycles = independent_pins(graph)
    assert {c.pin_node for c in report.cycles if c.pin == HANDLE_PIN} == handle_cycles
    assert {c.pin_node for c in report.cycles if c.pin == UNSEEN_PIN} == unseen_cycles
    names = {graph.node_label(c.pin_node): c for c in report.cycles}
    # fn #1 leaks; fn #2 (function kept by the user) and fn #3 (function dropped) are healthy.
    assert set(names) == {"fn #1", "Listener"}
    leak = names["fn #1"]
    assert [int(graph.node_id[m]) for m in leak.members] == [-1, 11, 12, 13, 10]
    assert [EdgeKind(int(graph.edge_kind[e])) for e in leak.edges] == [
        EdgeKind.NATIVE_HANDLE,
        EdgeKind.EPHEMERON,
        EdgeKind.PROPERTY,
        EdgeKind.CONTEXT_VARIABLE,
        EdgeKind.WEAK_CALLBACK,
    ]
    _check_loop(graph, leak.members, leak.edges)
    # Only fn #1's handle keeps: the entry (80), wrapper (32), value (48), closure (64),
    # function (64), its bytecode (128) and its host-defined options (24).
    assert (leak.retained_size, leak.retained_count) == (440, 7)
    listener = names["Listener"]
    assert listener.unseen_references == 1
    assert [int(graph.node_id[m]) for m in listener.members] == [50, 51]
    # The timer has unseen references too, but its known owner is the live global.
    assert all(int(graph.node_id[c.pin_node]) != 52 for c in report.cycles)


@pytest.fixture(scope="module")
def addon_graph() -> RetentionGraph:
    base = load_graph(str(ADDON_SNAPSHOT))
    return load_overlay(base, str(ADDON_DUMP)).graph


def test_addon_overlay_finds_exactly_the_leaked_entries_with_their_hops(
    addon_graph: RetentionGraph,
) -> None:
    graph = addon_graph
    expected = load_json(ADDON_EXPECTED)
    dump = read_root_dump(str(ADDON_DUMP))
    report = find_pinned_cycles(graph)

    def name(node: int) -> str | int:
        node_id = int(graph.node_id[node])
        return dump.natives.ids[-node_id - 1] if node_id < 0 else node_id

    found = {name(c.pin_node): c for c in report.cycles}
    leaked = {c["entry"]: c for c in expected["leaked_cycles"]}
    assert set(found) == set(leaked)
    assert set(leaked) == {f"entry-{i}" for i in expected["counters"]["live_entry_ids"]} - {
        e["entry"] for e in expected["entries"] if e["state"] != "leaked"
    }
    handle_cycles, unseen_cycles = independent_pins(graph)
    assert {name(n) for n in handle_cycles} == set(leaked)
    assert not unseen_cycles
    for entry, cycle in found.items():
        _check_loop(graph, cycle.members, cycle.edges)
        hops = leaked[entry]["edges"]
        # The sidecar starts at the function; the report starts at the handle's owner.
        hops = hops[1:] + hops[:1]
        assert [name(m) for m in cycle.members] == [h["from"] for h in hops]
        assert [_EXPECTED_WORDS[EdgeKind(int(graph.edge_kind[e]))] for e in cycle.edges] == [
            h["edge"] for h in hops
        ]
        assert cycle.weak_callback_edges == (cycle.edges[-1],)
        assert cycle.retained_size > sum(int(graph.node_self_size[m]) for m in cycle.members) - 1


def test_no_pins_no_cycles() -> None:
    from tests.conftest import v8_fixture

    graph = load_graph(str(v8_fixture("leak_chain")))
    report = find_pinned_cycles(graph)
    assert report.cycles == () and report.handle_pins == 0


def test_weak_callbacks_never_retain_in_the_cycle_retained_sizes(
    addon_graph: RetentionGraph,
) -> None:
    """Each cycle's retained set is its own: five leaks, five disjoint subtrees."""
    report = find_pinned_cycles(addon_graph)
    sizes = [c.retained_size for c in report.cycles]
    assert sum(sizes) <= report.pinned_only_size
    assert np.all(np.array(sizes) > 0)
