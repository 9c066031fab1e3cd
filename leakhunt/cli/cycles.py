"""``leakhunt cycles``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.cycles import CyclesReport, find_pinned_cycles
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.cycles import CyclesConsoleRenderer, CyclesJsonRenderer
from leakhunt.render.interface import Renderer


def _renderer(output_format: OutputFormat, graph: RetentionGraph) -> Renderer[CyclesReport]:
    if output_format is OutputFormat.TEXT:
        return CyclesConsoleRenderer(graph)
    if output_format is OutputFormat.JSON:
        return CyclesJsonRenderer(graph)
    assert_never(output_format)


@click.command()
@input_options
@click.option(
    "--fail-on-cycles",
    is_flag=True,
    help="Exit with status 1 when any pinned cycle is found (for CI gates).",
)
@format_option
@output_option
def cycles(
    source: InputChoice, fail_on_cycles: bool, output_format: str, output: str | None
) -> int:
    """Cycles the collector cannot see: loops kept alive only by a handle or by unseen references.

    The core case needs an embedder root dump (--overlay, docs/rootdump.md): a JS object whose
    weak callback frees a native object that holds a strong global handle to something that
    reaches the JS object again. The handle is a root, so none of them ever dies. Firefox CC
    logs and standalone dumps also show nodes held by references the dump cannot see whose
    known owners all sit in a cycle with them. Each cycle is listed hop by hop with the kind of
    every edge, the pin, the bytes only it keeps alive and a fix.

    \b
    Examples:
      leakhunt cycles app.heapsnapshot --overlay app.rootdump.json
      leakhunt cycles quickjs.rootdump.json --format json
      leakhunt cycles firefox.cc.log --fail-on-cycles
    """
    loaded = load_input(source)
    report = find_pinned_cycles(loaded.graph)
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), loaded.graph).render(report, out)
    return 1 if fail_on_cycles and report.cycles else 0
