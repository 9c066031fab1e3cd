"""The HTML report opened in real headless chromium over the DevTools protocol.

Reports of the committed Node, Chromium and SpiderMonkey dumps and of the hostile-label
snapshot are generated with ``python -m leakhunt report`` and opened at a desktop and a
narrow width by ``report_browser.js`` (Node, no npm packages). The tests check what the
browser rendered: every section in order, the numbers of the engine sidecars and of the
``--format json`` commands, no console message, exception or log entry, no request but the
page itself, a working (CSP-allowed) sort script, no horizontal page scroll on a phone, and
heap strings shown as text, never as markup. Screenshots are kept in ``$LEAKHUNT_ARTEFACT_DIR``
(or a pytest temporary directory).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leakhunt.analyzers import (
    compute_dominators,
    find_retaining_paths,
    find_top_retainers,
    select_nodes,
    summarize,
)
from leakhunt.importers import load_graph
from leakhunt.options import SummaryOptions
from leakhunt.render.json_report import summary_document, top_document
from leakhunt.render.report import (
    CONTENT_SECURITY_POLICY,
    SECTIONS,
    ReportData,
    SnapshotReport,
    report_html,
    snapshot_report,
)
from leakhunt.render.safe_text import visible

from helpers.cli import run

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        NODE is None, reason="node is needed to drive chromium over the DevTools protocol"
    ),
]

# every Node fixture that has an engine sidecar with its node count
V8 = sorted(
    str(p.relative_to(REPO))
    for p in (REPO / "fixtures" / "v8").glob("*.heapsnapshot.gz")
    if p.with_name(p.name.replace(".heapsnapshot.gz", ".expected.json")).is_file()
)
SPIDERMONKEY = sorted(
    str(p.relative_to(REPO)) for p in (REPO / "fixtures" / "spidermonkey").glob("*.heap.gz")
)
CHROMIUM_PAGE = ["fixtures/chromium/chromium_page.heapsnapshot.gz"]
HOSTILE = ["fixtures/v8/edge_cases/hostile_labels.heapsnapshot"]
REPORTS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "node": (V8, ()),
    "node-sessions": (["fixtures/v8/leak_chain.heapsnapshot.gz"], ("--target", "class:Session")),
    "chromium": (CHROMIUM_PAGE, ()),
    "spidermonkey": (SPIDERMONKEY, ()),
    "hostile": (HOSTILE, ()),
}


PLUGGED_DATA = REPO / "tests" / "unit" / "render" / "data"


def _plugged_report(path: Path) -> None:
    """A report with every section filled: a real snapshot plus the sibling analyses' documents
    (tests/unit/render/data), laid out as they will be once those branches are merged."""
    graph = load_graph(str(REPO / "fixtures/v8/leak_chain.heapsnapshot.gz"))
    tree = compute_dominators(graph)
    top = find_top_retainers(graph, tree, top=25, class_top=50)
    paths = find_retaining_paths(graph, select_nodes(graph, ["class:Session"]))
    base = snapshot_report(
        "leak_chain.heapsnapshot.gz", graph, summarize(graph), top, paths, tree.retained_size
    )
    documents = {
        key: json.loads((PLUGGED_DATA / name).read_text())
        for key, name in {
            "zombies": "zombies_vm_contexts.json",
            "cycles": "cycles_compiled_fn_entry.json",
            "suspects": "suspects_closure_leak.json",
        }.items()
    }
    snapshot = SnapshotReport(base.label, {**base.documents, **documents}, base.figures)
    diff = json.loads((PLUGGED_DATA / "diff_leak_cache.json").read_text())
    data = ReportData((snapshot, snapshot), "leakhunt test", {"diff": diff})
    path.write_text(report_html(data), encoding="utf-8")


def _hostile_strings() -> dict[str, str]:
    sys.path.insert(0, str(REPO / "fixtures" / "v8" / "edge_cases"))
    try:
        import hostile_labels
    finally:
        sys.path.pop(0)
    names = ("SCRIPT_BREAKOUT", "JS_URL", "SVG_ONLOAD", "NATIVE", "EDGE_HTML", "EDGE_URL")
    return {name: getattr(hostile_labels, name) for name in names}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    reports = tmp_path_factory.mktemp("reports")
    artefacts = Path(os.environ.get("LEAKHUNT_ARTEFACT_DIR") or tmp_path_factory.mktemp("shots"))
    specs = []
    for name, (files, extra) in REPORTS.items():
        out = reports / f"{name}.html"
        result = run("report", *files, *extra, "-o", str(out), "-q", cwd=REPO)
        assert result.returncode == 0, result.stderr
        specs.append(f"{name}={out}")
    plugged = reports / "plugged.html"
    _plugged_report(plugged)
    specs.append(f"plugged={plugged}")
    assert CHROMIUM is not None and NODE is not None
    driver = Path(__file__).with_name("report_browser.js")
    browser = subprocess.run(
        [NODE, str(driver), CHROMIUM, str(artefacts), *specs],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert browser.returncode == 0, browser.stderr
    data: dict[str, Any] = json.loads(browser.stdout)
    data["_artefacts"] = str(artefacts)
    return data


def _documents(file: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What ``summary --format json`` and ``top --top 25 --classes 50 --format json`` print."""
    graph = load_graph(str(REPO / file))
    top = find_top_retainers(graph, compute_dominators(graph), top=25, class_top=50)
    return summary_document(summarize(graph, SummaryOptions(top=50))), top_document(graph, top)


