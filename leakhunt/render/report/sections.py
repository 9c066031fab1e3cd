"""The report's sections: a registry of small functions from result JSON to HTML.

Each :class:`Section` turns the :class:`~leakhunt.render.report.data.ReportData` into a
:class:`SectionBody`: HTML, or the reason it is empty. A section about one snapshot is a
function of one :class:`~leakhunt.render.report.data.SnapshotReport` wrapped by
:func:`per_snapshot`. To add an analysis (zombie contexts, cycles, suspects, diff clusters),
put its JSON document into ``SnapshotReport.documents`` (or ``ReportData.documents`` for a
diff) and its diagrams into ``figures``, and replace the placeholder function in
:data:`SECTIONS`; :func:`findings_html` lays out findings with a diagram, a trace and a
fingerprint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leakhunt.render.report.data import Figure, ReportData, SnapshotReport
from leakhunt.render.report.html_parts import Column, cell, details, table, text
from leakhunt.render.summary_console import format_bytes

__all__ = [
    "SECTIONS",
    "Finding",
    "Section",
    "SectionBody",
    "figure_html",
    "findings_html",
    "node_text",
    "per_snapshot",
    "trace_html",
]

VISIBLE_ROWS = 20
"""Rows of a long table shown before the rest is collapsed."""


@dataclass(frozen=True, slots=True)
class SectionBody:
    """A section's content, or why there is none."""

    html: str
    """The content ("" when empty)."""
    empty_reason: str | None = None
    """Shown instead of content: why the analysis has nothing to show."""
    count: int | None = None
    """Number of findings, shown next to the title when meaningful."""


@dataclass(frozen=True, slots=True)
class Section:
    """One report section."""

    key: str
    """Anchor id (ours)."""
    title: str
    """Heading."""
    build: Callable[[ReportData], SectionBody]
    """Content from the report data."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding laid out by :func:`findings_html`."""

    headline: str
    """One line (heap text allowed)."""
    facts: Sequence[tuple[str, str]] = ()
    """Label/value pairs (values are heap text)."""
    fingerprint: str = ""
    """Stable identifier of the finding, for baselines and CI."""
    trace: Mapping[str, Any] | None = None
    """A path in the ``leakhunt/paths/1`` path format (``root_kind``, ``root_label``, ``hops``)."""
    figure: Figure | None = None
    """Its diagram."""


def _ident(document: Mapping[str, Any], node_id: int) -> str:
    return f"@{node_id}" if document["source"]["engine"] == "V8" else f"0x{node_id:x}"


