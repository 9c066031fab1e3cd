"""Retaining paths as LeakCanary-style traces, with memlab's retained size on every hop."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import TextIO

import numpy as np
import numpy.typing as npt
from rich.text import Text

from leakhunt.analyzers.results import PathReport, RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.console import is_terminal, text_console, unicode_ok
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import edge_label, node_label, shorten
from leakhunt.render.summary_console import format_bytes

__all__ = ["PathsConsoleRenderer"]


@dataclass(frozen=True, slots=True)
class _Glyphs:
    top: str
    bar: str
    hop: str
    down: str
    last: str
    dash: str


_UNICODE = _Glyphs("┬───", "│", "├─", "↓", "╰→", "—")
_ASCII = _Glyphs("+---", "|", "|-", "v", "`->", "-")


class _Lines:
    """Writes lines: plain to a pipe or file, with emphasis through rich on a terminal."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.console = text_console(out) if is_terminal(out) else None

    def __call__(self, text: str, style: str | None = None) -> None:
        if self.console is None:
            self.out.write(text + "\n")
        else:
            self.console.print(Text(text, style=style or ""), soft_wrap=True)


class PathsConsoleRenderer(Renderer[PathReport]):
    """One trace per path: the root kind, each hop with the reference taken, the target last.

    With ``retained_size`` (indexed by node ordinal) every hop also shows what it retains, so
    the hop where the retained size drops says where the leak's memory hangs.
    """

    def __init__(
        self,
        graph: RetentionGraph,
        *,
        max_targets: int | None = None,
        retained_size: npt.NDArray[np.int64] | None = None,
    ) -> None:
        self.graph = graph
        self.max_targets = max_targets
        self.retained_size = retained_size

    def _node(self, node: int) -> str:
        label = node_label(self.graph, node)
        if self.retained_size is None:
            return label
        return f"{label}  [retains {format_bytes(int(self.retained_size[node]))}]"

    def _trace(self, path: RetentionPath, line: _Lines, glyph: _Glyphs) -> None:
        g = self.graph
        line(glyph.top)
        line(
            f"{glyph.bar} GC Root: {path.root_kind.label} {glyph.dash} "
            f"{shorten(path.root_label, 50)}",
            "bold",
        )
        line(glyph.bar)
        for node, edge in zip(path.nodes, path.edges, strict=False):
            line(f"{glyph.hop} {self._node(node)}")
            line(f"{glyph.bar}    {glyph.down} {edge_label(g, edge)}", "cyan")
        line(f"{glyph.last} {self._node(path.target)}", "bold")

    def render(self, result: PathReport, out: TextIO) -> None:
        """Write every path, grouped by target."""
        g = self.graph
        glyph = _UNICODE if unicode_ok(out) else _ASCII
        line = _Lines(out)
        shown = 0
        for target, group in groupby(result.paths, key=lambda p: p.target):
            if self.max_targets is not None and shown >= self.max_targets:
                break
            paths = list(group)
            line(f"Retaining paths to {node_label(g, target)}: {len(paths)}", "bold")
            for index, path in enumerate(paths, 1):
                line(f"Path {index} of {len(paths)} ({path.length} references)")
                self._trace(path, line, glyph)
            line("")
            shown += 1
        remaining = len({p.target for p in result.paths}) - shown
        if remaining > 0:
            line(f"… {remaining} more targets with paths (use --format json for all)")
        weak = "" if result.include_weak else " (weak references not followed; try --include-weak)"
        if result.unreachable:
            labels = ", ".join(node_label(g, t) for t in result.unreachable[:10])
            more = (
                f" and {len(result.unreachable) - 10} more" if len(result.unreachable) > 10 else ""
            )
            line(f"No strong path from any root{weak}: {labels}{more}", "yellow")
        if result.transient_only:
            line(
                f"{len(result.transient_only)} target(s) are held only by roots whose lifetime "
                "the dump does not tell (stack, handle scopes, scoped roots): alive while the "
                "code holding them runs, which may be the whole program; not evidence either way",
                "yellow",
            )
        line(
            f"{len(result.targets)} target(s), {len(result.paths)} path(s), "
            f"{len(result.unreachable)} unreachable"
        )
