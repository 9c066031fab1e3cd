"""Analysis results → a :class:`~leakhunt.render.report.data.SnapshotReport`.

The documents are built by the same functions as ``--format json`` (``summary_document``,
``top_document``, ``paths_document``); diagrams by the same adapters as ``--format svg``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.results import PathReport, Summary
from leakhunt.analyzers.top import TopReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.diagram import Diagram
from leakhunt.render.dot import diagram_to_dot
from leakhunt.render.image import ImageFormat, dot_available, inline_svg, render_image
from leakhunt.render.json_report import paths_document, summary_document, top_document
from leakhunt.render.merged_paths import merged_paths_diagram
from leakhunt.render.report.data import Document, Figure, SnapshotReport

__all__ = ["make_figure", "snapshot_report"]


def make_figure(diagram: Diagram, *, draw: bool | None = None) -> Figure:
    """The diagram as inline SVG when ``dot`` is available (or ``draw``), else as DOT only."""
    source = diagram_to_dot(diagram)
    drawn = dot_available() if draw is None else draw
    svg = inline_svg(render_image(source, ImageFormat.SVG)) if drawn else None
    return Figure(diagram.title, source, svg)


def snapshot_report(
    label: str,
    graph: RetentionGraph,
    summary: Summary,
    top: TopReport,
    paths: PathReport | None,
    retained: npt.NDArray[np.int64],
    *,
    paths_diagram: Diagram | None = None,
    analyses: Mapping[str, Document] | None = None,
    draw: bool | None = None,
) -> SnapshotReport:
    """The summary, top and paths documents of one graph, and the merged-paths diagram.

    ``paths_diagram`` replaces the diagram merged from ``paths`` (for example one built by
    :func:`~leakhunt.render.merged_paths.merged_tree_diagram` for more targets than are
    traced). ``analyses`` adds the documents of further analyses under their section keys
    (``suspects``, ``zombies``, ``cycles``: see :mod:`leakhunt.render.report.sections`).
    """
    documents: dict[str, Document] = {
        "summary": summary_document(summary),
        "top": top_document(graph, top),
        **(analyses or {}),
    }
    figures: dict[str, tuple[Figure, ...]] = {}
    if paths is not None:
        documents["paths"] = paths_document(graph, paths)
    if paths_diagram is None and paths is not None and paths.paths:
        paths_diagram = merged_paths_diagram(graph, paths, retained, by_context=False)
    if paths_diagram is not None:
        figures["paths"] = (make_figure(paths_diagram, draw=draw),)
    return SnapshotReport(label, documents, figures)