def node_text(document: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    """``Class "name" @id`` from a node object of any document (escaped HTML)."""
    ident = _ident(document, int(node["id"]))
    name = str(node["name"])
    if not name or name == node["class"]:
        return f"{text(str(node['class']), 60)} <span class=id>{ident}</span>"
    return f"{text(str(node['class']), 40)} “{text(name, 60)}” <span class=id>{ident}</span>"


def trace_html(document: Mapping[str, Any], path: Mapping[str, Any]) -> str:
    """A retaining path as an ordered list: the root, then each object and the edge below it."""
    items = [
        f'<li class="root">GC root: {text(str(path["root_kind"]))} — '
        f"{text(str(path['root_label']), 80)}</li>"
    ]
    for hop in path["hops"]:
        edge = hop["edge"]
        below = (
            f'<div class="edge">↓ {text(str(edge["name"]), 80)} '
            f'<span class="kind">{text(str(edge["kind"]))}</span></div>'
            if edge
            else ""
        )
        items.append(f"<li>{node_text(document, hop['node'])}{below}</li>")
    return f'<ol class="trace">{"".join(items)}</ol>'


def figure_html(figure: Figure) -> str:
    """A diagram: inline SVG, or its DOT source when Graphviz was not available."""
    caption = f"<figcaption>{text(figure.caption, 200)}</figcaption>"
    if figure.svg is not None:
        return f'<figure class="diagram">{figure.svg}{caption}</figure>'
    note = "<p class=note>Graphviz's dot program was not found: the diagram's DOT source:</p>"
    return f'<figure class="diagram">{note}<pre>{text(figure.dot)}</pre>{caption}</figure>'


def findings_html(document: Mapping[str, Any], findings: Sequence[Finding]) -> str:
    """Findings as collapsible blocks: the first open, each with diagram, trace, fingerprint."""
    blocks = []
    for index, finding in enumerate(findings):
        facts = "".join(f"<dt>{text(k)}</dt><dd>{text(v, 200)}</dd>" for k, v in finding.facts)
        if finding.fingerprint:
            facts += f"<dt>fingerprint</dt><dd><code>{text(finding.fingerprint)}</code></dd>"
        body = f"<dl>{facts}</dl>" if facts else ""
        if finding.figure is not None:
            body += figure_html(finding.figure)
        if finding.trace is not None:
            body += trace_html(document, finding.trace)
        blocks.append(details(text(finding.headline, 200), body, open_=index == 0))
    return "".join(blocks)


def _long_table(columns: Sequence[Column], rows: Sequence[str], what: str) -> str:
    if len(rows) <= VISIBLE_ROWS:
        return table(columns, rows)
    return table(columns, rows[:VISIBLE_ROWS]) + details(
        f"All {len(rows):,} {what}", table(columns, rows)
    )


def per_snapshot(
    build: Callable[[SnapshotReport], SectionBody],
) -> Callable[[ReportData], SectionBody]:
    """Run a one-snapshot section for every input, under a heading per file when several."""

    def run(data: ReportData) -> SectionBody:
        bodies = [(s, build(s)) for s in data.snapshots]
        if len(bodies) == 1:
            return bodies[0][1]
        if not any(body.html for _, body in bodies):
            reasons = {body.empty_reason for _, body in bodies}
            if len(reasons) == 1:
                return SectionBody("", reasons.pop())
            return SectionBody(
                "", "; ".join(f"{s.label}: {body.empty_reason}" for s, body in bodies)
            )
        parts = []
        for snapshot, body in bodies:
            content = body.html or f'<p class="empty">{text(body.empty_reason or "")}</p>'
            parts.append(f"<h3>{text(snapshot.label, 200)}</h3>{content}")
        counts = [b.count for _, b in bodies if b.count is not None]
        return SectionBody("".join(parts), None, sum(counts) if counts else None)

    return run


def _summary(snapshot: SnapshotReport) -> SectionBody:
    doc = snapshot.documents["summary"]
    source = doc["source"]
    facts = [
        ("file", text(str(source["path"]), 200)),
        ("format", f"{text(str(source['format']))} ({text(str(source['engine']))})"),
        ("nodes", f"<span data-num=nodes>{doc['nodes']:,}</span>"),
        ("edges", f"<span data-num=edges>{doc['edges']:,}</span>"),
        (
            "total self size",
            f"<span data-num=total_self_size>{doc['total_self_size']:,}</span> B "
            f"({format_bytes(int(doc['total_self_size']))})",
        ),
        ("weak edges", f"{doc['weak_edges']:,}"),
        ("weak-map entries", f"{doc['ephemeron_entries']:,}"),
    ]
    facts += [(text(k), text(str(v), 200)) for k, v in source["details"].items()]
    html = "<dl class=facts>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    roots = [cell(kind) + cell(count, numeric=True) for kind, count in doc["root_kinds"].items()]
    html += "<h4>Root edges by kind</h4>" + table([Column("kind"), Column("count", True)], roots)
    contexts = [
        cell(c["name"])
        + cell(c["kind"])
        + cell(c["attributed_nodes"], numeric=True)
        + cell(c["attributed_self_size"], numeric=True)
        for c in doc["contexts"]
    ]
    if contexts:
        columns = [
            Column("context"),
            Column("kind"),
            Column("nodes", True),
            Column("self size", True),
        ]
        html += "<h4>Contexts</h4>" + _long_table(columns, contexts, "contexts")
    if doc["problems"]:
        items = "".join(f"<li>{text(p, 300)}</li>" for p in doc["problems"])
        html += details(f"{len(doc['problems']):,} importer note(s)", f"<ul>{items}</ul>")
    return SectionBody(html)


def _top_retainers(snapshot: SnapshotReport) -> SectionBody:
    doc = snapshot.documents["top"]
    total = int(doc["total_size"])
    rows = [
        f'<td class="num" data-sort="{r["retained_size"]}">{r["retained_size"]:,}</td>'
        f'<td class="num" data-sort="{r["retained_size"]}">'
        f"{100 * r['retained_size'] / total if total else 0:.1f}%</td>"
        + cell(r["shallow_size"], numeric=True)
        + f"<td>{node_text(doc, r['node'])}</td>"
        + cell(r["dominated_count"], numeric=True)
        for r in doc["retainers"]
    ]
    columns = [
        Column("retained", True),
        Column("%", True),
        Column("self", True),
        Column("object"),
        Column("dominates", True),
    ]
    intro = (
        f"<p>Total <span data-num=total_size>{total:,}</span> B ({format_bytes(total)}); "
        f"retained sizes in {text(str(doc['semantics']))} semantics.</p>"
    )
    return SectionBody(intro + _long_table(columns, rows, "retainers"), None, len(rows))


def _classes(snapshot: SnapshotReport) -> SectionBody:
    doc = snapshot.documents["top"]
    rows = [
        cell(c["name"])
        + cell(c["count"], numeric=True)
        + cell(c["distance"], numeric=True)
        + cell(c["shallow_size"], numeric=True)
        + cell(c["retained_size"], numeric=True)
        for c in doc["classes"]
    ]
    columns = [
        Column("class"),
        Column("count", True),
        Column("distance", True),
        Column("shallow", True),
        Column("retained", True),
    ]
    intro = f"<p>{len(rows):,} of {doc['class_count']:,} classes, largest retained size first.</p>"
    return SectionBody(intro + _long_table(columns, rows, "classes"))


def _paths(snapshot: SnapshotReport) -> SectionBody:
    doc = snapshot.documents.get("paths")
    if doc is None:
        return SectionBody("", "no targets were selected for retaining paths")
    html = "".join(figure_html(f) for f in snapshot.figures.get("paths", ()))
    traces = [
        details(
            f"{node_text(doc, p['hops'][-1]['node'])} — {p['length']:,} reference(s) from a "
            f"{text(str(p['root_kind']))} root",
            trace_html(doc, p),
        )
        for p in doc["paths"]
    ]
    html += "".join(traces[:VISIBLE_ROWS])
    if len(traces) > VISIBLE_ROWS:
        html += details(
            f"{len(traces) - VISIBLE_ROWS:,} more path(s)", "".join(traces[VISIBLE_ROWS:])
        )
    if doc["unreachable"]:
        html += f"<p>{len(doc['unreachable']):,} target(s) are not reachable over strong references.</p>"
    if not doc["paths"]:
        return SectionBody("", "none of the selected targets is reachable from a root")
    return SectionBody(html, None, len(doc["targets"]))


def _not_analysed(why: str) -> Callable[[SnapshotReport], SectionBody]:
    """Placeholder for an analysis this build cannot run yet, saying what it would need."""

    def build(snapshot: SnapshotReport) -> SectionBody:
        del snapshot  # nothing to read until the analysis exists
        return SectionBody("", why)

    return build


def _diff(data: ReportData) -> SectionBody:
    if len(data.snapshots) < 2:
        return SectionBody(
            "",
            "needs two or more snapshots (leakhunt report before.heapsnapshot after.heapsnapshot)",
        )
    return SectionBody("", "not analysed: this leakhunt build has no snapshot-diff analysis")


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Summary", per_snapshot(_summary)),
    Section(
        "suspects",
        "Leak suspects",
        per_snapshot(_not_analysed("not analysed: this leakhunt build has no suspect analysis")),
    ),
    Section(
        "zombies",
        "Zombie contexts",
        per_snapshot(
            _not_analysed("not analysed: this leakhunt build has no zombie-context analysis")
        ),
    ),
    Section(
        "cycles",
        "GC-invisible cycles",
        per_snapshot(
            _not_analysed(
                "needs an embedder root dump (--overlay): a heap snapshot alone does not show "
                "which handles native code holds",
            )
        ),
    ),
    Section("diff", "Diff clusters", _diff),
    Section("retainers", "Biggest retainers", per_snapshot(_top_retainers)),
    Section("classes", "Classes", per_snapshot(_classes)),
    Section("paths", "Retaining paths", per_snapshot(_paths)),
)
"""The sections, in page order."""
