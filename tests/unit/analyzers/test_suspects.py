"""suspects on real snapshots: accumulation point, closure-context leak, detached DOM, and no noise."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakhunt.analyzers.leak_results import SuspectReport
from leakhunt.analyzers.suspects import SuspectOptions, find_suspects
from leakhunt.errors import ConfigError

from helpers.leak_fixtures import CHROMIUM, V8, expected, snapshot, stage


def _suspects(path: Path) -> SuspectReport:
    return find_suspects(snapshot(str(path)))


def test_accumulation_point_is_the_cache_map() -> None:
    truth = expected("leak_cache")
    report = find_suspects(stage("leak_cache", "final"))
    assert [s.kind for s in report.suspects] == ["accumulation point"]
    (suspect,) = report.suspects
    assert suspect.holder_id == truth["objects"]["entries_map"]["id"]
    # Every response still in the map: the warm-up round's and the measured round's.
    assert suspect.count == truth["warmup_requests"] + truth["round_requests"]
    assert "CachedResponse" in suspect.title
    assert [s.edge_name for s in suspect.trace.steps[1:4]] == ["service", "cache", "entries"]


def test_replace_thing_is_a_heuristic_closure_context_leak() -> None:
    truth = expected("closure_leak")
    report = _suspects(V8 / "closure_leak.heapsnapshot.gz")
    assert [s.kind for s in report.suspects] == ["closure context"]
    (suspect,) = report.suspects
    assert suspect.heuristic
    assert any("heuristic" in line for line in suspect.evidence)
    assert truth["retained_variable"] in suspect.title
    assert suspect.count == truth["calls"] - 1  # the first call captured null
    link = truth["chain_link"]
    assert suspect.holder_id == link[1]["to_id"]  # the newest someMethod's context
    assert suspect.trace.steps[-1].node_id == truth["objects"]["previous_thing"]["id"]
    assert suspect.location is not None
    script, line, _ = suspect.location
    assert script.endswith("closure_leak.js")
    source = (V8 / "closure_leak.js").read_text().splitlines()
    assert "function someMethod" in source[line]


def test_chromium_page_has_no_closure_suspect_and_finds_detached_dom() -> None:
    truth = expected("chromium_page", CHROMIUM)
    report = _suspects(CHROMIUM / "chromium_page.heapsnapshot.gz")
    kinds = [s.kind for s in report.suspects]
    # The listener reads the `session` it captures (scope_uses): not a closure-context leak.
    assert "closure context" not in kinds
    assert set(kinds) == {"detached DOM"}
    box = next(s for s in report.suspects if s.trace.steps[-1].node_id == truth["detached_box_id"])
    assert box.holder_id == truth["objects"]["detached_nodes_array"]["id"]
    document = next(s for s in report.suspects if s is not box)
    assert document.trace.steps[-1].node_id == truth["objects"]["detached_frame_document"]["id"]


@pytest.mark.parametrize("name", ["leak_chain", "collections", "vm_contexts", "closures"])
def test_ordinary_node_heaps_have_no_suspects(name: str) -> None:
    # Node's own module registry and embedder objects are not leaks.
    assert _suspects(V8 / f"{name}.heapsnapshot.gz").suspects == ()


def test_options_are_validated() -> None:
    with pytest.raises(ConfigError):
        SuspectOptions(min_share=2.0)
