"""The ``top`` report for terminals: biggest retainers and the class table."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from leakhunt.analyzers.top import TopReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import node_label, shorten
from leakhunt.render.safe_text import console_markup as markup_safe
from leakhunt.render.summary_console import format_bytes

__all__ = ["TopConsoleRenderer", "semantics_note"]

_SEMANTICS_NOTE = {
    "devtools": "Chrome DevTools semantics (shallow sizes of internal arrays charged to their owner)",
    "memlab": "memlab semantics (plain dominator tree from the GC roots, engine-reported sizes)",
}


def semantics_note(semantics: str) -> str:
    """One line saying which rule set produced retained sizes."""
    return _SEMANTICS_NOTE[semantics]


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


class TopConsoleRenderer(Renderer[TopReport]):
    """Two tables: the largest retainers, then classes by retained size."""

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: TopReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        console = Console(file=out, width=self.width or 120, highlight=False, soft_wrap=False)
        console.print(
            f"[bold]{markup_safe(g.source.path)}[/bold]  ({g.source.engine}, {g.source.format})"
        )
        console.print(f"Retained sizes: {semantics_note(result.semantics.value)}")
        console.print(f"Total: {result.total_size:,} B ({format_bytes(result.total_size)})")
        retainers = Table(title=f"Top {len(result.retainers)} retainers", title_justify="left")
        for column in ("retained", "%", "self", "node", "dominated by", "children"):
            right = column in ("retained", "%", "self", "children")
            retainers.add_column(column, justify="right" if right else "left")
        for r in result.retainers:
            retainers.add_row(
                f"{r.retained_size:,}",
                _percent(r.retained_size, result.total_size),
                f"{r.self_size:,}",
                markup_safe(node_label(g, r.node)),
                markup_safe(shorten(node_label(g, r.dominator), 40)),
                f"{r.dominated_count:,}",
            )
        console.print(retainers)
        if result.classes:
            self._classes(console, result)
        if result.unreachable_count:
            console.print(
                f"[yellow]note:[/yellow] {result.unreachable_count:,} node(s) are unreachable from the "
                "root over retaining edges; they are attached to the root, as DevTools does"
            )
        for problem in result.problems:
            console.print(f"[yellow]note:[/yellow] {markup_safe(problem)}")

    def _classes(self, console: Console, result: TopReport) -> None:
        classes = Table(
            title=f"Top {len(result.classes)} of {result.class_count:,} classes by retained size",
            title_justify="left",
        )
        for column in ("class", "count", "distance", "shallow", "retained", "%"):
            classes.add_column(column, justify="left" if column == "class" else "right")
        for c in result.classes:
            classes.add_row(
                markup_safe(shorten(c.class_name, 50)),
                f"{c.count:,}",
                "-" if c.min_distance < 0 else str(c.min_distance),
                f"{c.self_size:,}",
                f"{c.retained_size:,}",
                _percent(c.retained_size, result.total_size),
            )
        console.print(classes)
