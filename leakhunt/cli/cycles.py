"""``leakhunt cycles``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.cycles import CyclesReport, find_pinned_cycles
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.cache.session import cached_dominators
from leakhunt.cli.diagram_output import DiagramFormat, pick_finding, write_diagram
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    diagram_format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.cycles import CyclesConsoleRenderer, CyclesJsonRenderer
from leakhunt.render.finding_figures import pinned_cycle_figure
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
@click.option(
    "--pick",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --format dot|svg|png: which finding to draw (1 = the biggest).",
)
@diagram_format_option
@output_option
def cycles(
    source: InputChoice,
    fail_on_cycles: bool,
    pick: int,
    output_format: str,
    output: str | None,
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
      leakhunt cycles app.heapsnapshot --overlay app.rootdump.json --format svg -o cycle.svg
    """
    loaded = load_input(source)
    report = find_pinned_cycles(loaded.graph)
    diagram_format = DiagramFormat.parse(output_format)
    if diagram_format is not None:
        cycle = pick_finding(report.cycles, pick, "pinned cycle")
        with progress_callback(not source.quiet) as progress:
            tree = cached_dominators(loaded, Semantics.DEVTOOLS, progress)
        figure = pinned_cycle_figure(loaded.graph, cycle, tree.retained_size)
        write_diagram(figure, diagram_format, output)
    else:
        with open_output(output) as out:
            _renderer(OutputFormat(output_format), loaded.graph).render(report, out)
    return 1 if fail_on_cycles and report.cycles else 0
