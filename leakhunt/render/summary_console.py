"""The ``summary`` report for terminals."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakhunt.analyzers.results import Summary
from leakhunt.graph.core import SourceInfo
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
        _types(console, result)
        if result.classes:
            _classes(console, result)
        _roots(console, result)
        if result.contexts:
            _contexts(console, result)
        else:
            console.print("Contexts: none found")
        if result.external_holders:
            _external_holders(console, result)
        for problem in result.problems:
            console.print(f"[yellow]warning:[/yellow] {console_markup(problem)}")


def _types(console: Console, result: Summary) -> None:
    table = Table()
    table.add_column("type", overflow="fold")
    for column in ("count", "self size"):
        table.add_column(column, justify="right", no_wrap=True)
    for stat in result.types:
        table.add_row(Text(shorten(stat.type_name)), f"{stat.count:,}", f"{stat.self_size:,}")
    print_table(console, "By node type", table)


def _classes(console: Console, result: Summary) -> None:
    title = (
        f"Top {len(result.classes)} of {result.class_count:,} classes by self size "
        "(every node of the class)"
    )
    table = Table()
    table.add_column("class", overflow="fold")
    for column in ("nodes", "self size"):
        table.add_column(column, justify="right", no_wrap=True)
    for cls in result.classes:
        table.add_row(Text(shorten(cls.class_name)), f"{cls.count:,}", f"{cls.self_size:,}")
    print_table(console, title, table)


def _roots(console: Console, result: Summary) -> None:
    table = Table()
    table.add_column("kind", no_wrap=True)
    table.add_column("label", overflow="fold")
    table.add_column("edges", justify="right", no_wrap=True)
    for root in result.roots:
        table.add_row(root.kind.label, Text(shorten(root.label)), f"{root.count:,}")
    print_table(console, "Roots", table)


def _contexts(console: Console, result: Summary) -> None:
    table = Table()
    table.add_column("name", overflow="fold")
    for column in ("kind", "node", "global"):
        table.add_column(column, no_wrap=True)
    table.add_column("attributed nodes", justify="right", no_wrap=True)
    addresses = SourceInfo(result.source_path, result.format, result.engine).ids_are_addresses
    ident = (lambda value: f"0x{value:x}") if addresses else str
    for ctx in result.contexts:
        table.add_row(
            Text(shorten(ctx.name, 50)),
            Text(shorten(ctx.kind)),
            "-" if ctx.node_id is None else ident(ctx.node_id),
            "-" if ctx.global_id is None else ident(ctx.global_id),
            f"{ctx.attributed_nodes:,}",
        )
    print_table(console, "Contexts", table)


def _external_holders(console: Console, result: Summary) -> None:
    title = (
        f"Held from outside the graph: {result.external_holder_count:,} node(s) "
        "whose refcount exceeds the references the log shows"
    )
    table = Table()
    table.add_column("node", overflow="fold")
    table.add_column("unknown refs", justify="right", no_wrap=True)
    table.add_column("known owners", overflow="fold")
    for h in result.external_holders:
        owners = ", ".join(f"0x{o:x}" for o in h.owner_ids[:4])
        more = f" +{len(h.owner_ids) - 4}" if len(h.owner_ids) > 4 else ""
        table.add_row(
            Text(f"{shorten(h.class_name, 30)} 0x{h.node_id:x}"),
            str(h.unknown_references),
            (owners + more) or "none",
        )
    print_table(console, title, table)
