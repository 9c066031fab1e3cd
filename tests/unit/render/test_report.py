"""The HTML report as text: CSP hashes, escaping, empty-section reasons, the section registry."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from leakhunt.analyzers import (
    compute_dominators,
    find_retaining_paths,
    find_top_retainers,
    select_nodes,
    summarize,
)
from leakhunt.graph import RetentionGraph
from leakhunt.importers import load_graph
from leakhunt.render.json_report import paths_document
from leakhunt.render.report import (
    CONTENT_SECURITY_POLICY,
    SECTIONS,
    Figure,
    Finding,
    ReportData,
    SnapshotReport,
    report_html,
    snapshot_report,
)
from leakhunt.render.report.sections import figure_html, findings_html, trace_html

REPO = Path(__file__).resolve().parents[3]
HOSTILE = REPO / "fixtures" / "v8" / "edge_cases" / "hostile_labels.heapsnapshot"
PAYLOAD = "</script><img src=x onerror=alert(1)>"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.urls += [value or "" for name, value in attrs if name in ("href", "src", "action")]

    def only_local_urls(self) -> bool:
        return all(url.startswith("#") or url == "data:," for url in self.urls)


@pytest.fixture(scope="module")
def hostile() -> RetentionGraph:
    return load_graph(str(HOSTILE))


def _snapshot(graph: RetentionGraph, *, draw: bool) -> SnapshotReport:
    tree = compute_dominators(graph)
    top = find_top_retainers(graph, tree, top=25, class_top=50)
    paths = find_retaining_paths(graph, [r.node for r in top.retainers])
    return snapshot_report(
        graph.source.path, graph, summarize(graph), top, paths, tree.retained_size, draw=draw
    )


def _page(graph: RetentionGraph, *, draw: bool = False, copies: int = 1) -> str:
    snapshot = _snapshot(graph, draw=draw)
    return report_html(ReportData((snapshot,) * copies, "leakhunt test"))


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_csp_pins_the_only_script_and_style(hostile: RetentionGraph) -> None:
    page = _page(hostile)
    (script,) = re.findall(r"<script>(.*?)</script>", page, re.S)
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert f"script-src {_sha(script)};" in CONTENT_SECURITY_POLICY
    assert f"style-src {_sha(style)};" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert page.index("Content-Security-Policy") < page.index("<style>")


def test_heap_strings_never_become_markup(hostile: RetentionGraph) -> None:
    page = _page(hostile)
    assert page.count("<script") == 1 and page.lower().count("</script") == 1
    parser = _Tags()
    parser.feed(page)
    assert not {"img", "iframe", "object", "embed"} & set(parser.tags)
    assert not [a for a in parser.attributes if a.startswith("on") or a in ("src", "style")]
    assert parser.only_local_urls()
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x07" not in page and "\x1b" not in page and "\u202e" not in page
    page.encode("utf-8")  # no lone surrogate survives


def test_figure_without_graphviz_shows_escaped_dot(hostile: RetentionGraph) -> None:
    page = _page(hostile, draw=False)
    assert "<svg" not in page and "dot program was not found" in page
    assert "&lt;B&gt;&amp;lt;/script&amp;gt;" in page  # DOT's own escape, escaped again for HTML


@pytest.mark.skipif(not Path("/usr/bin/dot").exists(), reason="Graphviz's dot is not installed")
def test_figure_with_graphviz_is_inline_svg(hostile: RetentionGraph) -> None:
    page = _page(hostile, draw=True)
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    parser = _Tags()
    parser.feed(page)
    assert "img" not in parser.tags and parser.only_local_urls()
    assert not [a for a in parser.attributes if a.startswith("on") or a == "style"]


def test_empty_sections_say_why(hostile: RetentionGraph) -> None:
    one = _page(hostile)
    assert "needs two or more snapshots" in one
    assert "needs an embedder root dump (--overlay)" in one
    two = _page(hostile, copies=2)
    assert "needs two or more snapshots" not in two and "no snapshot-diff analysis" in two
    assert two.count("needs an embedder root dump") == 1  # one reason, not one per file
    for section in SECTIONS:
        assert f'<section id="{section.key}"' in one and f'href="#{section.key}"' in one
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)


def test_findings_layout_for_plugged_in_analyses(hostile: RetentionGraph) -> None:
    (target,) = select_nodes(hostile, ["@21"])
    document = paths_document(hostile, find_retaining_paths(hostile, [target]))
    finding = Finding(
        headline=PAYLOAD,
        facts=(("context", "javascript:alert(1)"),),
        fingerprint="<b>fp</b>",
        trace=document["paths"][0],
        figure=Figure(PAYLOAD, "digraph {}", None),
    )
    html = findings_html([finding, finding], hex_ids=False)
    assert html.count("<details open>") == 1 and html.count("<details>") == 1
    assert "<img" not in html and "<b>fp</b>" not in html and "&lt;b&gt;fp&lt;/b&gt;" in html
    assert "GC root: user — global" in html
    assert "&lt;svg onload=alert(2)&gt;" in html  # the target's class in the trace
    assert "<pre>digraph {}</pre>" in figure_html(Figure("x", "digraph {}", None))


def test_long_traces_collapse_in_the_middle() -> None:
    node = {"id": 1, "class": "Item", "name": "Item"}
    hops = [
        {"node": {**node, "id": i}, "edge": {"name": "next", "kind": "property"}}
        for i in range(500)
    ]
    hops[-1]["edge"] = None
    html = trace_html({"root_kind": "user", "root_label": "global", "hops": hops}, hex_ids=False)
    assert html.count("<li>") == 2 + 2 + 1 + 1  # first run kept ends, last hop
    assert "… 494 more hops" in html and "@0" in html and "@499" in html
