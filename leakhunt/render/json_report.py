"""JSON documents for ``--format json``. Schemas are documented in ``docs/json.md``.

Every document carries ``"schema"`` (name and version) and ``"source"``; keys are only ever
added within a version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.results import PathReport, RetentionPath, Summary
from leakhunt.analyzers.top import TopReport
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.interface import Renderer
from leakhunt.render.safe_text import json_safe

__all__ = [
    "PathsJsonRenderer",
    "SummaryJsonRenderer",
    "TopJsonRenderer",
    "node_json",
    "paths_document",
    "source_json",
    "summary_document",
    "top_document",
    "write_json",
]


def write_json(document: dict[str, Any], out: TextIO, *, compact: bool = False) -> None:
    """Key order preserved, newline-terminated; indented unless ``compact``.

    Strings stay exact; the characters that cannot be encoded or could act on a terminal
    (lone surrogates, DEL and C1 controls, bidi controls) are written as ``\\uXXXX`` escapes
    (:func:`~leakhunt.render.safe_text.json_safe`), which every JSON parser reads back as the
    same string.
    """
    # json.dumps without indent runs the C encoder (ten times faster on a 100 MB document).
    if compact:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False)
    out.write(json_safe(text))
    out.write("\n")


def source_json(source: SourceInfo) -> dict[str, Any]:
    """The ``source`` block."""
    return {
        "path": source.path,
        "format": source.format,
        "engine": source.engine,
        "details": dict(source.details),
    }


def node_json(graph: RetentionGraph, node: int) -> dict[str, Any]:
    """A node as JSON: engine id, name, class, type and self size."""
    return {
        "id": int(graph.node_id[node]),
        "name": graph.strings[int(graph.node_name[node])],
        "class": graph.strings[int(graph.node_class[node])],
        "type": graph.type_names[int(graph.node_type[node])],
        "self_size": int(graph.node_self_size[node]),
    }


def summary_document(summary: Summary) -> dict[str, Any]:
    """The ``leakhunt/summary/1`` document."""
    root_kinds: dict[str, int] = {}
    for root in summary.roots:
        root_kinds[root.kind.label] = root_kinds.get(root.kind.label, 0) + root.count
    return {
        "schema": "leakhunt/summary/1",
        "source": {
            "path": summary.source_path,
            "format": summary.format,
            "engine": summary.engine,
            "details": dict(summary.details),
        },
        "nodes": summary.nodes,
        "edges": summary.edges,
        "total_self_size": summary.total_self_size,
        "weak_edges": summary.weak_edges,
        "ephemeron_entries": summary.ephemeron_entries,
        "types": [
            {"type": t.type_name, "count": t.count, "self_size": t.self_size} for t in summary.types
        ],
        "classes": [
            {"name": c.class_name, "count": c.count, "self_size": c.self_size}
            for c in summary.classes
        ],
        "class_count": summary.class_count,
        "roots": [
            {"kind": r.kind.label, "label": r.label, "count": r.count} for r in summary.roots
        ],
        "root_kinds": root_kinds,
        "contexts": [
            {
                "name": c.name,
                "kind": c.kind,
                "node_id": c.node_id,
                "global_id": c.global_id,
                "attributed_nodes": c.attributed_nodes,
                "attributed_self_size": c.attributed_self_size,
            }
            for c in summary.contexts
        ],
        "external_holders": [
            {
                "id": h.node_id,
                "class": h.class_name,
                "name": h.name,
                "unknown_references": h.unknown_references,
                "known_owner_ids": list(h.owner_ids),
            }
            for h in summary.external_holders
        ],
        "external_holder_count": summary.external_holder_count,
        "problems": list(summary.problems),
    }


_COMPACT_ABOVE = 1000
"""Path count above which ``paths --format json`` is written compactly."""


class _HopEncoder:
    """Builds hop dictionaries, sharing the ones of nodes and edges met on several paths."""

    _KIND_NAMES = tuple(kind.name.lower() for kind in EdgeKind)

    def __init__(
        self, graph: RetentionGraph, retained_size: npt.NDArray[np.int64] | None = None
    ) -> None:
        self.graph = graph
        self.retained_size = retained_size
        self._nodes: dict[int, dict[str, Any]] = {}
        self._edges: dict[int, dict[str, Any]] = {}
        self._node_texts: dict[int, str] = {}

    def node(self, node: int) -> dict[str, Any]:
        found = self._nodes.get(node)
        if found is None:
            found = self._nodes[node] = node_json(self.graph, node)
            if self.retained_size is not None:
                found["retained_size"] = int(self.retained_size[node])
        return found

    def edge(self, edge: int) -> dict[str, Any]:
        found = self._edges.get(edge)
        if found is None:
            found = self._edges[edge] = {
                "name": self.graph.edge_name_text(edge),
                "kind": self._KIND_NAMES[int(self.graph.edge_kind[edge])],
            }
        return found

    def node_text(self, node: int) -> str:
        found = self._node_texts.get(node)
        if found is None:
            found = self._node_texts[node] = _compact(self.node(node))
        return found

    def edge_text(self, edge: int) -> str:
        name = self.graph.edge_name_text(edge)
        kind = self._KIND_NAMES[int(self.graph.edge_kind[edge])]
        return f'{{"name":{_quote(name)},"kind":"{kind}"}}'

    def path_text(self, path: RetentionPath) -> str:
        """The same object as :meth:`path`, serialised compactly from cached fragments."""
        hops = [
            f'{{"node":{self.node_text(node)},"edge":{self.edge_text(edge)}}}'
            for node, edge in zip(path.nodes, path.edges, strict=False)
        ]
        hops.append(f'{{"node":{self.node_text(path.target)},"edge":null}}')
        return (
            f'{{"target":{int(self.graph.node_id[path.target])},'
            f'"root_kind":{_quote(path.root_kind.label)},'
            f'"root_label":{_quote(path.root_label)},'
            f'"length":{path.length},"hops":[{",".join(hops)}]}}'
        )

    def path(self, path: RetentionPath) -> dict[str, Any]:
        hops: list[dict[str, Any]] = [
            {"node": self.node(node), "edge": self.edge(edge)}
            for node, edge in zip(path.nodes, path.edges, strict=False)
        ]
        hops.append({"node": self.node(path.target), "edge": None})
        return {
            "target": int(self.graph.node_id[path.target]),
            "root_kind": path.root_kind.label,
            "root_label": path.root_label,
            "length": path.length,
            "hops": hops,
        }


_COMPACT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_quote: Callable[[str], str] = json.encoder.encode_basestring
"""JSON string literal of a str (the C implementation, as json.dumps uses)."""


def _compact(value: Any) -> str:
    return _COMPACT_ENCODER.encode(value)


def paths_document(
    graph: RetentionGraph,
    report: PathReport,
    *,
    with_paths: bool = True,
    retained_size: npt.NDArray[np.int64] | None = None,
) -> dict[str, Any]:
    """The ``leakhunt/paths/1`` document (``paths`` left empty unless ``with_paths``).

    With ``retained_size``, every hop's node carries its ``retained_size``.
    """
    encoder = _HopEncoder(graph, retained_size)
    return {
        "schema": "leakhunt/paths/1",
        "source": source_json(graph.source),
        "include_weak": report.include_weak,
        "targets": [int(graph.node_id[t]) for t in report.targets],
        "paths": [encoder.path(p) for p in report.paths] if with_paths else [],
        "unreachable": [int(graph.node_id[t]) for t in report.unreachable],
        "transient_only": [int(graph.node_id[t]) for t in report.transient_only],
    }


class SummaryJsonRenderer(Renderer[Summary]):
    """``summary --format json``."""

    def render(self, result: Summary, out: TextIO) -> None:
        """Write the document."""
        write_json(summary_document(result), out)


class PathsJsonRenderer(Renderer[PathReport]):
    """``paths --format json``."""

    def __init__(
        self, graph: RetentionGraph, *, retained_size: npt.NDArray[np.int64] | None = None
    ) -> None:
        self.graph = graph
        self.retained_size = retained_size

    def render(self, result: PathReport, out: TextIO) -> None:
        """Write the document; compact when it holds many paths (it can reach 100 MB+).

        The compact form is assembled from per-node fragments serialised once, since the
        same few nodes (the global, a container) start most of thousands of paths.
        """
        sizes = self.retained_size
        if len(result.paths) <= _COMPACT_ABOVE:
            write_json(paths_document(self.graph, result, retained_size=sizes), out)
            return
        head = _compact(paths_document(self.graph, result, with_paths=False))
        before, after = head.split('"paths":[]', 1)
        encoder = _HopEncoder(self.graph, sizes)
        out.write(json_safe(before) + '"paths":[')
        out.write(json_safe(",".join(encoder.path_text(p) for p in result.paths)))
        out.write("]" + json_safe(after) + "\n")


def top_document(graph: RetentionGraph, report: TopReport) -> dict[str, Any]:
    """The ``leakhunt/top/1`` document."""
    return {
        "schema": "leakhunt/top/1",
        "source": source_json(graph.source),
        "semantics": report.semantics.value,
        "total_size": report.total_size,
        "retainers": [
            {
                "node": node_json(graph, r.node),
                "retained_size": r.retained_size,
                "shallow_size": r.self_size,
                "dominator_id": int(graph.node_id[r.dominator]),
                "dominated_count": r.dominated_count,
            }
            for r in report.retainers
        ],
        "classes": [
            {
                "name": c.class_name,
                "count": c.count,
                "shallow_size": c.self_size,
                "retained_size": c.retained_size,
                "distance": c.min_distance,
            }
            for c in report.classes
        ],
        "class_count": report.class_count,
        "unreachable_count": report.unreachable_count,
        "problems": list(report.problems),
    }


class TopJsonRenderer(Renderer[TopReport]):
    """``top --format json``."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: TopReport, out: TextIO) -> None:
        """Write the document."""
        write_json(top_document(self.graph, result), out)
