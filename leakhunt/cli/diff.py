"""``leakhunt diff``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.leak_results import DiffReport
from leakhunt.cli.diagram_output import DiagramFormat, pick_finding, write_diagram
from leakhunt.cli.output import open_output
from leakhunt.cli.params import OutputFormat, diagram_format_option, output_option
from leakhunt.cli.snapshots import LoadChoice, load_options
from leakhunt.importers import sniff_format
from leakhunt.render.interface import Renderer
from leakhunt.render.leak_json import DiffJsonRenderer, diff_document
from leakhunt.render.leak_text import DiffTextRenderer
from leakhunt.render.report.findings import trace_diagram

_FILE = click.Path(exists=True, dir_okay=False)


def _renderer(output_format: OutputFormat, growth_rows: int) -> Renderer[DiffReport]:
    if output_format is OutputFormat.TEXT:
        return DiffTextRenderer(growth_rows)
    if output_format is OutputFormat.JSON:
        return DiffJsonRenderer()
    assert_never(output_format)


@click.command()
@click.argument("base", type=_FILE)
@click.argument("target", type=_FILE)
@click.argument("final", type=_FILE, required=False)
@load_options
@click.option(
    "--growth-rows",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Classes listed in the growth table (text output).",
)
@click.option(
    "--pick",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --format dot|svg|png: which cluster's representative path to draw (1 = the biggest).",
)
@diagram_format_option
@output_option
def diff(
    base: str,
    target: str,
    final: str | None,
    load: LoadChoice,
    growth_rows: int,
    pick: int,
    output_format: str,
    output: str | None,
) -> None:
    """What changed between snapshots: leak clusters with traces, and class growth.

    With three snapshots (memlab's method): BASE before an action, TARGET after it, FINAL after
    undoing it. Objects allocated between BASE and TARGET and still alive in FINAL are leaked;
    objects freed before FINAL are transient and never reported. Leaked objects are clustered
    by the shape of their retaining path (indices and ids removed): one cluster per mechanism,
    with its count, retained size, a representative trace and a stable fingerprint.

    With two snapshots, the objects allocated between them are listed the same way (transient
    ones included). V8 objects are matched by node id and class; SpiderMonkey dumps by address
    only within one log file, and otherwise by class growth alone.

    \b
    Examples:
      leakhunt diff base.heapsnapshot target.heapsnapshot final.heapsnapshot
      leakhunt diff before.heapsnapshot after.heapsnapshot --format json -o diff.json
      leakhunt diff shell.log shell.log --dumps 0,1
      leakhunt diff base.hs target.hs final.hs --format svg -o cluster.svg
    """
    files = [base, target] + ([final] if final is not None else [])
    report = load.diff(files)
    diagram_format = DiagramFormat.parse(output_format)
    if diagram_format is not None:
        cluster = pick_finding(diff_document(report)["clusters"], pick, "leak cluster")
        title = f"Representative path of {cluster['count']:,} leaked {cluster['class']}"
        hex_ids = sniff_format(files[-1]) != "v8-heapsnapshot"
        write_diagram(
            trace_diagram(cluster["trace"], title, hex_ids=hex_ids), diagram_format, output
        )
        return
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), growth_rows).render(report, out)
