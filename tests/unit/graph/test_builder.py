"""GraphBuilder, the CSR layout, validation, views and the reverse CSR."""

from __future__ import annotations

import numpy as np
import pytest

from leakhunt.errors import GraphError
from leakhunt.graph import (
    EdgeKind,
    GraphBuilder,
    NodeKind,
    NodeView,
    RootKind,
    SourceInfo,
    build_retainers,
)

SOURCE = SourceInfo("inline", "test", "none")


def test_edges_are_grouped_by_source_in_insertion_order() -> None:
    b = GraphBuilder()
    x = b.add_node(NodeKind.OBJECT, "x", node_id=1)
    y = b.add_node(NodeKind.OBJECT, "y", node_id=2)
    b.add_edge(y, x, EdgeKind.PROPERTY, "back")
    b.add_edge(x, y, EdgeKind.PROPERTY, "first")
    b.add_edge(x, x, EdgeKind.ELEMENT, 7)
    root_edge = b.add_root(x, RootKind.USER, "global")
    g = b.freeze(SOURCE)
    assert g.node_first_edge.tolist() == [0, 1, 3, 4]
    assert [g.edge_name_text(e) for e in range(g.edge_count)] == ["global", "first", "7", "back"]
    assert g.roots.edge.tolist() == [0]
    assert root_edge == 3  # pre-freeze index, remapped by freeze
    assert [e.name for e in NodeView(g, x).edges()] == ["first", "7"]
    assert NodeView(g, y).edge_count == 1


def test_ephemeron_halves_survive_the_csr_sort() -> None:
    b = GraphBuilder()
    table, key, value = (b.add_node(NodeKind.OBJECT, n, node_id=i) for i, n in enumerate("tkv", 1))
    entry = b.add_ephemeron(table, key, value, "entry")
    b.add_ephemeron(None, key, table, "internal table")
    g = b.freeze(SOURCE)
    eph = g.ephemerons
    assert entry == 0 and len(eph) == 2
    assert eph.entry_halves.tolist() == [2, 1]
    sources = g.edge_source()[eph.edge]
    assert {(int(s), bool(k)) for s, k in zip(sources, eph.from_key, strict=True)} == {
        (table, False),
        (key, True),
    }
    assert np.all(g.edge_kind[eph.edge] == EdgeKind.EPHEMERON)


def test_retainers_are_the_reverse_csr() -> None:
    b = GraphBuilder()
    nodes = [b.add_node(NodeKind.OBJECT, str(i), node_id=i) for i in range(1, 5)]
    for s, t in [(0, 1), (1, 2), (0, 2), (3, 2)]:
        b.add_edge(nodes[s], nodes[t], EdgeKind.PROPERTY, "e")
    g = b.freeze(SOURCE)
    r = build_retainers(g)
    into = sorted(int(r.edge_source[e]) for e in r.edges_into(nodes[2]))
    assert into == sorted([nodes[1], nodes[0], nodes[3]])
    assert r.node_first_retainer[-1] == g.edge_count


def test_edges_to_unknown_nodes_are_rejected() -> None:
    b = GraphBuilder()
    b.add_edge(0, 99, EdgeKind.PROPERTY, "dangling")
    with pytest.raises(GraphError, match="never added"):
        b.freeze(SOURCE)


def test_node_view_reads_one_row() -> None:
    b = GraphBuilder()
    n = b.add_node(
        NodeKind.CLOSURE,
        "onTick",
        node_id=77,
        self_size=32,
        type_name="closure",
        class_name="Function",
    )
    g = b.freeze(SOURCE)
    view = NodeView(g, n)
    assert (view.id, view.name, view.class_name, view.type_name, view.self_size) == (
        77,
        "onTick",
        "Function",
        "closure",
        32,
    )
    assert view.kind is NodeKind.CLOSURE
    assert repr(view) == "<Function 'onTick' @77 (closure)>"


def test_contexts_and_problems_are_kept() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, context=0)
    ctx = b.add_context(-1, glob, "https://example.com/", "realm")
    for index in range(150):
        b.add_problem(f"odd line {index}")
    g = b.freeze(SOURCE)
    assert ctx == 0
    assert g.contexts.name == ("https://example.com/",) and g.contexts.kind == ("realm",)
    assert g.contexts.global_node.tolist() == [glob] and g.node_context[glob] == 0
    assert len(g.problems) == 100 and g.problems[0] == "odd line 0"
