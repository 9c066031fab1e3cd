"""Findings of the leak analyses, from their JSON documents, with their diagrams.

One function per document: ``leakhunt/zombies/1`` (:func:`zombie_findings`), the ``cycles``
document (:func:`cycle_findings`), ``leakhunt/suspects/1`` (:func:`suspect_findings`) and
``leakhunt/diff/1`` (:func:`diff_cluster_findings`). Each returns
:class:`~leakhunt.render.report.sections.Finding` rows for
:func:`~leakhunt.render.report.sections.findings_html`: a headline, facts, the fingerprint,
the trace in the ``leakhunt/paths/1`` hop format and a diagram drawn from the same hops.

Examples
--------
>>> steps = [
...     {"id": 1, "class": "global", "name": "global", "edge_kind": "", "edge_name": "",
...      "retained_size": 90},
...     {"id": 3, "class": "Item", "name": "Item", "edge_kind": "property",
...      "edge_name": "item", "retained_size": 20}]
>>> trace_hops(steps)[0]["edge"]
{'name': 'item', 'kind': 'property'}
>>> [h.edge_name for h in steps_as_hops(steps, hex_ids=False)]
['', 'item']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leakhunt.render.chain import Hop, RingRoot, chain_diagram, ring_diagram
from leakhunt.render.diagram import Diagram
from leakhunt.render.report.collect import make_figure
from leakhunt.render.report.data import Finding
from leakhunt.render.summary_console import format_bytes
from leakhunt.render.traces import node_ident

__all__ = [
    "cycle_findings",
    "diff_cluster_findings",
    "steps_as_hops",
    "suspect_findings",
    "trace_diagram",
    "trace_hops",
    "zombie_findings",
]

Document = Mapping[str, Any]


def _size(value: int) -> str:
    return f"{value:,} B ({format_bytes(value)})"


def steps_as_hops(steps: Sequence[Mapping[str, Any]], *, hex_ids: bool) -> list[Hop]:
    """Trace steps (``id``, ``class``, ``name``, ``edge_kind``/``edge_name`` into the step,
    ``retained_size``), as written by the suspects and diff documents, as diagram hops."""
    return [
        Hop(
            class_name=str(step["class"]),
            name=str(step["name"]),
            ident=node_ident(int(step["id"]), address=hex_ids),
            retained_size=int(step["retained_size"]) if "retained_size" in step else None,
            edge_name=str(step["edge_name"]) if index else "",
            edge_kind=str(step["edge_kind"]) if index else "",
        )
        for index, step in enumerate(steps)
    ]


def trace_hops(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Trace steps (edge into each step) as ``leakhunt/paths/1`` hops (edge out of each)."""
    hops: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        following = steps[index + 1] if index + 1 < len(steps) else None
        edge = (
            {"name": following["edge_name"], "kind": following["edge_kind"]} if following else None
        )
        node = {"id": step["id"], "class": step["class"], "name": step["name"]}
        hops.append({"node": node, "edge": edge})
    return hops


def zombie_findings(document: Document, *, hex_ids: bool) -> list[Finding]:
    """One finding per zombie context of a ``leakhunt/zombies/1`` document."""
    findings = []
    for zombie in document["zombies"]:
        steps = zombie["path"]
        crossing = next((i + 1 for i, s in enumerate(steps) if s.get("crossing")), None)
        name = str(zombie["name"])
        live = str(zombie.get("holder_context") or "live objects")
        hops = [
            Hop(
                class_name=str(step["node"]["class"]),
                name=str(step["node"]["name"]),
                ident=node_ident(int(step["node"]["id"]), address=hex_ids),
                edge_name=str(steps[index - 1]["edge"]["name"]) if index else "",
                edge_kind=str(steps[index - 1]["edge"]["kind"]) if index else "",
                context=None if crossing is None else (live if index < crossing else name),
            )
            for index, step in enumerate(steps)
        ]
        title = f"Zombie {name}: what keeps it alive"
        diagram = chain_diagram(
            "zombie",
            title,
            str(zombie["root"]["kind"]),
            str(zombie["root"]["label"]),
            hops,
            crossing=crossing,
            highlighted_contexts=(name,) if crossing is not None else (),
        )
        trace = {
            "root_kind": zombie["root"]["kind"],
            "root_label": zombie["root"]["label"],
            "hops": [
                {"node": s["node"], "edge": s.get("edge"), "crossing": s.get("crossing", False)}
                for s in steps
            ],
        }
        facts = [
            ("retained", _size(int(zombie["retained_size"]))),
            ("mechanism", str(zombie["mechanism"])),
            (
                "held by",
                f"{zombie['holder']['class']} {node_ident(int(zombie['holder']['id']), address=hex_ids)}",
            ),
            ("holder's context", str(zombie.get("holder_context") or "none")),
        ]
        facts += [(str(e["kind"]), str(e["detail"])) for e in zombie["evidence"]]
        findings.append(
            Finding(
                headline=f"{name} — {format_bytes(int(zombie['retained_size']))} retained",
                facts=tuple(facts),
                trace=trace,
                figure=make_figure(diagram),
            )
        )
    return findings


