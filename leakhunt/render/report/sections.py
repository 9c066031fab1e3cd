"""The report's sections: a registry of small functions from result JSON to HTML.

Each :class:`Section` turns the :class:`~leakhunt.render.report.data.ReportData` into a
:class:`SectionBody`: HTML, or the reason it is empty. A section about one snapshot is a
function of one :class:`~leakhunt.render.report.data.SnapshotReport` wrapped by
:func:`per_snapshot`. The leak analyses are presented from their JSON documents: put
``leakhunt/suspects/1``, ``leakhunt/zombies/1`` and the ``cycles`` document into
``SnapshotReport.documents`` under ``suspects``, ``zombies`` and ``cycles``, and
``leakhunt/diff/1`` into ``ReportData.documents["diff"]``; without them each section says
why it is empty. :func:`findings_html` lays out findings (diagram, trace, fingerprint) built by
:mod:`leakhunt.render.report.findings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from leakhunt.graph.core import SourceInfo
from leakhunt.render.diagram_nodes import Elision, visible_runs
from leakhunt.render.report.data import Figure, Finding, ReportData, SnapshotReport
from leakhunt.render.report.findings import (
    cycle_findings,
    diff_cluster_findings,
    suspect_findings,
    zombie_findings,
)
from leakhunt.render.report.html_parts import Column, cell, details, table, text
from leakhunt.render.summary_console import format_bytes
from leakhunt.render.traces import node_ident

__all__ = [
    "SECTIONS",
    "Section",
    "SectionBody",
    "figure_html",
    "findings_html",
    "hex_ids",
    "node_text",
    "per_snapshot",
    "trace_html",
]

VISIBLE_ROWS = 20
"""Rows of a long table shown before the rest is collapsed."""
TRACE_RUN = 20
"""Hops of a trace shown in a row before the middle of the run is collapsed."""


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


def hex_ids(snapshot: SnapshotReport) -> bool:
    """Whether the snapshot's ids are addresses (``0x…``) rather than object ids (``@id``)."""
    source = snapshot.documents["summary"]["source"]
    return SourceInfo(source["path"], source["format"], source["engine"]).ids_are_addresses


def node_text(node: Mapping[str, Any], *, hex_ids: bool) -> str:
    """``Class "name" @id`` from a node object of any document (escaped HTML)."""
    ident = node_ident(int(node["id"]), address=hex_ids)
    name = str(node["name"])
    if not name or name == node["class"]:
        return f"{text(str(node['class']), 60)} <span class=id>{ident}</span>"
    return f"{text(str(node['class']), 40)} “{text(name, 60)}” <span class=id>{ident}</span>"


def trace_html(path: Mapping[str, Any], *, hex_ids: bool) -> str:
    """A retaining path as an ordered list: the root, then each object and the edge below it.

    ``path`` has the ``leakhunt/paths/1`` shape (``root_kind``, ``root_label``, ``hops`` of
    ``node`` and ``edge`` to the next); a hop with ``"crossing": true`` is marked.
    """
    items = [
        f'<li class="root">GC root: {text(str(path["root_kind"]))} — '
        f"{text(str(path['root_label']), 80)}</li>"
    ]
    hops = path["hops"]
    pinned = {0, len(hops) - 1} | {i for i, hop in enumerate(hops) if hop.get("crossing")}
    for position in visible_runs(len(hops), pinned, max_run=TRACE_RUN):
        if isinstance(position, Elision):
            items.append(f'<li class="elided">… {position.hidden:,} more hops</li>')
            continue
        hop = hops[position]
        edge = hop["edge"]
        crossing = (
            ' <strong class="crossing">crosses into the dead context</strong>'
            if hop.get("crossing")
            else ""
        )
        below = (
            f'<div class="edge">↓ {text(str(edge["name"]), 80)} '
            f'<span class="kind">{text(str(edge["kind"]))}</span>{crossing}</div>'
            if edge
            else ""
        )
        items.append(f"<li>{node_text(hop['node'], hex_ids=hex_ids)}{below}</li>")
    return f'<ol class="trace">{"".join(items)}</ol>'


def figure_html(figure: Figure) -> str:
    """A diagram: inline SVG, or its DOT source when Graphviz was not available."""
    caption = f"<figcaption>{text(figure.caption, 200)}</figcaption>"
    if figure.svg is not None:
        return f'<figure class="diagram">{figure.svg}{caption}</figure>'
    note = "<p class=note>Graphviz's dot program was not found: the diagram's DOT source:</p>"
    return f'<figure class="diagram">{note}<pre>{text(figure.dot)}</pre>{caption}</figure>'


