"""``contexts`` and ``zombies`` for terminals, as plain aligned text.

Plain text rather than rich tables: a snapshot may hold thousands of contexts and zombies, and
rich lays out a table row in about a millisecond. Heap text goes through ``visible()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import numpy as np

from leakhunt.analyzers.context_results import ContextReport, ContextRow
from leakhunt.analyzers.zombies import Zombie, ZombieReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind
from leakhunt.render.console import source_lines
from leakhunt.render.contexts_json import edge_source
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import edge_label, node_label, shorten
from leakhunt.render.safe_text import visible
from leakhunt.render.summary_console import format_bytes

__all__ = ["ContextsConsoleRenderer", "ZombiesConsoleRenderer", "text_table"]

_SEMANTICS = (
    "Retained: what cutting every retaining edge into the context would free, the context and "
    "every other context each counted as one object."
)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Columns padded to their widest cell; ``right`` lists right-aligned column indices.

    >>> print(text_table(["a", "n"], [["x", "1"], ["yy", "10"]], {1}))
    a    n
    x    1
    yy  10
    """
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for cells in (header, *rows):
        parts = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _held(graph: RetentionGraph, row: ContextRow) -> str:
    if not row.reachable:
        return "not reachable"
    if not row.front_door_held:
        return "back doors only"
    if not row.front_door_holders:
        return "front door"
    edge = row.front_door_holders[0]
    rows = np.flatnonzero(graph.roots.edge == edge)
    if rows.size:  # a root holds it directly: name the root, not the synthetic node
        kind = RootKind(int(graph.roots.kind[rows[0]])).label
        return f"front door: root ({kind}) {shorten(graph.strings[int(graph.roots.label[rows[0]])], 30)}"
    holder = node_label(graph, edge_source(graph, edge))
    return "front door: " + shorten(holder, 40)


def _entering(row: ContextRow) -> str:
    parts = [f"{shorten(label, 30)} {count:,}" for label, count in row.entering[:3]]
    more = len(row.entering) - 3
    return ", ".join(parts) + (f", +{more} more" if more > 0 else "")


def _header(graph: RetentionGraph) -> str:
    return "".join(f"{line}\n" for line in source_lines(graph.source))


class ContextsConsoleRenderer(Renderer[ContextReport]):
    """One row per context, then the three buckets and the engine's notes."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: ContextReport, out: TextIO) -> None:
        """Write the report."""
        g = self.graph
        out.write(_header(g))
        out.write(f"{len(result.rows)} context(s). {_SEMANTICS}\n\n")
        limits = any(r.memory_limit is not None or r.memory_used is not None for r in result.rows)
        header = ["name", "role", "state", "objects", "self", "retained", "held by"]
        header += ["root kinds", "entering from"]
        if limits:
            header += ["limit", "used"]
        rows = []
        for row in result.rows:
            cells = [
                visible(shorten(row.name, 60)),
                row.role,
                row.state,
                f"{row.objects:,}",
                f"{row.self_size:,}",
                f"{row.retained_size:,}",
                visible(_held(g, row)),
                ", ".join(kind.label for kind in row.root_kinds) or "-",
                visible(_entering(row)),
            ]
            if limits:
                used = (
                    f"{row.self_size:,} (attributed)"
                    if row.memory_used is None
                    else f"{row.memory_used:,}"
                )
                limit = "-" if row.memory_limit is None else f"{row.memory_limit:,}"
                cells += [limit, f"{used} OVER LIMIT" if row.over_limit else used]
            rows.append(cells)
        numeric = {3, 4, 5} | ({9, 10} if limits else set())
        out.write(text_table(header, rows, numeric) + "\n\n")
        b = result.buckets
        out.write(
            f"Attributed {b.attributed_size:,} B ({format_bytes(b.attributed_size)}, "
            f"{b.attributed_objects:,} nodes) · shared {b.shared_size:,} B "
            f"({b.shared_objects:,} nodes) · unattributed {b.unattributed_size:,} B "
            f"({b.unattributed_objects:,} nodes)\n"
        )
        notes: dict[str, list[str]] = {}
        for row in result.rows:
            if row.state_note:
                notes.setdefault(row.state_note, []).append(row.name)
        for note, names in notes.items():
            who = names[0] if len(names) == 1 else f"{len(names)} contexts"
            out.write(f"note: {visible(who)}: {visible(note)}\n")


class ZombiesConsoleRenderer(Renderer[ZombieReport]):
    """Each zombie: size, evidence, mechanism, holder, and the path with the crossing marked."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: ZombieReport, out: TextIO) -> None:
        """Write the report."""
        out.write(_header(self.graph))
        count = len(result.zombies)
        order = ", largest first" if count > 1 else ""
        out.write(f"{count} zombie context(s) of {len(result.contexts.rows)}{order}\n")
        for index, zombie in enumerate(result.zombies, 1):
            out.write("\n")
            self._zombie(out, index, zombie)
        for pattern in result.unmatched_patterns:
            out.write(f"note: pattern {visible(repr(pattern))} matched no context\n")

    def _zombie(self, out: TextIO, index: int, zombie: Zombie) -> None:
        g = self.graph
        row = zombie.row
        lines = [
            f"{index}. {visible(zombie.name)} — retained {row.retained_size:,} B "
            f"({format_bytes(row.retained_size)}), {row.retained_objects:,} nodes"
        ]
        lines += [f"   evidence ({e.kind.value}): {visible(e.detail)}" for e in zombie.evidence]
        where = f" in {zombie.holder_context}" if zombie.holder_context else ""
        lines.append(
            f"   mechanism: {zombie.mechanism.value} — "
            f"{visible(node_label(g, zombie.mechanism_node) + where)}"
        )
        if zombie.crossing >= 0:
            lines.append(
                f"   held by: {visible(node_label(g, zombie.holder) + where)} "
                f"{visible(edge_label(g, zombie.crossing_edge))}"
            )
        lines.append(f"   root: {zombie.root_kind.label} — {visible(zombie.root_label)}")
        for step, node in enumerate(zombie.path_nodes):
            lines.append(f"     {visible(node_label(g, node))}")
            if step >= len(zombie.path_edges):
                continue
            label = visible(edge_label(g, zombie.path_edges[step]))
            if step == zombie.crossing:
                lines.append(f"       {label}   ◀━━ crossing edge (into zombie territory)")
            elif step == zombie.entry:
                lines.append(f"       {label}   ◀── enters {visible(zombie.name)}")
            else:
                lines.append(f"       {label}")
        out.write("\n".join(lines) + "\n")
