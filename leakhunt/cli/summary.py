"""``leakhunt summary``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers import summarize
from leakhunt.analyzers.results import Summary
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.options import SummaryOptions
from leakhunt.render import SummaryConsoleRenderer, SummaryJsonRenderer
from leakhunt.render.interface import Renderer


def _renderer(output_format: OutputFormat) -> Renderer[Summary]:
    if output_format is OutputFormat.TEXT:
        return SummaryConsoleRenderer()
    if output_format is OutputFormat.JSON:
        return SummaryJsonRenderer()
    assert_never(output_format)


@click.command()
@input_options
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Classes to list (0: none).",
)
@format_option
@output_option
def summary(
    source: InputChoice,
    top: int,
    output_format: str,
    output: str | None,
) -> None:
    """Counts and sizes of a heap dump: by node type, by class, by root kind, and its contexts.

    \b
    Examples:
      leakhunt summary app.heapsnapshot
      leakhunt summary app.heapsnapshot.gz --top 50
      leakhunt summary app.heapsnapshot --format json -o summary.json
    """
    loaded = load_input(source)
    result = summarize(loaded.graph, SummaryOptions(top=top))
    with open_output(output) as out:
        _renderer(OutputFormat(output_format)).render(result, out)
