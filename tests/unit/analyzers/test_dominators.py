"""compute_dominators: the reference's worked example, networkx on random graphs, fallbacks."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest

from leakhunt.analyzers.dominators import DominatorTree, Semantics, compute_dominators
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, RootKind, SourceInfo
from leakhunt.importers import load_graph

from conftest import V8_FIXTURES

SOURCE = SourceInfo("inline", "test", "none")
WORKED_EXAMPLE = V8_FIXTURES / "edge_cases" / "worked_example.heapsnapshot"
SYSTEM = 100_000_000


def worked_example_graph() -> RetentionGraph:
    """Reference §8.6 built in memory (same ordinals as the file)."""
    b = GraphBuilder()
    gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=3)
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=5, self_size=100)
    holder = b.add_node(NodeKind.OBJECT, "Holder", node_id=7, self_size=50)
    array = b.add_node(NodeKind.ARRAY, "", node_id=9, self_size=40)
    leaf = b.add_node(NodeKind.OBJECT, "Leaf", node_id=11, self_size=30)
    b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
    b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    b.add_edge(gc, glob, EdgeKind.ELEMENT, 1)
    b.add_edge(glob, holder, EdgeKind.PROPERTY, "holder")
    b.add_edge(glob, leaf, EdgeKind.PROPERTY, "leaf")
    b.add_edge(holder, array, EdgeKind.INTERNAL, "elements")
    b.add_edge(array, leaf, EdgeKind.ELEMENT, 0)
    return b.freeze(SOURCE)


@pytest.mark.parametrize("make", [worked_example_graph, lambda: load_graph(str(WORKED_EXAMPLE))])
def test_worked_example_devtools_column(make: object) -> None:
    graph = make()  # type: ignore[operator]
    tree = compute_dominators(graph)
    assert tree.semantics is Semantics.DEVTOOLS
    assert tree.self_size_used.tolist() == [0, 0, 100, 90, 0, 30]
    assert tree.retained_size.tolist() == [220, 0, 220, 90, 0, 30]
    assert tree.idom.tolist() == [0, 0, 0, 2, 3, 2]
    assert tree.distance.tolist() == [SYSTEM, SYSTEM + 1, 1, 2, 3, 2]
    assert tree.page_owned.tolist() == [False, False, True, True, True, True]
    assert tree.essential_edge_count == 6
    assert tree.ownership_applied
    assert tree.user_roots.tolist() == [2]
    assert tree.problems == ()
    assert tree.unreachable_nodes.size == tree.orphan_nodes.size == tree.clique_nodes.size == 0


@pytest.mark.parametrize("make", [worked_example_graph, lambda: load_graph(str(WORKED_EXAMPLE))])
def test_worked_example_memlab_column(make: object) -> None:
    graph = make()  # type: ignore[operator]
    tree = compute_dominators(graph, Semantics.MEMLAB)
    assert tree.semantics is Semantics.MEMLAB
    assert tree.self_size_used.tolist() == [0, 0, 100, 50, 40, 30]
    assert tree.retained_size.tolist() == [220, 0, 220, 90, 40, 30]
    assert tree.idom.tolist() == [0, 0, 0, 2, 3, 2]
    assert not tree.ownership_applied
    # memlab seeds its page flag from the GC-roots side: everything but the root.
    assert tree.page_owned.tolist() == [False, True, True, True, True, True]
    assert tree.essential_edge_count == 7


def _random_builder_graph(seed: int, n: int) -> tuple[RetentionGraph, list[tuple[int, int]]]:
    """Objects joined by property edges: a backbone (each node kept by an earlier one with
    probability 0.85, the root's children being user roots), forward edges, and back or self edges only
    into backbone nodes, so whatever the root misses hangs below a node without retainers
    (in both semantics' orphan tests: no cliques)."""
    rng = np.random.default_rng(seed)
    b = GraphBuilder()
    nodes = [b.root] + [
        b.add_node(NodeKind.OBJECT, f"o{i}", node_id=2 * i + 1, self_size=int(rng.integers(0, 50)))
        for i in range(1, n)
    ]
    edges: list[tuple[int, int]] = []
    backbone = np.zeros(n, dtype=np.bool_)
    for node in range(1, n):
        if rng.random() < 0.85:
            backbone[node] = True
            edges.append((int(rng.integers(0, node)), node))
    for _ in range(2 * n):
        a, c = (int(x) for x in rng.integers(0, n, 2))
        if a < c or (a >= c and backbone[c]):
            edges.append((a, c))
    for number, (a, c) in enumerate(edges):
        b.add_edge(nodes[a], nodes[c], EdgeKind.PROPERTY, f"p{number}")
    return b.freeze(SOURCE), edges


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("semantics", list(Semantics))
def test_random_graphs_match_networkx(seed: int, semantics: Semantics) -> None:
    n = 6 + 4 * seed
    graph, edges = _random_builder_graph(seed, n)
    tree = compute_dominators(graph, semantics)
    assert tree.clique_nodes.size == 0
    # Essential edges: no self edges, and (memlab, whose page flag is everything the root's
    # children reach) nothing from a node without the flag into one with it.
    page = tree.page_owned
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(n))
    digraph.add_edges_from(
        (a, c) for a, c in edges if a != c and not (a and page[c] and not page[a])
    )
    reached = set(nx.descendants(digraph, 0)) | {0}
    assert set(tree.unreachable_nodes.tolist()) == set(range(n)) - reached
    # DevTools' flowgraph: the root also holds each orphan, which then has a DFS of its own.
    digraph.add_edges_from((0, int(v)) for v in tree.orphan_nodes)
    assert tree.page_owned.any() == (semantics is Semantics.MEMLAB)
    for orphan in tree.orphan_nodes.tolist():
        assert orphan not in reached and digraph.in_degree(orphan) == 1
    expected = nx.immediate_dominators(digraph, 0)
    assert 0 not in expected  # networkx >= 3.6 leaves the start node out
    assert {v: int(tree.idom[v]) for v in range(1, n)} == expected
    # Retained size = self size summed over the dominator subtree.
    dominator_tree = nx.DiGraph((d, v) for v, d in expected.items())
    sizes = tree.self_size_used
    for node in range(n):
        subtree = (
            ({node} | nx.descendants(dominator_tree, node)) if node in dominator_tree else {node}
        )
        assert tree.retained_size[node] == sum(int(sizes[v]) for v in subtree)
    assert tree.total_size == int(graph.node_self_size.sum())
    # Distances: every child of the root is a user root at distance 1.
    plain = nx.DiGraph((a, c) for a, c in edges)
    plain.add_node(0)
    hops = nx.single_source_shortest_path_length(plain, 0)
    expected_distance = [hops.get(v, -5) for v in range(n)]
    expected_distance[0] = SYSTEM if tree.user_roots.size else 0
    assert tree.distance.tolist() == expected_distance


def test_cliques_are_attached_to_the_root_and_reported() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=10)
    a = b.add_node(NodeKind.OBJECT, "A", node_id=3, self_size=5)
    c = b.add_node(NodeKind.OBJECT, "C", node_id=5, self_size=7)
    below = b.add_node(NodeKind.OBJECT, "Below", node_id=7, self_size=11)
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(a, c, EdgeKind.PROPERTY, "c")
    b.add_edge(c, a, EdgeKind.PROPERTY, "a")
    b.add_edge(c, below, EdgeKind.PROPERTY, "below")
    tree = compute_dominators(b.freeze(SOURCE))
    assert tree.unreachable_nodes.tolist() == [a, c, below]
    assert tree.orphan_nodes.tolist() == []
    assert tree.clique_nodes.tolist() == [a, c, below]
    assert tree.idom[[a, c, below]].tolist() == [0, 0, 0]
    assert tree.total_size == 33
    assert tree.distance[[a, c, below]].tolist() == [-5, -5, -5]
    assert len(tree.problems) == 2
    assert tree.problems[0].startswith("3 node(s) are unreachable from the root")
    assert tree.problems[1].startswith("3 of the unreachable nodes are retained only by each")
    assert not any("Heap snapshot" in problem for problem in tree.problems)


