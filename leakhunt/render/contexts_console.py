"""``contexts`` and ``zombies`` for terminals. Heap text is made inert with ``console_markup``."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from leakhunt.analyzers.contexts import ContextReport, ContextRow
from leakhunt.analyzers.zombies import Zombie, ZombieReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.contexts_json import edge_source
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import edge_label, node_label, shorten
from leakhunt.render.safe_text import console_markup
from leakhunt.render.summary_console import format_bytes

__all__ = ["ContextsConsoleRenderer", "ZombiesConsoleRenderer"]

_SEMANTICS = (
    "Retained: what cutting every retaining edge into the context would free, the context and "
    "every other context each counted as one object."
)


def _held(graph: RetentionGraph, row: ContextRow) -> str:
    if not row.reachable:
        return "not reachable"
    if not row.front_door_held:
        return "back doors only"
    edge = row.front_door_holders[0]
    return "front door: " + shorten(node_label(graph, edge_source(graph, edge)), 40)


def _entering(row: ContextRow) -> str:
    parts = [f"{shorten(label, 30)} {count:,}" for label, count in row.entering[:3]]
    more = len(row.entering) - 3
    return ", ".join(parts) + (f", +{more} more" if more > 0 else "")


def _console(out: TextIO, width: int | None) -> Console:
    return Console(file=out, width=width or 160, highlight=False, soft_wrap=False)


class ContextsConsoleRenderer(Renderer[ContextReport]):
    """One table row per context, then the three buckets and the engine's notes."""

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: ContextReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        console = _console(out, self.width)
        console.print(
            f"[bold]{console_markup(g.source.path)}[/bold]  ({g.source.engine}, {g.source.format})"
        )
        console.print(f"{len(result.rows)} context(s). {_SEMANTICS}")
        limits = any(r.memory_limit is not None or r.memory_used is not None for r in result.rows)
        table = Table(title_justify="left")
        columns = ["name", "role", "state", "objects", "self", "retained", "held by", "root kinds"]
        columns += ["entering from"]
        if limits:
            columns += ["limit", "used"]
        for column in columns:
            numeric = column in ("objects", "self", "retained", "limit", "used")
            table.add_column(column, justify="right" if numeric else "left")
        for row in result.rows:
            cells = [
                console_markup(shorten(row.name, 50)),
                row.role,
                row.state,
                f"{row.objects:,}",
                f"{row.self_size:,}",
                f"{row.retained_size:,}",
                console_markup(_held(g, row)),
                ", ".join(kind.label for kind in row.root_kinds) or "-",
                console_markup(_entering(row)),
            ]
            if limits:
                used = "-" if row.memory_used is None else f"{row.memory_used:,}"
                cells += [
                    "-" if row.memory_limit is None else f"{row.memory_limit:,}",
                    f"[red]{used} over[/red]" if row.over_limit else used,
                ]
            table.add_row(*cells)
        console.print(table)
        b = result.buckets
        console.print(
            f"Attributed {b.attributed_size:,} B ({format_bytes(b.attributed_size)}, "
            f"{b.attributed_objects:,} nodes) · shared {b.shared_size:,} B "
            f"({b.shared_objects:,} nodes) · unattributed {b.unattributed_size:,} B "
            f"({b.unattributed_objects:,} nodes)"
        )
        notes: dict[str, list[str]] = {}
        for row in result.rows:
            if row.state_note:
                notes.setdefault(row.state_note, []).append(row.name)
        for note, names in notes.items():
            who = names[0] if len(names) == 1 else f"{len(names)} contexts"
            console.print(f"[yellow]note:[/yellow] {console_markup(who)}: {console_markup(note)}")


class ZombiesConsoleRenderer(Renderer[ZombieReport]):
    """Each zombie: size, evidence, mechanism, holder, and the path with the crossing marked."""

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: ZombieReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        console = _console(out, self.width)
        console.print(
            f"[bold]{console_markup(g.source.path)}[/bold]  ({g.source.engine}, {g.source.format})"
        )
        count = len(result.zombies)
        console.print(
            f"{count} zombie context(s) of {len(result.contexts.rows)}"
            + (", largest first" if count > 1 else "")
        )
        for index, zombie in enumerate(result.zombies, 1):
            self._zombie(console, index, zombie)
        for pattern in result.unmatched_patterns:
            console.print(
                f"[yellow]note:[/yellow] pattern {console_markup(repr(pattern))} matched no context"
            )

    def _zombie(self, console: Console, index: int, zombie: Zombie) -> None:
        g = self.graph
        row = zombie.row
        console.print()
        console.print(
            f"[bold]{index}. {console_markup(zombie.name)}[/bold] — retained "
            f"{row.retained_size:,} B ({format_bytes(row.retained_size)}), "
            f"{row.retained_objects:,} nodes"
        )
        for evidence in zombie.evidence:
            console.print(f"   evidence ({evidence.kind.value}): {console_markup(evidence.detail)}")
        where = f" in {zombie.holder_context}" if zombie.holder_context else ""
        console.print(
            f"   mechanism: {zombie.mechanism.value} — "
            f"{console_markup(node_label(g, zombie.mechanism_node) + where)}"
        )
        if zombie.crossing >= 0:
            console.print(
                f"   held by: {console_markup(node_label(g, zombie.holder) + where)} "
                f"{console_markup(edge_label(g, zombie.crossing_edge))}"
            )
        console.print(f"   root: {zombie.root_kind.label} — {console_markup(zombie.root_label)}")
        for step, node in enumerate(zombie.path_nodes):
            console.print(f"     {console_markup(node_label(g, node))}")
            if step < len(zombie.path_edges):
                label = console_markup(edge_label(g, zombie.path_edges[step]))
                if step == zombie.crossing:
                    console.print(
                        f"       [bold red]{label}   ◀━━ crossing edge (into zombie territory)"
                        "[/bold red]"
                    )
                elif step == zombie.entry:
                    console.print(f"       {label}   ◀── enters {console_markup(zombie.name)}")
                else:
                    console.print(f"       {label}")
