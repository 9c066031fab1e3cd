"""``leakhunt contexts`` and ``leakhunt zombies``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.contexts import ContextReport, compute_context_report
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.zombies import ZombieReport, find_zombie_contexts
from leakhunt.cache.session import cached_context_analysis, cached_dominators
from leakhunt.cli.diagram_output import DiagramFormat, pick_finding, write_diagram
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    diagram_format_option,
    format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.contexts_console import ContextsConsoleRenderer, ZombiesConsoleRenderer
from leakhunt.render.contexts_json import ContextsJsonRenderer, ZombiesJsonRenderer
from leakhunt.render.finding_figures import zombie_figure
from leakhunt.render.interface import Renderer

__all__ = ["contexts", "zombies"]


def _contexts_renderer(
    output_format: OutputFormat, graph: RetentionGraph
) -> Renderer[ContextReport]:
    if output_format is OutputFormat.TEXT:
        return ContextsConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return ContextsJsonRenderer(graph)
    assert_never(output_format)


def _zombies_renderer(output_format: OutputFormat, graph: RetentionGraph) -> Renderer[ZombieReport]:
    if output_format is OutputFormat.TEXT:
        return ZombiesConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return ZombiesJsonRenderer(graph)
    assert_never(output_format)


@click.command()
@input_options
@format_option
@output_option
def contexts(source: InputChoice, output_format: str, output: str | None) -> None:
    """Per-context memory: attributed, retained as a whole, and what holds each context.

    One row per context (V8 NativeContext: page, iframe, extension, worker, vm; SpiderMonkey
    realm). Retained size counts the context as one object: what cutting every retaining edge
    into it from outside would free (exactly; every other context stays as it is). "held by"
    says whether a holder alive without the context holds its front door (global, global
    proxy, Node's sandbox) or only back doors (objects or functions created inside it,
    cross-compartment wrappers). One pass serves all contexts.

    \b
    Examples:
      leakhunt contexts app.heapsnapshot
      leakhunt contexts firefox.gc.log --format json -o contexts.json
    """
    loaded = load_input(source)
    report = compute_context_report(loaded.graph, cached_context_analysis(loaded))
    with open_output(output) as out:
        _contexts_renderer(OutputFormat(output_format), loaded.graph).render(report, out)


@click.command()
@input_options
@click.option(
    "--expect-dead",
    multiple=True,
    metavar="PATTERN",
    help="Contexts that should be dead: a name pattern (shell wildcards or a substring) or "
    "class:NAME for a marker class. Repeatable.",
)
@click.option(
    "--expect-live",
    multiple=True,
    metavar="PATTERN",
    help="Contexts that should be alive (exempt from the front-door rule). Repeatable.",
)
@click.option(
    "--pick",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --format dot|svg|png: which finding to draw (1 = the biggest).",
)
@diagram_format_option
@output_option
def zombies(
    source: InputChoice,
    expect_dead: tuple[str, ...],
    expect_live: tuple[str, ...],
    pick: int,
    output_format: str,
    output: str | None,
) -> int:
    """Contexts that should be dead but are retained, with the evidence and the holder.

    Evidence, strongest first: (a) the engine or embedder says so (a disposed context, a
    window whose document is detached); (b) you say so (--expect-dead); (c) the front-door
    rule: nothing alive without it holds its front door, so only objects created inside it
    keep it. Each zombie gets its retained size, the shortest path from a GC root with the
    crossing edge marked and its holder named, the root kind and the mechanism (listener,
    Map/Set entry, timer, closure, cross-compartment wrapper). Exit code 1 when any is found.

    \b
    Examples:
      leakhunt zombies app.heapsnapshot
      leakhunt zombies app.heapsnapshot --expect-dead 'vm *Session*' --expect-live 'vm Pool*'
      leakhunt zombies firefox.gc.log --format json -o zombies.json
      leakhunt zombies app.heapsnapshot --format svg -o zombie.svg --pick 2
    """
    loaded = load_input(source)
    report = find_zombie_contexts(
        loaded.graph,
        expect_dead=expect_dead,
        expect_live=expect_live,
        analysis=cached_context_analysis(loaded),
    )
    diagram_format = DiagramFormat.parse(output_format)
    if diagram_format is not None:
        zombie = pick_finding(report.zombies, pick, "zombie context")
        with progress_callback(not source.quiet) as progress:
            tree = cached_dominators(loaded, Semantics.DEVTOOLS, progress)
        write_diagram(
            zombie_figure(loaded.graph, zombie, tree.retained_size), diagram_format, output
        )
        return 1
    with open_output(output) as out:
        _zombies_renderer(OutputFormat(output_format), loaded.graph).render(report, out)
    return 1 if report.zombies else 0
