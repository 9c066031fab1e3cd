"""Selectors: every form, suggestions for misses, several selectors with some missing."""

from __future__ import annotations

import numpy as np
import pytest

from leakhunt.analyzers import compute_dominators
from leakhunt.analyzers.selectors import parse_selector, resolve_selectors, select_nodes
from leakhunt.analyzers.top import find_top_retainers
from leakhunt.errors import NodeNotFoundError, SelectorError
from leakhunt.graph import GraphBuilder, NodeKind, RetentionGraph, SourceInfo
from leakhunt.importers import load_graph
from leakhunt.render.labels import node_label

from conftest import v8_fixture


def _graph(engine: str = "V8") -> RetentionGraph:
    b = GraphBuilder()
    b.add_node(NodeKind.OBJECT, "Session", node_id=3)
    b.add_node(NodeKind.CLOSURE, "onTick", node_id=5, class_name="Function")
    b.add_node(NodeKind.HIDDEN, "system / NativeContext", node_id=7, class_name="(system)")
    b.add_node(NodeKind.STRING, "Session", node_id=9, class_name="(string)")
    return b.freeze(SourceInfo("inline", "test", engine))


def test_type_selector_matches_the_engine_type() -> None:
    g = _graph()
    closures = select_nodes(g, ["type:" + g.type_names[int(g.node_type[2])]])
    expected = np.flatnonzero(g.node_type == g.node_type[2])
    assert closures.tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("selector", "suggestion"),
    [
        ("class:session", "class:Session"),
        ("class:system", "class:(system)"),
        ("class:system / NativeContext", "name:system / NativeContext"),
        ("class:system / NativeContext", "class:(system)"),
        ("name:ontick", "name:onTick"),
    ],
)
def test_a_miss_suggests_what_matches(selector: str, suggestion: str) -> None:
    g = _graph()
    (miss,) = resolve_selectors(g, [selector]).misses
    assert suggestion in miss.suggestions
    assert select_nodes(g, [suggestion]).size > 0  # every suggestion works
    with pytest.raises(NodeNotFoundError, match="did you mean"):
        select_nodes(g, [selector])


def test_several_selectors_answer_the_ones_that_match() -> None:
    g = _graph()
    found = resolve_selectors(g, ["class:Session", "class:Nope", "@5"])
    assert found.nodes.tolist() == [1, 2]
    assert [str(m.selector) for m in found.misses] == ["class:Nope"]


def test_unknown_form_is_a_usage_error() -> None:
    with pytest.raises(SelectorError, match="type:TYPE"):
        parse_selector("kind:thing")


def test_every_class_top_shows_is_a_working_selector() -> None:
    graph = load_graph(str(v8_fixture("vm_contexts")))
    report = find_top_retainers(graph, compute_dominators(graph), top=60, class_top=400)
    shown = {c.class_name for c in report.classes}
    # The class word of each node label ("(system) "system / NativeContext" @…").
    for r in report.retainers:
        label = node_label(graph, r.node)
        name = graph.strings[int(graph.node_class[r.node])]
        assert label.startswith(name)
        shown.add(name)
    for name in shown:
        assert select_nodes(graph, [f"class:{name}"]).size > 0, name
