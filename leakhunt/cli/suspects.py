"""``leakhunt suspects``."""

from __future__ import annotations

from typing import assert_never

import click

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.leak_results import SuspectReport
from leakhunt.analyzers.suspects import SuspectOptions, find_suspects
from leakhunt.cache.session import cached_dominators, cached_root_distances
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    format_option,
    input_options,
    load_input,
    output_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.render.interface import Renderer
from leakhunt.render.leak_json import SuspectsJsonRenderer
from leakhunt.render.leak_text import SuspectsTextRenderer


def _renderer(output_format: OutputFormat) -> Renderer[SuspectReport]:
    if output_format is OutputFormat.TEXT:
        return SuspectsTextRenderer()
    if output_format is OutputFormat.JSON:
        return SuspectsJsonRenderer()
    assert_never(output_format)


@click.command()
@input_options
@click.option(
    "--min-share",
    type=click.FloatRange(0, 1),
    default=0.10,
    show_default=True,
    help="Accumulation points and groups: share of the heap they must retain.",
)
@click.option(
    "--min-retained",
    type=click.IntRange(min=0),
    default=16 * 1024,
    show_default=True,
    help="…and bytes they must retain (both must hold).",
)
@click.option(
    "--context-min-retained",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="Closure contexts: bytes an unused variable must keep alive.",
)
@format_option
@output_option
def suspects(
    source: InputChoice,
    min_share: float,
    min_retained: int,
    context_min_retained: int,
    output_format: str,
    output: str | None,
) -> None:
    """Leak suspects in one snapshot, like Eclipse MAT's Leak Suspects report.

    \b
    - accumulation points: where the dominator tree stops narrowing and many objects of one
      class pile up (reported through their first application-level owner, e.g. the Map);
    - groups: many instances of one class mostly owned by one object;
    - closure contexts: a function context kept alive by closures that do not read one of its
      variables (the replaceThing leak); exact when the snapshot has scope sections (Chromium
      15x), otherwise a heuristic that says so;
    - detached DOM subtrees still reachable (Chromium).

    Each suspect has its retained size, holder, evidence, trace and a stable fingerprint.

    \b
    Examples:
      leakhunt suspects app.heapsnapshot
      leakhunt suspects app.heapsnapshot --min-share 0.02 --format json -o suspects.json
    """
    options = SuspectOptions(
        min_share=min_share, min_retained=min_retained, context_min_retained=context_min_retained
    )
    loaded = load_input(source)
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, Semantics.DEVTOOLS, progress)
    distances = cached_root_distances(loaded, include_weak=False)
    report = find_suspects(loaded.graph, tree, options, distances=distances)
    with open_output(output) as out:
        _renderer(OutputFormat(output_format)).render(report, out)