@pytest.mark.parametrize("name", [*sorted(REPORTS), "plugged"])
def test_page_is_quiet_offline_and_inert(rendered: dict[str, Any], name: str) -> None:
    page = rendered[name]
    events = page["events"]
    assert events["console"] == [] and events["exceptions"] == [] and events["logs"] == []
    assert {r["url"] for r in events["requests"]} == {page["url"]}  # the page itself, nothing else
    for viewport in ("desktop", "narrow"):
        facts = page[viewport]
        assert facts["csp"] == CONTENT_SECURITY_POLICY
        assert facts["scriptRan"], "the inline script was blocked (CSP hash mismatch?)"
        tags = facts["tags"]
        assert tags["script"] == 1 and tags["style"] == 1
        assert tags["img"] == tags["iframe"] == tags["object"] == tags["embed"] == 0
        assert tags["meta_refresh"] == 0
        assert facts["handlers"] == []
        assert all(u == "data:," or u.startswith("#") for u in facts["urls"]), facts["urls"]
        assert [s["id"] for s in facts["sections"]] == [s.key for s in SECTIONS]
    narrow = page["narrow"]
    assert narrow["scrollWidth"] <= narrow["innerWidth"], "the page scrolls sideways on a phone"
    assert Path(rendered["_artefacts"], f"{name}-narrow.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", ["node", "chromium", "spidermonkey"])
def test_sections_show_the_numbers_of_the_json_commands(
    rendered: dict[str, Any], name: str
) -> None:
    files = REPORTS[name][0]
    facts = rendered[name]["desktop"]
    summaries, tops = zip(*(_documents(f) for f in files), strict=True)
    assert facts["nums"]["nodes"] == [f"{s['nodes']:,}" for s in summaries]
    assert facts["nums"]["edges"] == [f"{s['edges']:,}" for s in summaries]
    assert facts["nums"]["total_size"] == [f"{t['total_size']:,}" for t in tops]
    sections = {s["id"]: s for s in facts["sections"]}
    for state in ("summary", "retainers", "classes", "paths"):
        assert sections[state]["state"] == "filled", state
    for top in tops:
        for retainer in top["retainers"][:20]:  # the rest sit in a closed <details>
            assert f"{retainer['retained_size']:,}" in sections["retainers"]["text"]
        for row in top["classes"][:20]:
            assert f"{row['retained_size']:,}" in sections["classes"]["text"]
    # the leak analyses run on every file; a section without findings says why
    for key in ("suspects", "zombies", "cycles", "diff"):
        assert sections[key]["state"] in ("filled", "empty"), key
    assert sections["cycles"]["state"] == "empty"  # no fixture here comes with a root dump
    assert "needs an embedder root dump (--overlay)" in sections["cycles"]["text"]
    if sections["zombies"]["state"] == "empty":
        assert "no zombie contexts" in sections["zombies"]["text"]
    if len(files) > 3:
        assert "not analysed" in sections["diff"]["text"]
    elif len(files) == 1:
        assert "needs two or more snapshots" in sections["diff"]["text"]


def test_v8_node_counts_match_the_engine_sidecars(rendered: dict[str, Any]) -> None:
    counts = rendered["node"]["desktop"]["nums"]["nodes"]
    for file, shown in zip(V8, counts, strict=True):
        sidecar = json.loads(
            (REPO / file.replace(".heapsnapshot.gz", ".expected.json")).read_text()
        )
        assert shown == f"{sidecar['snapshot']['node_count']:,}"


def test_merged_paths_to_the_sessions(rendered: dict[str, Any]) -> None:
    section = {s["id"]: s for s in rendered["node-sessions"]["desktop"]["sections"]}["paths"]
    assert section["heading"] == "Retaining paths (40)"
    assert "Merged shortest paths from GC roots to 40 target(s)" in section["text"]
    assert "Session @78371" in section["text"] or "@78371" in section["text"]
    assert rendered["node-sessions"]["desktop"]["tags"]["svg"] == 1


@pytest.mark.parametrize("name", ["node", "hostile"])
def test_tables_sort_when_a_header_is_clicked(rendered: dict[str, Any], name: str) -> None:
    sort = rendered[name]["sort"]
    assert sort["firstState"] == "descending" and sort["secondState"] == "ascending"
    assert sort["first"] == sorted(sort["before"], reverse=True)
    assert sort["second"] == sorted(sort["before"])


def test_hostile_strings_render_as_visible_text(rendered: dict[str, Any]) -> None:
    facts = rendered["hostile"]["desktop"]
    text = facts["bodyText"]
    for name, value in _hostile_strings().items():
        assert visible(value)[:40] in text, name
    assert "bell\\x07 esc\\x1b[2J nul\\x00 nl\\nline" in text
    assert "lone\\ud800" in text and "rtl\\u202eevil" in text
    assert facts["title"].startswith("leakhunt report: hostile_labels.heapsnapshot")
    assert facts["tags"]["svg"] == 1  # the merged diagram, drawn from the same strings


def test_every_section_filled_once_the_analyses_are_plugged_in(rendered: dict[str, Any]) -> None:
    facts = rendered["plugged"]["desktop"]
    sections = {s["id"]: s for s in facts["sections"]}
    assert {key for key, s in sections.items() if s["state"] != "filled"} == set()
    zombies = json.loads((PLUGGED_DATA / "zombies_vm_contexts.json").read_text())
    cycles = json.loads((PLUGGED_DATA / "cycles_compiled_fn_entry.json").read_text())
    assert sections["zombies"]["heading"] == f"Zombie contexts ({2 * len(zombies['zombies'])})"
    assert sections["cycles"]["heading"] == f"GC-invisible cycles ({2 * len(cycles['cycles'])})"
    assert "crosses into the dead context" in sections["zombies"]["text"]
    # one diagram per finding (both copies), the diff cluster's and the merged paths'
    diagrams = 2 * (len(zombies["zombies"]) + len(cycles["cycles"]) + 1) + 1 + 2
    assert facts["tags"]["svg"] == diagrams
