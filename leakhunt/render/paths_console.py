"""Retaining paths as LeakCanary-style traces."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from leakhunt.analyzers.results import PathReport, RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import edge_label, node_label, shorten

__all__ = ["PathsConsoleRenderer"]


class PathsConsoleRenderer(Renderer[PathReport]):
    """One trace per path: the root kind, each hop with the reference taken, the target last."""

    def __init__(self, graph: RetentionGraph, *, max_targets: int | None = None) -> None:
        self.graph = graph
        self.max_targets = max_targets

    def _trace(self, path: RetentionPath, out: TextIO) -> None:
        g = self.graph
        out.write("┬───\n")
        out.write(f"│ GC Root: {path.root_kind.label} — {shorten(path.root_label, 50)}\n")
        out.write("│\n")
        for node, edge in zip(path.nodes, path.edges, strict=False):
            out.write(f"├─ {node_label(g, node)}\n")
            out.write(f"│    ↓ {edge_label(g, edge)}\n")
        out.write(f"╰→ {node_label(g, path.target)}\n")

    def render(self, result: PathReport, out: TextIO) -> None:
        """Write every path, grouped by target."""
        g = self.graph
        shown = 0
        for target, group in groupby(result.paths, key=lambda p: p.target):
            if self.max_targets is not None and shown >= self.max_targets:
                break
            paths = list(group)
            out.write(f"Retaining paths to {node_label(g, target)}: {len(paths)}\n")
            for index, path in enumerate(paths, 1):
                out.write(f"Path {index} of {len(paths)} ({path.length} references)\n")
                self._trace(path, out)
            out.write("\n")
            shown += 1
        remaining = len({p.target for p in result.paths}) - shown
        if remaining > 0:
            out.write(f"… {remaining} more targets with paths (use --format json for all)\n")
        weak = "" if result.include_weak else " (weak references not followed; try --include-weak)"
        if result.unreachable:
            labels = ", ".join(node_label(g, t) for t in result.unreachable[:10])
            more = (
                f" and {len(result.unreachable) - 10} more" if len(result.unreachable) > 10 else ""
            )
            out.write(f"No strong path from any root{weak}: {labels}{more}\n")
        if result.transient_only:
            out.write(
                f"{len(result.transient_only)} target(s) are held only by roots whose lifetime "
                "the dump does not tell (stack, handle scopes, scoped roots): alive while the "
                "code holding them runs, which may be the whole program; not evidence either way\n"
            )
        out.write(
            f"{len(result.targets)} target(s), {len(result.paths)} path(s), "
            f"{len(result.unreachable)} unreachable\n"
        )