def test_orphans_get_their_own_dfs() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=10)
    weakly = b.add_node(NodeKind.OBJECT, "Weakly", node_id=3, self_size=5)
    child = b.add_node(NodeKind.OBJECT, "Child", node_id=5, self_size=7)
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, weakly, EdgeKind.WEAK, "w")
    b.add_edge(weakly, child, EdgeKind.PROPERTY, "child")
    tree = compute_dominators(b.freeze(SOURCE))
    assert tree.orphan_nodes.tolist() == [weakly]
    assert tree.unreachable_nodes.tolist() == [weakly, child]
    assert tree.clique_nodes.size == 0
    assert tree.idom.tolist() == [0, 0, 0, weakly]
    assert tree.retained_size.tolist() == [22, 10, 12, 7]
    assert tree.problems == (
        "2 node(s) are unreachable from the root over retaining edges; they were attached to "
        "the root, as DevTools does (1 of them have only weak retainers and were given a DFS "
        "of their own)",
    )


def test_without_user_roots_devtools_falls_back() -> None:
    """Only synthetic children of the root (an exposeInternals snapshot, or an engine whose
    roots are categories): no ownership, the root's distance is 0."""
    b = GraphBuilder()
    category = b.add_node(NodeKind.SYNTHETIC, "(Global handles)", node_id=2)
    holder = b.add_node(NodeKind.OBJECT, "Holder", node_id=3, self_size=16)
    store = b.add_node(NodeKind.ARRAY, "", node_id=5, self_size=40)
    b.add_root(category, RootKind.ENGINE, "(Global handles)")
    b.add_edge(category, holder, EdgeKind.INTERNAL, "1")
    b.add_edge(holder, store, EdgeKind.INTERNAL, "elements")
    tree = compute_dominators(b.freeze(SOURCE))
    assert tree.user_roots.size == 0
    assert not tree.ownership_applied
    assert tree.self_size_used.tolist() == [0, 0, 16, 40]
    assert tree.distance.tolist() == [0, 1, 2, 3]
    assert tree.retained_size.tolist() == [56, 56, 56, 40]


