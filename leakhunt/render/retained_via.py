"""``retained-via`` for terminals and as JSON (``leakhunt/retained-via/1``)."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from leakhunt.analyzers.retained_via import RetainedViaReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.console import print_source
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import node_json, source_json, write_json
from leakhunt.render.labels import node_label, shorten
from leakhunt.render.safe_text import console_markup
from leakhunt.render.summary_console import format_bytes

__all__ = ["RetainedViaConsoleRenderer", "RetainedViaJsonRenderer", "retained_via_document"]


def retained_via_document(graph: RetentionGraph, report: RetainedViaReport) -> dict[str, Any]:
    """The ``leakhunt/retained-via/1`` document."""
    return {
        "schema": "leakhunt/retained-via/1",
        "source": source_json(graph.source),
        "query": report.query,
        "freed": {"objects": report.freed_objects, "size": report.freed_size},
        "own": {"objects": report.own_objects, "size": report.own_size},
        "top_nodes": [node_json(graph, node) for node in report.top_nodes],
        "top_classes": [
            {"class": name, "count": count, "self_size": size}
            for name, count, size in report.top_classes
        ],
    }


class RetainedViaJsonRenderer(Renderer[RetainedViaReport]):
    """``retained-via --format json``."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: RetainedViaReport, out: TextIO) -> None:
        """Write the document."""
        write_json(retained_via_document(self.graph, result), out)


class RetainedViaConsoleRenderer(Renderer[RetainedViaReport]):
    """Totals, then the largest freed objects and classes."""

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: RetainedViaReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        console = Console(file=out, width=self.width or 120, highlight=False, soft_wrap=False)
        print_source(console, g.source)
        console.print(
            f"Retained only via {console_markup(result.query)}: {result.freed_objects:,} "
            f"objects, {result.freed_size:,} B ({format_bytes(result.freed_size)}) become "
            f"unreachable without its references (X itself: {result.own_objects:,} objects, "
            f"{result.own_size:,} B)"
        )
        if result.top_nodes:
            nodes = Table(title="Largest objects", title_justify="left")
            nodes.add_column("self", justify="right")
            nodes.add_column("object")
            for node in result.top_nodes:
                nodes.add_row(
                    f"{int(g.node_self_size[node]):,}", console_markup(node_label(g, node))
                )
            console.print(nodes)
        if result.top_classes:
            classes = Table(title="By class", title_justify="left")
            for column in ("class", "count", "self"):
                classes.add_column(column, justify="left" if column == "class" else "right")
            for name, count, size in result.top_classes:
                classes.add_row(console_markup(shorten(name, 60)), f"{count:,}", f"{size:,}")
            console.print(classes)
