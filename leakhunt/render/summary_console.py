"""The ``summary`` report for terminals."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from leakhunt.analyzers.results import Summary
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import shorten
from leakhunt.render.safe_text import console_markup as markup_safe

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
        console = Console(file=out, width=self.width or 100, highlight=False, soft_wrap=False)
        console.print(
            f"[bold]{markup_safe(result.source_path)}[/bold]  ({result.engine}, {result.format})"
        )
        for key, value in result.details:
            console.print(f"  {key}: {markup_safe(value)}")
        console.print(
            f"{result.nodes:,} nodes, {result.edges:,} edges "
            f"({result.weak_edges:,} weak, {result.ephemeron_entries:,} weak-map entries), "
            f"total self size {result.total_self_size:,} B ({format_bytes(result.total_self_size)})"
        )
        types = Table(title="By node type", title_justify="left")
        for column in ("type", "count", "self size"):
            types.add_column(column, justify="left" if column == "type" else "right")
        for stat in result.types:
            types.add_row(markup_safe(stat.type_name), f"{stat.count:,}", f"{stat.self_size:,}")
        console.print(types)
        classes = Table(
            title=f"Top {len(result.classes)} of {result.class_count:,} classes by self size",
            title_justify="left",
        )
        for column in ("class", "count", "self size"):
            classes.add_column(column, justify="left" if column == "class" else "right")
        for cls in result.classes:
            classes.add_row(
                markup_safe(shorten(cls.class_name, 60)), f"{cls.count:,}", f"{cls.self_size:,}"
            )
        console.print(classes)
        roots = Table(title="Roots", title_justify="left")
        for column in ("kind", "label", "edges"):
            roots.add_column(column, justify="right" if column == "edges" else "left")
        for root in result.roots:
            roots.add_row(root.kind.label, markup_safe(shorten(root.label, 60)), f"{root.count:,}")
        console.print(roots)
        if result.contexts:
            contexts = Table(title="Contexts", title_justify="left")
            for column in ("name", "kind", "node", "global", "attributed nodes"):
                contexts.add_column(
                    column, justify="right" if column == "attributed nodes" else "left"
                )
            ident = str if result.engine == "V8" else (lambda value: f"0x{value:x}")
            for ctx in result.contexts:
                contexts.add_row(
                    markup_safe(shorten(ctx.name, 50)),
                    markup_safe(ctx.kind),
                    "-" if ctx.node_id is None else ident(ctx.node_id),
                    "-" if ctx.global_id is None else ident(ctx.global_id),
                    f"{ctx.attributed_nodes:,}",
                )
            console.print(contexts)
        else:
            console.print("Contexts: none found")
        if result.external_holders:
            held = Table(
                title=(
                    f"Held from outside the graph: {result.external_holder_count:,} node(s) "
                    "whose refcount exceeds the references the log shows"
                ),
                title_justify="left",
            )
            for column in ("node", "unknown refs", "known owners"):
                held.add_column(column, justify="right" if column == "unknown refs" else "left")
            for h in result.external_holders:
                owners = ", ".join(f"0x{o:x}" for o in h.owner_ids[:4])
                more = f" +{len(h.owner_ids) - 4}" if len(h.owner_ids) > 4 else ""
                held.add_row(
                    f"{markup_safe(shorten(h.class_name, 30))} 0x{h.node_id:x}",
                    str(h.unknown_references),
                    (owners + more) or "none",
                )
            console.print(held)
        for problem in result.problems:
            console.print(f"[yellow]warning:[/yellow] {markup_safe(problem)}")
