"""find_external_holders on small hand-built graphs."""

from __future__ import annotations

from leakhunt.analyzers.external import find_external_holders, parse_unknown_references
from leakhunt.graph.builder import GraphBuilder, SourceInfo
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind


def _graph() -> tuple[RetentionGraph, dict[str, int]]:
    b = GraphBuilder()
    n = {name: b.add_node(NodeKind.NATIVE, name, node_id=i) for i, name in enumerate("ABCDEF", 1)}
    b.add_edge(n["B"], n["A"], EdgeKind.PROPERTY, "mA")
    b.add_edge(n["B"], n["A"], EdgeKind.PROPERTY, "mAgain")
    b.add_edge(n["C"], n["A"], EdgeKind.PROPERTY, "mA")
    b.add_ephemeron(n["D"], n["E"], n["A"], "weak-map value")  # not a known reference
    b.add_root(n["A"], RootKind.REFCOUNTED, "1 unknown reference")
    b.add_root(n["A"], RootKind.REFCOUNTED, "3 unknown references, incremental root")
    b.add_root(n["F"], RootKind.REFCOUNTED, "3 unknown references")
    b.add_root(n["C"], RootKind.REFCOUNTED, "0 unknown references, incremental root")
    b.add_root(n["D"], RootKind.MARKED, "marked live by the GC")
    b.add_root(n["E"], RootKind.USER, "7 unknown references")  # not a refcounted root
    return b.freeze(SourceInfo("inline", "test", "none")), n


def test_holders_sorted_with_known_owners_and_edges() -> None:
    g, n = _graph()
    holders = find_external_holders(g)
    assert [(h.node, h.unknown_references) for h in holders] == [(n["A"], 3), (n["F"], 3)]
    a = holders[0]
    assert a.known_owners == (n["B"], n["C"])
    assert [g.edge_name_text(e) for e in a.known_edges] == ["mA", "mAgain", "mA"]
    assert a.root_label == "3 unknown references, incremental root"
    assert holders[1].known_owners == () and holders[1].known_edges == ()


def test_fully_known_roots_on_request() -> None:
    g, n = _graph()
    nodes = [h.node for h in find_external_holders(g, include_fully_known=True)]
    assert nodes == [n["A"], n["F"], n["C"]]


def test_graph_without_refcounted_roots() -> None:
    b = GraphBuilder()
    x = b.add_node(NodeKind.OBJECT, "x", node_id=1)
    b.add_root(x, RootKind.USER, "global")
    assert find_external_holders(b.freeze(SourceInfo("inline", "test", "none"))) == ()


def test_label_parsing() -> None:
    assert parse_unknown_references("12 unknown references") == 12
    assert parse_unknown_references("12 unknown referencesX") is None
    assert parse_unknown_references("unknown references") is None
