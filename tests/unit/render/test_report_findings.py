"""Report sections of the leak analyses, from the documents their commands print.

The documents in ``data/`` were printed by the sibling branches' commands on committed
fixtures (see ``data/README.md``); the expectations below are read from the same documents,
so the test checks the presentation: every finding shown, its diagram drawn from its hops,
crossing and weak-callback edges styled, empty analyses explained.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leakhunt.analyzers import compute_dominators, find_top_retainers, summarize
from leakhunt.importers import load_graph
from leakhunt.render.report import (
    SECTIONS,
    ReportData,
    SnapshotReport,
    report_html,
    snapshot_report,
)
from leakhunt.render.report.findings import (
    cycle_findings,
    diff_cluster_findings,
    suspect_findings,
    zombie_findings,
)

DATA = Path(__file__).with_name("data")
V8_SUMMARY = {"source": {"engine": "V8", "path": "x", "format": "v8-heapsnapshot", "details": {}}}


def _doc(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((DATA / name).read_text())
    return document


def _section(key: str, data: ReportData) -> Any:
    (section,) = [s for s in SECTIONS if s.key == key]
    return section.build(data)


def _data(**documents: dict[str, Any]) -> ReportData:
    snapshot = SnapshotReport("x.heapsnapshot", {"summary": V8_SUMMARY, **documents})
    return ReportData((snapshot,), "leakhunt test")


def test_zombie_section_shows_the_crossing() -> None:
    document = _doc("zombies_vm_contexts.json")
    body = _section("zombies", _data(zombies=document))
    (zombie,) = document["zombies"]
    assert body.count == 1 and body.empty_reason is None
    assert "vm ZombieSandbox @32399" in body.html and "crosses into the dead context" in body.html
    assert f"{zombie['retained_size']:,} B" in body.html
    (finding,) = zombie_findings(document, hex_ids=False)
    assert finding.figure is not None
    dot = finding.figure.dot
    (line,) = [row for row in dot.splitlines() if "penwidth=3" in row]  # one crossing edge
    assert f"label=<{zombie['crossing_edge']['name']}<BR/>" in line
    assert "zombie vm ZombieSandbox @32399" in dot and "label=<main>" in dot


def test_cycle_section_styles_handles_and_weak_callbacks() -> None:
    document = _doc("cycles_compiled_fn_entry.json")
    findings = cycle_findings(document, hex_ids=False)
    assert len(findings) == len(document["cycles"]) > 0
    for cycle, finding in zip(document["cycles"], findings, strict=True):
        assert finding.figure is not None
        dot = finding.figure.dot
        kinds = [hop["edge"]["kind"] for hop in cycle["hops"]]
        assert dot.count("arrowhead=odiamond") == kinds.count("weak_callback")
        assert dot.count("style=bold") == kinds.count("native_handle") + kinds.count("host_options")
        assert dot.count("shape=box3d") == 1  # the handle's native owner
        assert dot.count(" -> m") == len(kinds) + 1  # the ring and the pin's root edge
    body = _section("cycles", _data(cycles=document))
    assert body.count == len(findings) and str(document["cycles"][0]["hint"])[:40] in body.html


def test_cycle_section_without_pins_still_needs_a_root_dump() -> None:
    empty = {"handle_pins": 0, "unseen_pins": 0, "cycles": []}
    assert "needs an embedder root dump" in (
        _section("cycles", _data(cycles=empty)).empty_reason or ""
    )
    examined = {"handle_pins": 3, "unseen_pins": 0, "cycles": []}
    assert _section("cycles", _data(cycles=examined)).empty_reason == (
        "no cycle kept alive only by a pin (3 pins examined)"
    )


def test_suspect_section_shows_fingerprint_trace_and_path() -> None:
    document = _doc("suspects_closure_leak.json")
    body = _section("suspects", _data(suspects=document))
    (suspect,) = document["suspects"]
    assert body.count == 1 and suspect["fingerprint"] in body.html
    assert body.html.count('<ol class="trace">') == 1
    (finding,) = suspect_findings(document, hex_ids=False)
    assert finding.trace is not None and len(finding.trace["hops"]) == len(
        suspect["trace"]["steps"]
    )
    for step in suspect["trace"]["steps"]:
        assert f"@{step['id']}" in body.html
    assert "heuristic" in body.html  # the document's note is shown


def test_diff_section_needs_two_snapshots_or_shows_the_clusters() -> None:
    assert "needs two or more snapshots" in (_section("diff", _data()).empty_reason or "")
    document = _doc("diff_leak_cache.json")
    snapshot = SnapshotReport("x", {"summary": V8_SUMMARY})
    data = ReportData((snapshot, snapshot, snapshot), "leakhunt test", {"diff": document})
    body = _section("diff", data)
    (cluster,) = document["clusters"]
    assert body.count == 1 and cluster["fingerprint"] in body.html
    (finding,) = diff_cluster_findings(document, hex_ids=False)
    assert finding.figure is not None
    assert finding.figure.dot.count("retained ") == len(cluster["trace"]["steps"])  # size per hop
    assert "Class growth" in body.html
    assert all(f"{row['retained_size'][-1]:,}" in body.html for row in document["growth"][:20])


@pytest.mark.parametrize(
    ("key", "document"),
    [
        ("zombies", {"zombies": [], "contexts": 3}),
        ("suspects", {"suspects": [], "notes": []}),
    ],
)
def test_analysed_but_nothing_found_says_so(key: str, document: dict[str, Any]) -> None:
    body = _section(key, _data(**{key: document}))
    assert body.html == "" and body.empty_reason and "not analysed" not in body.empty_reason


def test_snapshot_report_takes_the_analyses_documents() -> None:
    graph = load_graph(str(DATA.parents[3] / "fixtures/v8/edge_cases/hostile_labels.heapsnapshot"))
    tree = compute_dominators(graph)
    top = find_top_retainers(graph, tree)
    snapshot = snapshot_report(
        "hostile",
        graph,
        summarize(graph),
        top,
        None,
        tree.retained_size,
        analyses={"zombies": _doc("zombies_vm_contexts.json")},
        draw=False,
    )
    page = report_html(ReportData((snapshot,), "leakhunt test"))
    assert '<section id="zombies" data-state="filled">' in page
    assert '<section id="paths" data-state="empty">' in page
