"""Retaining paths on small hand-built graphs: root tiers, weak edges, ephemerons, K paths."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from leakhunt.analyzers._kernels import root_bfs, root_bfs_reference
from leakhunt.analyzers.paths import compute_root_distances, find_retaining_paths
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, RootKind, SourceInfo
from leakhunt.graph.kinds import edge_kind_table
from leakhunt.options import PathOptions

SOURCE = SourceInfo("inline", "test", "none")


def _obj(b: GraphBuilder, name: str, node_id: int) -> int:
    return b.add_node(NodeKind.OBJECT, name, node_id=node_id, self_size=8)


def _names(g: RetentionGraph, nodes: tuple[int, ...]) -> list[str]:
    return [g.node_label(n) for n in nodes]


def test_user_root_wins_over_nearer_system_root() -> None:
    b = GraphBuilder()
    glob, a, c, leak, holder = (
        _obj(b, n, i) for i, n in enumerate(["global", "a", "c", "leak", "holder"], 1)
    )
    b.add_root(glob, RootKind.USER, "global")
    b.add_root(holder, RootKind.STRONG_GLOBAL_HANDLE, "(Global handles)")
    b.add_edge(glob, a, EdgeKind.PROPERTY, "a")
    b.add_edge(a, c, EdgeKind.PROPERTY, "c")
    b.add_edge(c, leak, EdgeKind.PROPERTY, "leak")
    b.add_edge(holder, leak, EdgeKind.INTERNAL, "held")
    g = b.freeze(SOURCE)
    (path,) = find_retaining_paths(g, [leak]).paths
    assert path.root_kind is RootKind.USER
    assert _names(g, path.nodes) == ["global", "a", "c", "leak"]


def test_durable_root_wins_over_transient_root() -> None:
    b = GraphBuilder()
    stack_held, handle_held, leak = _obj(b, "s", 1), _obj(b, "h", 2), _obj(b, "leak", 3)
    b.add_root(stack_held, RootKind.STACK, "(Stack roots)")
    b.add_root(handle_held, RootKind.STRONG_GLOBAL_HANDLE, "(Global handles)")
    b.add_edge(stack_held, leak, EdgeKind.PROPERTY, "x")
    mid = _obj(b, "mid", 4)
    b.add_edge(handle_held, mid, EdgeKind.PROPERTY, "y")
    b.add_edge(mid, leak, EdgeKind.PROPERTY, "z")
    g = b.freeze(SOURCE)
    report = find_retaining_paths(g, [leak])
    assert report.paths[0].root_kind is RootKind.STRONG_GLOBAL_HANDLE
    assert report.transient_only == ()


def test_only_transient_roots_are_reported() -> None:
    b = GraphBuilder()
    frame, leak = _obj(b, "frame", 1), _obj(b, "leak", 2)
    b.add_root(frame, RootKind.STACK, "(Stack roots)")
    b.add_edge(frame, leak, EdgeKind.PROPERTY, "x")
    g = b.freeze(SOURCE)
    report = find_retaining_paths(g, [leak])
    assert report.transient_only == (leak,)


def test_weak_edges_and_weak_roots_need_include_weak() -> None:
    b = GraphBuilder()
    glob, ref, target, cached = (
        _obj(b, "global", 1),
        _obj(b, "WeakRef", 2),
        _obj(b, "t", 3),
        _obj(b, "c", 4),
    )
    b.add_root(glob, RootKind.USER, "global")
    b.add_root(cached, RootKind.WEAK_GLOBAL_HANDLE, "(Global handles)", edge_kind=EdgeKind.WEAK)
    b.add_edge(glob, ref, EdgeKind.PROPERTY, "ref")
    b.add_edge(ref, target, EdgeKind.WEAK, "target")
    g = b.freeze(SOURCE)
    strict = find_retaining_paths(g, [target, cached])
    assert strict.unreachable == (target, cached)
    loose = find_retaining_paths(g, [target, cached], PathOptions(include_weak=True))
    assert loose.unreachable == ()
    assert {p.root_kind for p in loose.paths} == {RootKind.USER, RootKind.WEAK_GLOBAL_HANDLE}


def test_ephemeron_value_needs_key_and_map_and_goes_through_key() -> None:
    b = GraphBuilder()
    glob, wm, table, key, value = (
        _obj(b, n, i) for i, n in enumerate(["global", "WeakMap", "table", "key", "value"], 1)
    )
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, wm, EdgeKind.PROPERTY, "wm")
    b.add_edge(wm, table, EdgeKind.INTERNAL, "table")
    b.add_ephemeron(table, key, value, "entry")
    without_key = b.freeze(SOURCE)
    assert find_retaining_paths(without_key, [value]).unreachable == (value,)

    b.add_edge(glob, key, EdgeKind.PROPERTY, "k")
    g = b.freeze(SOURCE)
    (path,) = find_retaining_paths(g, [value]).paths
    assert _names(g, path.nodes) == ["global", "key", "value"]
    distances = compute_root_distances(g)
    assert distances.distance[value] == distances.distance[table] + 1  # the later holder counts


def test_key_alone_does_not_hold_value() -> None:
    b = GraphBuilder()
    glob, table, key, value = (
        _obj(b, n, i) for i, n in enumerate(["global", "table", "key", "value"], 1)
    )
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, key, EdgeKind.PROPERTY, "k")
    b.add_ephemeron(table, key, value, "entry")
    g = b.freeze(SOURCE)
    assert find_retaining_paths(g, [value]).unreachable == (value,)


def test_shortcut_edges_are_not_paths() -> None:
    b = GraphBuilder()
    glob, bound, target = _obj(b, "global", 1), _obj(b, "bound", 2), _obj(b, "t", 3)
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, bound, EdgeKind.PROPERTY, "f")
    b.add_edge(bound, target, EdgeKind.SHORTCUT, "bound_this")
    g = b.freeze(SOURCE)
    assert find_retaining_paths(g, [target]).unreachable == (target,)


def _diamond_graph(width: int) -> tuple[RetentionGraph, int]:
    b = GraphBuilder()
    glob = _obj(b, "global", 1)
    b.add_root(glob, RootKind.USER, "global")
    leak = _obj(b, "leak", 2)
    for i in range(width):
        mid = _obj(b, f"m{i}", 10 + i)
        b.add_edge(glob, mid, EdgeKind.PROPERTY, f"p{i}")
        b.add_edge(mid, leak, EdgeKind.PROPERTY, "leak")
    return b.freeze(SOURCE), leak


def test_k_distinct_paths_in_length_order() -> None:
    g, leak = _diamond_graph(4)
    report = find_retaining_paths(g, [leak], PathOptions(max_paths=3))
    assert len(report.paths) == 3
    assert len({p.edges for p in report.paths}) == 3
    assert all(p.length == 2 for p in report.paths)
    fewer = find_retaining_paths(g, [leak], PathOptions(max_paths=10))
    assert len(fewer.paths) == 4  # only four simple paths exist


def _random_graph(seed: int, n: int = 60, m: int = 200) -> RetentionGraph:
    rng = np.random.default_rng(seed)
    b = GraphBuilder()
    nodes = [_obj(b, f"n{i}", i + 1) for i in range(n)]
    kinds = [
        EdgeKind.PROPERTY,
        EdgeKind.INTERNAL,
        EdgeKind.WEAK,
        EdgeKind.ELEMENT,
        EdgeKind.SHORTCUT,
    ]
    for _ in range(m):
        s, t = rng.integers(0, n, 2)
        kind = kinds[int(rng.integers(0, len(kinds)))]
        b.add_edge(nodes[s], nodes[t], kind, 0 if kind.is_indexed else "e")
    for _ in range(8):
        table, key, value = rng.integers(0, n, 3)
        b.add_ephemeron(nodes[table], nodes[key], nodes[value], "entry")
    root_kinds = list(RootKind)
    for i in rng.choice(n, 6, replace=False):
        b.add_root(nodes[int(i)], root_kinds[int(rng.integers(0, len(root_kinds)))], "r")
    return b.freeze(SOURCE)


@pytest.mark.parametrize("seed", range(12))
def test_compiled_bfs_matches_reference(seed: int) -> None:
    g = _random_graph(seed)
    eph = g.ephemerons
    traversable = edge_kind_table(
        {EdgeKind.PROPERTY, EdgeKind.INTERNAL, EdgeKind.ELEMENT, EdgeKind.EPHEMERON}
    )
    seeds = g.roots.edge
    tiers = (g.roots.kind.astype(np.int32) % 3).astype(np.int32)
    order = np.argsort(tiers, kind="stable")
    args = (
        g.node_first_edge,
        g.edge_target,
        g.edge_kind,
        traversable,
        seeds[order],
        tiers[order],
        eph.edge,
        eph.entry,
        eph.from_key,
        eph.entry_halves,
    )
    fast = root_bfs(*args)
    slow = root_bfs_reference(*args)
    for a, b in zip(fast, slow, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("seed", range(6))
def test_distances_match_networkx_without_ephemerons_or_tiers(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    b = GraphBuilder()
    nodes = [_obj(b, f"n{i}", i + 1) for i in range(80)]
    dg = nx.DiGraph()
    for _ in range(240):
        s, t = (int(x) for x in rng.integers(0, 80, 2))
        b.add_edge(nodes[s], nodes[t], EdgeKind.PROPERTY, "e")
        dg.add_edge(nodes[s], nodes[t])
    starts = [nodes[int(i)] for i in rng.choice(80, 3, replace=False)]
    for s in starts:
        b.add_root(s, RootKind.ENGINE, "r")
        dg.add_edge(0, s)
    g = b.freeze(SOURCE)
    ours = compute_root_distances(g).distance
    expected = nx.single_source_shortest_path_length(dg, 0)
    for node in range(1, g.node_count):
        assert ours[node] == expected.get(node, -1), node
    report = find_retaining_paths(g, np.flatnonzero(ours > 0))
    for path in report.paths:
        assert path.length + 1 == expected[path.target]
        for i, edge in enumerate(path.edges):
            assert int(g.edge_target[edge]) == path.nodes[i + 1]


def test_more_paths_go_through_other_objects_not_other_parallel_references() -> None:
    """An array holding the target in four slots is one way of retaining it, not four."""
    b = GraphBuilder()
    glob, array, holder, leak = (
        _obj(b, n, i) for i, n in enumerate(["global", "array", "holder", "leak"], 1)
    )
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, array, EdgeKind.PROPERTY, "list")
    b.add_edge(glob, holder, EdgeKind.PROPERTY, "holder")
    for slot in range(4):
        b.add_edge(array, leak, EdgeKind.ELEMENT, slot)
    b.add_edge(holder, leak, EdgeKind.PROPERTY, "leak")
    g = b.freeze(SOURCE)
    report = find_retaining_paths(g, [leak], PathOptions(max_paths=4))
    routes = [_names(g, p.nodes) for p in report.paths]
    assert sorted(routes) == [["global", "array", "leak"], ["global", "holder", "leak"]]
    # Every pair of paths differs before its last hop.
    prefixes = [p.nodes[:-1] for p in report.paths]
    assert len(set(prefixes)) == len(prefixes)
