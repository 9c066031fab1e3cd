"""``show`` for terminals: one node, then its Containment and Retainers tables."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.analyzers.neighbours import Neighbours, NodeReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.console import print_table, text_console
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import node_label, shorten
from leakhunt.render.safe_text import console_markup

__all__ = ["ShowConsoleRenderer"]


def _kind(graph: RetentionGraph, edge: int) -> str:
    return EdgeKind(int(graph.edge_kind[edge])).name.lower()


class ShowConsoleRenderer(Renderer[NodeReport]):
    """A header per node (sizes, distance, dominator, context), then its edges out and in."""

    def __init__(self, graph: RetentionGraph, width: int | None = None) -> None:
        self.graph = graph
        self.width = width

    def render(self, result: NodeReport, out: TextIO) -> None:
        """Write every page."""
        console = text_console(out, width=self.width)
        for page in result.pages:
            self._header(console, page.node, result.tree)
            self._edges(console, page, result.tree, outgoing=True)
            self._edges(console, page, result.tree, outgoing=False)

    def _header(self, console: Console, node: int, tree: DominatorTree) -> None:
        g = self.graph
        console.print(f"[bold]{console_markup(node_label(g, node))}[/bold]")
        context = int(g.node_context[node])
        facts = [
            f"type {shorten(g.type_names[int(g.node_type[node])])}",
            f"self size {int(g.node_self_size[node]):,} B",
            f"shallow {int(tree.self_size_used[node]):,} B",
            f"retained {int(tree.retained_size[node]):,} B ({tree.semantics.value})",
            f"distance {int(tree.distance[node])}",
        ]
        console.print(Text("  " + ", ".join(facts)))
        console.print(Text(f"  dominated by {node_label(g, int(tree.idom[node]))}"))
        if context >= 0:
            console.print(Text(f"  context {shorten(g.contexts.name[context])}"))

    def _edges(
        self, console: Console, page: Neighbours, tree: DominatorTree, *, outgoing: bool
    ) -> None:
        g = self.graph
        edges = page.outgoing if outgoing else page.incoming
        total = page.outgoing_total if outgoing else page.incoming_total
        others = [int(g.edge_target[e]) for e in edges] if outgoing else list(page.incoming_sources)
        what = "References (Containment)" if outgoing else "Referenced by (Retainers)"
        shown = f"{page.offset + 1}-{page.offset + len(edges)} of {total:,}" if edges else "none"
        title = f"{what}: {shown}" if total else f"{what}: none"
        if not edges:
            console.print(Text(title, style="italic"))
            if total:
                console.print(Text(f"  (offset {page.offset} is past the last edge)"))
            return
        table = Table()
        table.add_column("edge", overflow="fold")
        table.add_column("kind", no_wrap=True)
        table.add_column("to" if outgoing else "from", overflow="fold")
        for column in ("self", "retained", "distance"):
            table.add_column(column, justify="right", no_wrap=True)
        for edge, other in zip(edges, others, strict=True):
            table.add_row(
                Text(shorten(g.edge_name_text(edge), 50)),
                _kind(g, edge),
                Text(node_label(g, other)),
                f"{int(g.node_self_size[other]):,}",
                f"{int(tree.retained_size[other]):,}",
                str(int(tree.distance[other])),
            )
        print_table(console, title, table)
        rest = total - page.offset - len(edges)
        if rest > 0:
            console.print(
                Text(f"  … {rest:,} more (--offset {page.offset + len(edges)})", style="dim")
            )
