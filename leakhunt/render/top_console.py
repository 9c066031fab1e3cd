"""The ``top`` report for terminals: biggest retainers and the class table."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakhunt.analyzers.top import TopReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.console import print_source, print_table, text_console
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import node_label, shorten
from leakhunt.render.safe_text import console_markup
from leakhunt.render.summary_console import format_bytes

__all__ = ["TopConsoleRenderer", "semantics_note"]


def semantics_note(semantics: str, engine: str = "V8", ownership_applied: bool = True) -> str:
    """One line saying which rule set produced retained sizes, and what it means for ``engine``.

    >>> semantics_note("devtools")
    'Chrome DevTools semantics (shallow sizes of internal arrays charged to their owner)'
    >>> print(semantics_note("devtools", "SpiderMonkey", ownership_applied=False))
    Chrome DevTools' rules applied to a SpiderMonkey graph (DevTools cannot read it): weak \
and weak-map table edges do not retain, dominators are taken from the super root, sizes as \
the dump gives them
    """
    if semantics == "memlab":
        return "memlab semantics (plain dominator tree from the GC roots, engine-reported sizes)"
    if engine == "V8":
        if ownership_applied:
            return "Chrome DevTools semantics (shallow sizes of internal arrays charged to their owner)"
        return "Chrome DevTools semantics (no user root: sizes as the snapshot gives them)"
    sizes = (
        "DevTools' shallow-size ownership step applied"
        if ownership_applied
        else "sizes as the dump gives them"
    )
    return (
        f"Chrome DevTools' rules applied to a {engine} graph (DevTools cannot read it): weak and "
        f"weak-map table edges do not retain, dominators are taken from the super root, {sizes}"
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


class TopConsoleRenderer(Renderer[TopReport]):
    """Two tables: the largest retainers, then classes by retained size.

    Node columns shrink with an ellipsis on a narrow terminal; numbers never do.
    """

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: TopReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        console = text_console(out, width=self.width)
        print_source(console, g.source)
        note = semantics_note(result.semantics.value, g.source.engine, result.ownership_applied)
        console.print(Text(f"Retained sizes: {note}"))
        console.print(f"Total: {result.total_size:,} B ({format_bytes(result.total_size)})")
        if result.total_size == 0:
            console.print(
                "[yellow]note:[/yellow] this dump records no sizes, so every retained size is 0; "
                "the dominator tree (dominated by, children) still holds"
            )
        if result.retainers:
            self._retainers(console, result)
        if result.classes:
            self._classes(console, result)
        for problem in result.problems:
            console.print(f"[yellow]note:[/yellow] {console_markup(problem)}")

    def _retainers(self, console: Console, result: TopReport) -> None:
        g = self.graph
        retainers_title = f'Top {len(result.retainers)} retainers (node: class "name" @id)'
        retainers = Table()
        for column in ("retained", "%", "self"):
            retainers.add_column(column, justify="right", no_wrap=True)
        retainers.add_column("node", overflow="fold")
        retainers.add_column("dominated by", overflow="fold")
        retainers.add_column("children", justify="right", no_wrap=True)
        for r in result.retainers:
            retainers.add_row(
                f"{r.retained_size:,}",
                _percent(r.retained_size, result.total_size),
                f"{r.self_size:,}",
                Text(node_label(g, r.node)),
                Text(shorten(node_label(g, r.dominator), 40)),
                f"{r.dominated_count:,}",
            )
        print_table(console, retainers_title, retainers)

    def _classes(self, console: Console, result: TopReport) -> None:
        classes_title = (
            f"Top {len(result.classes)} of {result.class_count:,} classes by retained size "
            "(as DevTools' Summary: objects with a non-zero shallow size)"
        )
        classes = Table()
        classes.add_column("class", overflow="fold")
        for column in ("objects", "distance", "shallow", "retained", "%"):
            classes.add_column(column, justify="right", no_wrap=True)
        for c in result.classes:
            classes.add_row(
                Text(shorten(c.class_name, 50)),
                f"{c.count:,}",
                "-" if c.min_distance < 0 else str(c.min_distance),
                f"{c.self_size:,}",
                f"{c.retained_size:,}",
                _percent(c.retained_size, result.total_size),
            )
        print_table(console, classes_title, classes)
