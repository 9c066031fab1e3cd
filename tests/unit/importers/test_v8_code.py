"""Code locations and captured-variable uses read from real V8 snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakhunt.graph.core import RetentionGraph
from leakhunt.importers.v8.heapsnapshot import load_v8_heapsnapshot

FIXTURES = Path(__file__).parents[3] / "fixtures"


@pytest.fixture(scope="module")
def chromium() -> RetentionGraph:
    return load_v8_heapsnapshot(str(FIXTURES / "chromium/chromium_page.heapsnapshot.gz"))


@pytest.fixture(scope="module")
def node_closure_leak() -> RetentionGraph:
    return load_v8_heapsnapshot(str(FIXTURES / "v8/closure_leak.heapsnapshot.gz"))


def _closures(graph: RetentionGraph, name: str) -> list[int]:
    return [
        v
        for v in range(graph.node_count)
        if graph.node_label(v) == name and graph.type_names[graph.node_type[v]] == "closure"
    ]


def _line_of(source: Path, needle: str) -> int:
    lines = source.read_text().splitlines()
    return next(
        i for i, line in enumerate(lines) if needle in line and not line.lstrip().startswith("//")
    )


def test_chromium_closure_location_is_its_source_line(chromium: RetentionGraph) -> None:
    (closure,) = _closures(chromium, "onSaveClick")
    row = chromium.code_locations.row_of(closure)
    assert row >= 0
    assert chromium.strings[int(chromium.code_locations.script[row])].endswith("/app.js")
    page = FIXTURES / "chromium/page/app.js"
    assert int(chromium.code_locations.line[row]) == _line_of(page, "function onSaveClick")


def test_chromium_uses_say_which_variable_a_listener_reads(chromium: RetentionGraph) -> None:
    uses = chromium.captured_uses
    assert uses.known
    (closure,) = _closures(chromium, "onSaveClick")
    assert closure in uses.covered.tolist()
    read = {
        chromium.strings[int(uses.name[i])] for i in range(len(uses)) if uses.function[i] == closure
    }
    assert read == {"session"}  # app.js: `return session.key;`
    # keyOf reads nothing from any context (app.js: a pure function of its argument).
    (key_of,) = _closures(chromium, "keyOf")
    assert key_of in uses.covered.tolist()
    assert not any(uses.function[i] == key_of for i in range(len(uses)))


def test_node20_has_locations_but_no_use_information(node_closure_leak: RetentionGraph) -> None:
    graph = node_closure_leak
    assert not graph.captured_uses.known and len(graph.captured_uses) == 0
    methods = _closures(graph, "someMethod")
    assert len(methods) == 12
    script = FIXTURES / "v8/closure_leak.js"
    for method in methods:
        row = graph.code_locations.row_of(method)
        assert graph.strings[int(graph.code_locations.script[row])].endswith("closure_leak.js")
        assert int(graph.code_locations.line[row]) == _line_of(
            script, "new Thing(function someMethod"
        )
