"""Merged shortest paths: counts checked against the paths themselves, collapsing and capping."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from leakhunt.analyzers import (
    compute_dominators,
    compute_root_distances,
    find_retaining_paths,
    select_nodes,
)
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, RootKind, SourceInfo
from leakhunt.importers import load_graph
from leakhunt.options import PathOptions
from leakhunt.render.diagram import Diagram, EdgeRole, NodeRole
from leakhunt.render.merged_paths import merged_paths_diagram, merged_tree_diagram

from conftest import v8_expected, v8_fixture

SOURCE = SourceInfo("inline", "test", "none")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def leak_chain() -> RetentionGraph:
    return load_graph(str(v8_fixture("leak_chain")))


def _by_ident(graph: RetentionGraph) -> dict[str, int]:
    return {f"@{int(i)}": v for v, i in enumerate(graph.node_id.tolist())}


def test_leak_chain_sessions_counts_match_the_paths(leak_chain: RetentionGraph) -> None:
    g = leak_chain
    targets = select_nodes(g, ["class:Session"])
    report = find_retaining_paths(g, targets)
    tree = compute_dominators(g)
    diagram = merged_paths_diagram(g, report, tree.retained_size, max_children=8)
    ordinal = _by_ident(g)
    drawn = [n for n in diagram.nodes if n.ident]
    assert len({n.ident for n in drawn}) == len(drawn)  # each object once: prefixes shared
    for node in drawn:
        v = ordinal[node.ident]
        through = sum(1 for p in report.paths if v in p.nodes)
        assert node.through == through, node
        assert node.retained_size == int(tree.retained_size[v])
    (root,) = diagram.roots
    assert root.title == "user root" and root.through == len(targets)
    sessions = [n for n in drawn if n.title == "Session"]
    (more,) = [n for n in diagram.nodes if n.role is NodeRole.MORE]
    assert len(sessions) == 8 and more.title == f"+{len(targets) - 8} more"
    assert more.through == len(targets) - 8
    assert all(n.role is NodeRole.TARGET for n in sessions)
    expected = v8_expected("leak_chain")
    assert f"@{expected['sessions_map_id']}" in {n.ident for n in drawn}


def _chain(length: int) -> tuple[RetentionGraph, list[int]]:
    b = GraphBuilder()
    nodes = [b.add_node(NodeKind.OBJECT, f"Link{i}", node_id=2 * i + 1) for i in range(length)]
    b.add_root(nodes[0], RootKind.USER, "global")
    for a, c in itertools.pairwise(nodes):
        b.add_edge(a, c, EdgeKind.PROPERTY, "next")
    return b.freeze(SOURCE), nodes


def test_long_chain_collapses_and_the_hop_count_adds_up() -> None:
    g, nodes = _chain(40)
    diagram = merged_paths_diagram(g, find_retaining_paths(g, [nodes[-1]]), max_chain=8)
    (elided,) = [n for n in diagram.nodes if n.role is NodeRole.ELIDED]
    drawn = [n for n in diagram.nodes if n.ident]
    hidden = int(elided.title.split()[1])
    assert elided.title == f"… {hidden} more hops"
    assert len(drawn) + hidden == 40
    assert [n.title for n in drawn] == ["Link0", "Link1", "Link2", "Link37", "Link38", "Link39"]
    dotted = [e for e in diagram.edges if e.role is EdgeRole.ELIDED]
    assert len(dotted) == 2 and dotted[1].label == "next"  # the real edge into Link37
    assert any("collapsed" in note for note in diagram.notes)


def test_short_chain_is_drawn_whole() -> None:
    g, nodes = _chain(6)
    diagram = merged_paths_diagram(g, find_retaining_paths(g, [nodes[-1]]), max_chain=8)
    assert [n.title for n in diagram.nodes if n.ident] == [f"Link{i}" for i in range(6)]


def _fan(width: int) -> tuple[RetentionGraph, list[int]]:
    b = GraphBuilder()
    hub = b.add_node(NodeKind.OBJECT, "Hub", node_id=1)
    leaves = [
        b.add_node(NodeKind.OBJECT, "Leaf", node_id=3 + 2 * i, self_size=8 * (i + 1))
        for i in range(width)
    ]
    b.add_root(hub, RootKind.USER, "global")
    for i, leaf in enumerate(leaves):
        b.add_edge(hub, leaf, EdgeKind.ELEMENT, i)
    return b.freeze(SOURCE), leaves


def test_wide_fan_out_is_capped_biggest_first() -> None:
    g, leaves = _fan(20)
    tree = compute_dominators(g)
    diagram = merged_paths_diagram(
        g, find_retaining_paths(g, leaves), tree.retained_size, max_children=5
    )
    shown = [n for n in diagram.nodes if n.title == "Leaf"]
    assert [n.retained_size for n in shown] == [160, 152, 144, 136, 128]
    (more,) = [n for n in diagram.nodes if n.role is NodeRole.MORE]
    assert more.title == "+15 more" and more.through == 15


def test_node_budget_folds_the_rest() -> None:
    g, leaves = _fan(20)
    diagram = merged_paths_diagram(g, find_retaining_paths(g, leaves), max_nodes=10)
    boxes = [n for n in diagram.nodes if n.role is not NodeRole.MORE]
    (more,) = [n for n in diagram.nodes if n.role is NodeRole.MORE]
    assert len(boxes) <= 10 + 1  # roots are not budgeted against objects
    assert int(more.title.split()[0].lstrip("+")) + sum(1 for n in boxes if n.title == "Leaf") == 20


def test_alternative_paths_and_unreachable_targets() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
    a = b.add_node(NodeKind.OBJECT, "A", node_id=3)
    c = b.add_node(NodeKind.OBJECT, "C", node_id=5)
    leak = b.add_node(NodeKind.OBJECT, "Leak", node_id=7)
    lost = b.add_node(NodeKind.OBJECT, "Lost", node_id=9)
    b.add_root(glob, RootKind.USER, "global")
    b.add_edge(glob, a, EdgeKind.PROPERTY, "a")
    b.add_edge(glob, c, EdgeKind.PROPERTY, "c")
    b.add_edge(a, leak, EdgeKind.PROPERTY, "x")
    b.add_edge(c, leak, EdgeKind.PROPERTY, "y")
    g = b.freeze(SOURCE)
    report = find_retaining_paths(g, [leak, lost], PathOptions(max_paths=2))
    diagram: Diagram = merged_paths_diagram(g, report)
    titles = sorted(n.title for n in diagram.nodes if n.ident)
    assert titles == ["A", "C", "Leak", "Leak", "global"]  # two prefixes, two boxes for Leak
    assert any("1 target(s) unreachable" in note for note in diagram.notes)


TREE_CASES = [
    ("fixtures/v8/leak_chain.heapsnapshot.gz", "class:Session"),
    ("fixtures/v8/vm_contexts.heapsnapshot.gz", "class:Function"),
    ("fixtures/chromium/chromium_page.heapsnapshot.gz", "class:Object"),
    ("fixtures/spidermonkey/gjs_plain_leak.heap.gz", "class:Object"),
]


@pytest.mark.parametrize(("fixture", "selector"), TREE_CASES)
def test_tree_from_parent_edges_draws_what_the_paths_draw(fixture: str, selector: str) -> None:
    g = load_graph(str(REPO / fixture))
    targets = select_nodes(g, [selector])
    distances = compute_root_distances(g)
    tree = compute_dominators(g)
    from_paths = merged_paths_diagram(g, find_retaining_paths(g, targets), tree.retained_size)
    from_tree = merged_tree_diagram(g, distances, targets, tree.retained_size)
    assert from_tree.nodes == from_paths.nodes and from_tree.edges == from_paths.edges
    assert len(from_tree.nodes) > 10


def test_tree_counts_targets_that_hold_each_other() -> None:
    g, nodes = _chain(2000)
    targets = nodes[1000:]  # every target but the last holds the next one
    diagram = merged_tree_diagram(g, compute_root_distances(g), targets)
    drawn = {n.title: n for n in diagram.nodes if n.ident}
    kept = (0, 1, 2, 998, 999, 1000, 1001, 1002, 1997, 1998, 1999)
    assert list(drawn) == [f"Link{i}" for i in kept]
    assert drawn["Link0"].through == 1000 and drawn["Link1000"].through == 1000
    assert drawn["Link1001"].through == 999 and drawn["Link1999"].through == 1
    assert drawn["Link1000"].role is NodeRole.TARGET and drawn["Link999"].role is NodeRole.OBJECT
    runs = [n for n in diagram.nodes if n.role is NodeRole.ELIDED]
    assert [(n.title, n.subtitle) for n in runs] == [
        ("… 995 more hops", ""),  # Link3 … Link997
        ("… 994 more hops", "994 targets among them"),  # Link1003 … Link1996
    ]
