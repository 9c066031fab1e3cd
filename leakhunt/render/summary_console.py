"""The ``summary`` report for terminals."""

from __future__ import annotations

from typing import TextIO

from rich.table import Table
from rich.text import Text

from leakhunt.analyzers.results import Summary
from leakhunt.render.console import print_table, text_console
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import shorten
from leakhunt.render.safe_text import console_markup

__all__ = ["SummaryConsoleRenderer", "format_bytes"]


def format_bytes(size: int) -> str:
    """Bytes in binary units.

    >>> format_bytes(512), format_bytes(2048), format_bytes(5 * 1024 * 1024)
    ('512 B', '2.0 KiB', '5.0 MiB')
    """
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class SummaryConsoleRenderer(Renderer[Summary]):
    """Tables of types, classes, roots and contexts."""

    def __init__(self, width: int | None = None) -> None:
        self.width = width

    def render(self, result: Summary, out: TextIO) -> None:
        """Write the summary."""
        console = text_console(out, width=self.width)
        console.print(
            f"[bold]{console_markup(result.source_path)}[/bold]  "
            f"({console_markup(result.engine)}, {console_markup(result.format)})"
        )
        for key, value in result.details:
            console.print(Text(f"  {shorten(key)}: {shorten(value, 200)}"))
        console.print(
            f"{result.nodes:,} nodes, {result.edges:,} edges "
            f"({result.weak_edges:,} weak, {result.ephemeron_entries:,} weak-map entries), "
            f"total self size {result.total_self_size:,} B ({format_bytes(result.total_self_size)})"
        )
        types_title = "By node type"
        types = Table()
        for column in ("type", "count", "self size"):
            types.add_column(column, justify="left" if column == "type" else "right")
        for stat in result.types:
            types.add_row(Text(shorten(stat.type_name)), f"{stat.count:,}", f"{stat.self_size:,}")
        print_table(console, types_title, types)
        if result.classes:
            classes_title = (
                f"Top {len(result.classes)} of {result.class_count:,} classes by self size "
                "(every node of the class)"
            )
            classes = Table()
            classes.add_column("class", overflow="fold")
            for column in ("nodes", "self size"):
                classes.add_column(column, justify="right", no_wrap=True)
            for cls in result.classes:
                classes.add_row(
                    Text(shorten(cls.class_name)), f"{cls.count:,}", f"{cls.self_size:,}"
                )
            print_table(console, classes_title, classes)
        roots_title = "Roots"
        roots = Table()
        for column in ("kind", "label", "edges"):
            roots.add_column(column, justify="right" if column == "edges" else "left")
        for root in result.roots:
            roots.add_row(root.kind.label, Text(shorten(root.label)), f"{root.count:,}")
        print_table(console, roots_title, roots)
        if result.contexts:
            contexts_title = "Contexts"
            contexts = Table()
            for column in ("name", "kind", "node", "global", "attributed nodes"):
                contexts.add_column(
                    column, justify="right" if column == "attributed nodes" else "left"
                )
            ident = str if result.engine == "V8" else (lambda value: f"0x{value:x}")
            for ctx in result.contexts:
                contexts.add_row(
                    Text(shorten(ctx.name, 50)),
                    Text(shorten(ctx.kind)),
                    "-" if ctx.node_id is None else ident(ctx.node_id),
                    "-" if ctx.global_id is None else ident(ctx.global_id),
                    f"{ctx.attributed_nodes:,}",
                )
            print_table(console, contexts_title, contexts)
        else:
            console.print("Contexts: none found")
        if result.external_holders:
            held_title = (
                f"Held from outside the graph: {result.external_holder_count:,} node(s) "
                "whose refcount exceeds the references the log shows"
            )
            held = Table()
            for column in ("node", "unknown refs", "known owners"):
                held.add_column(column, justify="right" if column == "unknown refs" else "left")
            for h in result.external_holders:
                owners = ", ".join(f"0x{o:x}" for o in h.owner_ids[:4])
                more = f" +{len(h.owner_ids) - 4}" if len(h.owner_ids) > 4 else ""
                held.add_row(
                    Text(f"{shorten(h.class_name, 30)} 0x{h.node_id:x}"),
                    str(h.unknown_references),
                    (owners + more) or "none",
                )
            print_table(console, held_title, held)
        for problem in result.problems:
            console.print(f"[yellow]warning:[/yellow] {console_markup(problem)}")
