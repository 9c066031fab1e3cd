"""``leakhunt show``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.neighbours import NodeReport, find_neighbours
from leakhunt.analyzers.selectors import parse_selector
from leakhunt.cache.session import cached_dominators
from leakhunt.cli.output import open_output, warn
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
    select_or_warn,
    semantics_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.retainers import build_retainers
from leakhunt.render.interface import Renderer
from leakhunt.render.show_console import ShowConsoleRenderer
from leakhunt.render.show_json import ShowJsonRenderer


def _renderer(output_format: OutputFormat, graph: RetentionGraph) -> Renderer[NodeReport]:
    if output_format is OutputFormat.TEXT:
        return ShowConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return ShowJsonRenderer(graph)
    assert_never(output_format)


@click.command()
@input_options
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Edges listed in each direction.",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Edges skipped in each direction (the next page starts at offset + limit).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Nodes shown when the selectors match several.",
)
@semantics_option
@format_option
@output_option
def show(
    source: InputChoice,
    targets: tuple[str, ...],
    limit: int,
    offset: int,
    max_nodes: int,
    semantics: str,
    output_format: str,
    output: str | None,
) -> None:
    """One node's references, out and in: DevTools' Containment and Retainers views.

    TARGETS are selectors as for paths (@ID, 0xADDR, class:NAME, type:TYPE, name:SUBSTRING).
    For each node: its type, sizes, distance, dominator and context; then every edge it
    holds (name, kind, target, the target's sizes) in the engine's order, and every edge
    holding it, closest to a root first. Long lists come a page at a time.

    \b
    Examples:
      leakhunt show app.heapsnapshot @78371
      leakhunt show app.heapsnapshot @6051 --limit 20 --offset 40
      leakhunt show gnome-shell.heap 0x7f3a2c0b1040 --format json
    """
    selectors = [parse_selector(t) for t in targets]
    loaded = load_input(source)
    graph = loaded.graph
    nodes = select_or_warn(graph, selectors)
    if nodes.size > max_nodes:
        warn(
            f"{nodes.size:,} nodes match; showing the first {max_nodes} "
            "(--max-nodes, or pick one by @ID / 0xADDR)"
        )
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, Semantics(semantics), progress)
    retainers = build_retainers(graph)
    pages = tuple(
        find_neighbours(
            graph, node, limit=limit, offset=offset, distance=tree.distance, retainers=retainers
        )
        for node in nodes[:max_nodes].tolist()
    )
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), graph).render(NodeReport(pages, tree), out)
