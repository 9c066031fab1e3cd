"""JSON documents of ``diff`` (``leakhunt/diff/1``) and ``suspects`` (``leakhunt/suspects/1``).

Strings are exact (JSON escapes them). Schemas are documented in ``docs/json.md``.
"""

from __future__ import annotations

from typing import Any, TextIO

from leakhunt.analyzers.leak_results import (
    DiffReport,
    LeakCluster,
    LeakTrace,
    Suspect,
    SuspectReport,
)
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import write_json

__all__ = ["DiffJsonRenderer", "SuspectsJsonRenderer", "cluster_json", "suspect_json", "trace_json"]


def trace_json(trace: LeakTrace) -> dict[str, Any]:
    """A trace: root kind, steps, and where the suspect references start."""
    return {
        "root_kind": trace.root_kind,
        "suspect_from": trace.suspect_from,
        "steps": [
            {
                "id": s.node_id,
                "class": s.class_name,
                "name": s.name,
                "edge_kind": s.edge_kind,
                "edge_name": s.edge_name,
                "retained_size": s.retained_size,
            }
            for s in trace.steps
        ],
    }


def cluster_json(cluster: LeakCluster) -> dict[str, Any]:
    """One leak cluster."""
    return {
        "class": cluster.class_name,
        "count": cluster.count,
        "retained_size": cluster.retained_size,
        "fingerprint": cluster.fingerprint,
        "shape": list(cluster.shape),
        "ids": list(cluster.node_ids),
        "trace": trace_json(cluster.trace),
    }


def suspect_json(suspect: Suspect) -> dict[str, Any]:
    """One suspect."""
    location = None
    if suspect.location is not None:
        script, line, column = suspect.location
        location = {"script": script, "line": line + 1, "column": column + 1}
    return {
        "kind": suspect.kind,
        "title": suspect.title,
        "retained_size": suspect.retained_size,
        "count": suspect.count,
        "holder": {"id": suspect.holder_id, "label": suspect.holder},
        "evidence": list(suspect.evidence),
        "heuristic": suspect.heuristic,
        "fingerprint": suspect.fingerprint,
        "location": location,
        "trace": trace_json(suspect.trace),
    }


def diff_document(result: DiffReport) -> dict[str, Any]:
    """The ``leakhunt/diff/1`` document."""
    return {
        "schema": "leakhunt/diff/1",
        "sources": list(result.sources),
        "method": result.method,
        "identity": result.identity,
        "allocated_between": result.allocated_between,
        "id_reuse": result.id_reuse,
        "leaked_objects": result.leaked_objects,
        "trace_source": result.trace_source,
        "clusters": [cluster_json(c) for c in result.clusters],
        "growth": [
            {
                "class": g.class_name,
                "count": [g.count_before, g.count_after],
                "self_size": [g.self_size_before, g.self_size_after],
                "retained_size": [g.retained_before, g.retained_after],
            }
            for g in result.growth
        ],
        "notes": list(result.notes),
    }


def suspects_document(result: SuspectReport) -> dict[str, Any]:
    """The ``leakhunt/suspects/1`` document."""
    return {
        "schema": "leakhunt/suspects/1",
        "source": result.source,
        "total_size": result.total_size,
        "suspects": [suspect_json(s) for s in result.suspects],
        "notes": list(result.notes),
    }


class DiffJsonRenderer(Renderer[DiffReport]):
    """``leakhunt/diff/1``."""

    def render(self, result: DiffReport, out: TextIO) -> None:
        """Write the document."""
        write_json(diff_document(result), out)


class SuspectsJsonRenderer(Renderer[SuspectReport]):
    """``leakhunt/suspects/1``."""

    def render(self, result: SuspectReport, out: TextIO) -> None:
        """Write the document."""
        write_json(suspects_document(result), out)
