"""``leakhunt top``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.top import TopReport, find_top_retainers
from leakhunt.cache.session import cached_class_columns, cached_dominators
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
    semantics_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.render import TopConsoleRenderer, TopJsonRenderer
from leakhunt.render.interface import Renderer


def _renderer(output_format: OutputFormat, graph: RetentionGraph) -> Renderer[TopReport]:
    if output_format is OutputFormat.TEXT:
        return TopConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return TopJsonRenderer(graph)
    assert_never(output_format)


@click.command()
@input_options
@semantics_option
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Retainers to list (0: none).",
)
@click.option(
    "--classes",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Classes to list (0: none).",
)
@format_option
@output_option
def top(
    source: InputChoice,
    semantics: str,
    top: int,
    classes: int,
    output_format: str,
    output: str | None,
) -> None:
    """The biggest retainers (dominator tree by retained size) and a class table like DevTools' Summary.

    Retained sizes follow Chrome DevTools by default (the same numbers its Memory panel shows);
    --semantics memlab gives memlab's plain dominator tree from the GC roots. Every report says
    which rule set produced it. The first run stores the results in the index cache.

    \b
    Examples:
      leakhunt top app.heapsnapshot
      leakhunt top app.heapsnapshot --top 50 --classes 0
      leakhunt top app.heapsnapshot --semantics memlab --format json -o top.json
    """
    loaded = load_input(source)
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, Semantics(semantics), progress)
    columns = cached_class_columns(loaded, tree)
    report = find_top_retainers(
        loaded.graph, tree, top=top, class_top=classes, class_columns=columns
    )
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), loaded.graph).render(report, out)