def findings_html(findings: Sequence[Finding], *, hex_ids: bool) -> str:
    """Findings as collapsible blocks: the first open, each with diagram, trace, fingerprint."""
    blocks = []
    for index, finding in enumerate(findings):
        facts = "".join(f"<dt>{text(k)}</dt><dd>{text(v, 1000)}</dd>" for k, v in finding.facts)
        if finding.fingerprint:
            facts += f"<dt>fingerprint</dt><dd><code>{text(finding.fingerprint)}</code></dd>"
        body = f"<dl class=facts>{facts}</dl>" if facts else ""
        if finding.figure is not None:
            body += figure_html(finding.figure)
        if finding.trace is not None:
            body += trace_html(finding.trace, hex_ids=hex_ids)
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
        + f"<td>{node_text(r['node'], hex_ids=hex_ids(snapshot))}</td>"
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
            f"{node_text(p['hops'][-1]['node'], hex_ids=hex_ids(snapshot))} — {p['length']:,} "
            f"reference(s) from a {text(str(p['root_kind']))} root",
            trace_html(p, hex_ids=hex_ids(snapshot)),
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


def _notes(document: Mapping[str, Any]) -> str:
    notes = document.get("notes") or ()
    return "".join(f'<p class="note">{text(str(n), 300)}</p>' for n in notes)


def _suspects(snapshot: SnapshotReport) -> SectionBody:
    document = snapshot.documents.get("suspects")
    if document is None:
        return SectionBody("", "not analysed: this leakhunt build has no suspect analysis")
    findings = suspect_findings(document, hex_ids=hex_ids(snapshot))
    if not findings:
        return SectionBody("", "no leak suspects found")
    html = _notes(document) + findings_html(findings, hex_ids=hex_ids(snapshot))
    return SectionBody(html, None, len(findings))


def _zombies(snapshot: SnapshotReport) -> SectionBody:
    document = snapshot.documents.get("zombies")
    if document is None:
        return SectionBody("", "not analysed: this leakhunt build has no zombie-context analysis")
    findings = zombie_findings(document, hex_ids=hex_ids(snapshot))
    if not findings:
        contexts = int(document.get("contexts", 0))
        if contexts <= 1:
            return SectionBody("", f"no zombie contexts: the heap has {contexts} context(s)")
        return SectionBody("", f"no zombie contexts among the {contexts} contexts")
    return SectionBody(findings_html(findings, hex_ids=hex_ids(snapshot)), None, len(findings))


_NEEDS_ROOT_DUMP = (
    "needs an embedder root dump (--overlay): a heap snapshot alone does not show which "
    "handles native code holds"
)


def _cycles(snapshot: SnapshotReport) -> SectionBody:
    document = snapshot.documents.get("cycles")
    if document is None:
        return SectionBody("", _NEEDS_ROOT_DUMP)
    findings = cycle_findings(document, hex_ids=hex_ids(snapshot))
    if not findings:
        pins = int(document.get("handle_pins", 0)) + int(document.get("unseen_pins", 0))
        if pins == 0:
            return SectionBody("", _NEEDS_ROOT_DUMP)
        return SectionBody("", f"no cycle kept alive only by a pin ({pins:,} pins examined)")
    return SectionBody(findings_html(findings, hex_ids=hex_ids(snapshot)), None, len(findings))


def _growth_table(document: Mapping[str, Any], labels: Sequence[str]) -> str:
    rows = document.get("growth") or ()
    if not rows:
        return ""
    columns = [Column("class")]
    columns += [Column(f"count {label}", True) for label in labels]
    columns += [Column(f"retained {label}", True) for label in labels]
    body = [
        cell(str(row["class"]))
        + "".join(cell(int(v), numeric=True) for v in row["count"])
        + "".join(cell(int(v), numeric=True) for v in row["retained_size"])
        for row in rows
    ]
    return "<h4>Class growth</h4>" + _long_table(columns, body, "classes")


def _diff(data: ReportData) -> SectionBody:
    document = data.documents.get("diff")
    if document is None:
        if len(data.snapshots) < 2:
            return SectionBody(
                "",
                "needs two or more snapshots "
                "(leakhunt report before.heapsnapshot after.heapsnapshot)",
            )
        return SectionBody("", "not analysed: this leakhunt build has no snapshot-diff analysis")
    hex_ = hex_ids(data.snapshots[-1]) if data.snapshots else False
    findings = diff_cluster_findings(document, hex_ids=hex_)
    labels = [f"#{i + 1}" for i in range(len(document.get("sources", ())))]
    intro = (
        f"<p>{text(str(document.get('method', '')))}: "
        f"{int(document.get('leaked_objects', 0)):,} leaked object(s) in "
        f"{len(findings):,} cluster(s).</p>"
    )
    html = intro + _notes(document) + findings_html(findings, hex_ids=hex_)
    html += _growth_table(document, labels)
    if not findings and not document.get("growth"):
        return SectionBody("", "no leak clusters and no class growth between the snapshots")
    return SectionBody(html, None, len(findings))


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Summary", per_snapshot(_summary)),
    Section("suspects", "Leak suspects", per_snapshot(_suspects)),
    Section("zombies", "Zombie contexts", per_snapshot(_zombies)),
    Section("cycles", "GC-invisible cycles", per_snapshot(_cycles)),
    Section("diff", "Diff clusters", _diff),
    Section("retainers", "Biggest retainers", per_snapshot(_top_retainers)),
    Section("classes", "Classes", per_snapshot(_classes)),
    Section("paths", "Retaining paths", per_snapshot(_paths)),
)
"""The sections, in page order."""
