"""``leakhunt isolates``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.isolates import NEAR_DEFAULT, IsolateGroupsReport, roll_up_isolate_groups
from leakhunt.cli.output import open_output
from leakhunt.cli.params import OutputFormat, format_option, output_option
from leakhunt.importers.rootdump import read_root_dump
from leakhunt.render.interface import Renderer
from leakhunt.render.isolates import IsolatesConsoleRenderer, IsolatesJsonRenderer


def _renderer(output_format: OutputFormat, source: str) -> Renderer[IsolateGroupsReport]:
    if output_format is OutputFormat.TEXT:
        return IsolatesConsoleRenderer(source)
    if output_format is OutputFormat.JSON:
        return IsolatesJsonRenderer(source)
    assert_never(output_format)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--near",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=NEAR_DEFAULT,
    show_default=True,
    help="Flag a group (context) whose heaps reach this fraction of its cage (limit).",
)
@click.option(
    "--assume-cage",
    type=click.IntRange(min=1),
    default=None,
    metavar="BYTES",
    help="Cage size for groups whose dump gives none (e.g. 4294967296 to ask whether the "
    "isolates would fit one pointer-compression cage).",
)
@click.option(
    "--fail-on-near", is_flag=True, help="Exit with status 1 when any group is near or over."
)
@format_option
@output_option
def isolates(
    file: str,
    near: float,
    assume_cage: int | None,
    fail_on_near: bool,
    output_format: str,
    output: str | None,
) -> int:
    """Heap use per isolate group against its pointer cage, from a root dump or manifest.

    FILE is a root dump of any kind (docs/rootdump.md); a manifest describes a process whose
    isolates (Node worker_threads, server isolates) were dumped one by one. Each group's
    isolates are listed with their heap sizes; the group's total is set against its cage
    (4 GiB with V8 pointer compression), flagged near or over. Contexts with an embedder limit
    are shown with their usage.

    \b
    Examples:
      leakhunt isolates process.manifest.json
      leakhunt isolates process.manifest.json --assume-cage 4294967296 --format json
      leakhunt isolates quickjs.rootdump.json --near 0.9 --fail-on-near
    """
    dump = read_root_dump(file)
    report = roll_up_isolate_groups(dump.processes, near=near, assume_cage=assume_cage)
    with open_output(output) as out:
        _renderer(OutputFormat(output_format), file).render(report, out)
    return 1 if fail_on_near and report.flagged else 0
