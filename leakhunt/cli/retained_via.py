"""``leakhunt retained-via``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.contexts import unique_context_names
from leakhunt.analyzers.retained_via import (
    RetainedViaQuery,
    RetainedViaReport,
    find_retained_via,
    query_context,
    query_edges,
    query_nodes,
    query_root_kind,
)
from leakhunt.analyzers.selectors import parse_selector, select_nodes
from leakhunt.cache.session import cached_context_analysis
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.errors import SelectorError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind
from leakhunt.render.interface import Renderer
from leakhunt.render.retained_via import RetainedViaConsoleRenderer, RetainedViaJsonRenderer

__all__ = ["retained_via"]


def _context_index(graph: RetentionGraph, name: str) -> tuple[int, str]:
    names = unique_context_names(graph)
    if name in names:
        return names.index(name), name
    hits = [i for i, candidate in enumerate(names) if name in candidate]
    if len(hits) == 1:
        return hits[0], names[hits[0]]
    known = ", ".join(repr(n) for n in names[:10]) or "none"
    problem = "matches several contexts" if hits else "matches no context"
    raise SelectorError(f"--context {name!r} {problem} (contexts: {known})")


def _query(
    graph: RetentionGraph,
    selectors: tuple[str, ...],
    context: str | None,
    root_kind: str | None,
    edges: str | None,
) -> RetainedViaQuery:
    given = sum(bool(x) for x in (selectors, context, root_kind, edges))
    if given != 1:
        raise click.UsageError("give exactly one of SELECTOR..., --context, --root-kind, --edges")
    if context is not None:
        index, name = _context_index(graph, context)
        return query_context(graph, index, name)
    if root_kind is not None:
        return query_root_kind(graph, RootKind.from_label(root_kind))
    if edges is not None:
        return query_edges(graph, edges)
    nodes = select_nodes(graph, [parse_selector(text) for text in selectors])
    return query_nodes(graph, nodes, " ".join(selectors))


def _renderer(output_format: OutputFormat, graph: RetentionGraph) -> Renderer[RetainedViaReport]:
    if output_format is OutputFormat.TEXT:
        return RetainedViaConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return RetainedViaJsonRenderer(graph)
    assert_never(output_format)


@click.command("retained-via")
@input_options
@click.argument("selectors", nargs=-1)
@click.option("--context", default=None, metavar="NAME", help="X = a context (name or part of it).")
@click.option(
    "--root-kind",
    type=click.Choice([kind.label for kind in RootKind]),
    default=None,
    help="X = every root of this kind.",
)
@click.option(
    "--edges", default=None, metavar="REGEX", help="X = every edge whose name matches REGEX."
)
@click.option(
    "--top", type=click.IntRange(min=0), default=20, show_default=True, help="Objects to list."
)
@format_option
@output_option
def retained_via(
    source: InputChoice,
    selectors: tuple[str, ...],
    context: str | None,
    root_kind: str | None,
    edges: str | None,
    top: int,
    output_format: str,
    output: str | None,
) -> None:
    """What only X keeps alive: what becomes unreachable when X's references are removed.

    X is one of: nodes given by SELECTORs (@ID, 0xADDR, class:NAME, name:TEXT; their outgoing
    references are cut), a context (--context: references leaving its objects), a root kind
    (--root-kind: those roots are dropped) or a class of edges (--edges REGEX on edge names).
    X's own objects are counted apart. One reachability pass per query.

    \b
    Examples:
      leakhunt retained-via app.heapsnapshot --edges 'listener|^_events$'
      leakhunt retained-via app.heapsnapshot --root-kind 'strong global handle'
      leakhunt retained-via app.heapsnapshot --context 'vm Sandbox @123'
      leakhunt retained-via app.heapsnapshot class:HTMLDivElement --format json
    """
    loaded = load_input(source)
    query = _query(loaded.graph, selectors, context, root_kind, edges)
    baseline = cached_context_analysis(loaded).reach
    report = find_retained_via(loaded.graph, query, top=top, baseline=baseline)
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), loaded.graph).render(report, out)