def test_weakmap_value_is_dominated_through_its_key_in_devtools_only() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
    wm = b.add_node(NodeKind.OBJECT, "WeakMap", node_id=3)
    table = b.add_node(NodeKind.ARRAY, "", node_id=5, self_size=8)
    key = b.add_node(NodeKind.OBJECT, "Key", node_id=7)
    value = b.add_node(NodeKind.OBJECT, "Value", node_id=9, self_size=100)
    b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    b.add_edge(glob, wm, EdgeKind.PROPERTY, "wm")
    b.add_edge(wm, table, EdgeKind.INTERNAL, "table")
    b.add_edge(glob, key, EdgeKind.PROPERTY, "key")
    b.add_ephemeron(table, key, value, "part of key")
    graph = b.freeze(SOURCE)
    devtools = compute_dominators(graph)
    assert devtools.idom[value] == key
    assert devtools.retained_size[key] == 100
    memlab = compute_dominators(graph, Semantics.MEMLAB)
    assert memlab.idom[value] == glob
    assert memlab.retained_size[key] == 0
    # Distance follows the later of table (3) and key (2).
    assert devtools.distance[value] == 4


def test_result_is_frozen_and_says_its_semantics() -> None:
    tree = compute_dominators(worked_example_graph(), Semantics.MEMLAB)
    assert isinstance(tree, DominatorTree)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.semantics = Semantics.DEVTOOLS  # type: ignore[misc]
    assert tree.node_count == 6
    assert tree.dominated_by(2).tolist() == [3, 5]
    assert tree.dominated_by(0).tolist() == [1, 2]


def test_progress_reports_every_phase() -> None:
    calls: list[tuple[str, int, int]] = []
    compute_dominators(worked_example_graph(), progress=lambda *call: calls.append(call))
    phases = [
        "page flags",
        "essential edges",
        "shallow sizes",
        "dominators",
        "retained sizes",
        "distances",
    ]
    assert calls == [(p, done, 1) for p in phases for done in (0, 1)]