def cycle_findings(document: Document, *, hex_ids: bool) -> list[Finding]:
    """One finding per pinned cycle of a ``cycles`` document (hops: node, edge to the next)."""
    findings = []
    for cycle in document["cycles"]:
        members = cycle["hops"]
        count = len(members)
        hops = [
            Hop(
                class_name=str(hop["node"]["class"]),
                name=str(hop["node"]["name"]),
                ident=node_ident(int(hop["node"]["id"]), address=hex_ids),
                retained_size=None,
                edge_name=str(members[index - 1]["edge"]["name"]),
                edge_kind=str(members[index - 1]["edge"]["kind"]),
                # the pin of a handle cycle is the native owner of the handle
                native=index == 0 and cycle["pin"] == "strong global handle",
            )
            for index, hop in enumerate(members)
        ]
        pin = f"{cycle['pin']} — {cycle['root_label']}"
        title = f"Cycle of {count} object(s) kept only by a {cycle['pin']}"
        diagram = ring_diagram(
            title, hops, roots=[RingRoot(str(cycle["pin"]), str(cycle["root_label"]), 0)]
        )
        facts = [
            ("retained only by the pin", _size(int(cycle["retained_size"]))),
            ("pin", pin),
            (
                "objects",
                f"{cycle['retained_count']:,} kept, {cycle['component_size']:,} in the loop's component",
            ),
            ("what to change", str(cycle["hint"])),
        ]
        findings.append(
            Finding(
                headline=f"{hops[0].class_name} {hops[0].ident}: {count}-hop cycle, "
                f"{format_bytes(int(cycle['retained_size']))}",
                facts=tuple(facts),
                figure=make_figure(diagram),
            )
        )
    return findings


def trace_diagram(trace: Mapping[str, Any], title: str, *, hex_ids: bool) -> Diagram:
    """A leak trace (``trace`` of a diff cluster or a suspect, as in their JSON documents) as a
    chain from its root, with the retained size on every hop and the suspect reference pinned."""
    steps = trace["steps"]
    root_label = str(steps[0]["edge_name"]) if steps else ""
    return chain_diagram(
        "path",
        title,
        str(trace["root_kind"]),
        root_label,
        steps_as_hops(steps, hex_ids=hex_ids),
        pinned={int(trace.get("suspect_from", 0))},
    )


def _traced(
    headline: str,
    facts: Sequence[tuple[str, str]],
    fingerprint: str,
    trace: Mapping[str, Any],
    *,
    hex_ids: bool,
    title: str,
) -> Finding:
    steps = trace["steps"]
    root_label = str(steps[0]["edge_name"]) if steps else ""
    diagram = trace_diagram(trace, title, hex_ids=hex_ids)
    return Finding(
        headline=headline,
        facts=tuple(facts),
        fingerprint=fingerprint,
        trace={
            "root_kind": trace["root_kind"],
            "root_label": root_label,
            "hops": trace_hops(steps),
        },
        figure=make_figure(diagram),
    )


def suspect_findings(document: Document, *, hex_ids: bool) -> list[Finding]:
    """One finding per suspect of a ``leakhunt/suspects/1`` document."""
    findings = []
    for suspect in document["suspects"]:
        facts = [
            ("kind", str(suspect["kind"])),
            ("retained", _size(int(suspect["retained_size"]))),
            ("objects", f"{suspect['count']:,}"),
        ]
        facts += [("evidence", str(line)) for line in suspect.get("evidence", ())]
        location = suspect.get("location")
        if location:
            facts.append(
                ("allocated at", f"{location['script']}:{location['line']}:{location['column']}")
            )
        findings.append(
            _traced(
                str(suspect["title"]),
                facts,
                str(suspect.get("fingerprint", "")),
                suspect["trace"],
                hex_ids=hex_ids,
                title=f"Representative path: {suspect['kind']}",
            )
        )
    return findings


def diff_cluster_findings(document: Document, *, hex_ids: bool) -> list[Finding]:
    """One finding per leak cluster of a ``leakhunt/diff/1`` document."""
    findings = []
    for cluster in document["clusters"]:
        facts = [
            ("objects", f"{cluster['count']:,} {cluster['class']}"),
            ("retained", _size(int(cluster["retained_size"]))),
            ("path shape", " ".join(str(part) for part in cluster["shape"])),
        ]
        findings.append(
            _traced(
                f"{cluster['count']:,} × {cluster['class']} — "
                f"{format_bytes(int(cluster['retained_size']))} retained",
                facts,
                str(cluster["fingerprint"]),
                cluster["trace"],
                hex_ids=hex_ids,
                title=f"Representative path of {cluster['count']:,} leaked {cluster['class']}",
            )
        )
    return findings
