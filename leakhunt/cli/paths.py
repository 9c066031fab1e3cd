"""``leakhunt paths``."""

from __future__ import annotations

from typing import assert_never

import click
import numpy as np
import numpy.typing as npt

from leakhunt.analyzers import find_retaining_paths
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.results import PathReport
from leakhunt.analyzers.selectors import parse_selector
from leakhunt.cache.session import cached_dominators, cached_root_distances
from leakhunt.cli.diagram_output import DiagramFormat, write_diagram
from leakhunt.cli.output import open_output
from leakhunt.cli.params import (
    InputChoice,
    OutputFormat,
    diagram_format_option,
    input_options,
    load_input,
    output_option,
    select_or_warn,
    semantics_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.options import PathOptions
from leakhunt.render import PathsConsoleRenderer, PathsJsonRenderer
from leakhunt.render.interface import Renderer
from leakhunt.render.merged_paths import merged_paths_diagram, merged_tree_diagram


def _renderer(
    output_format: OutputFormat,
    graph: RetentionGraph,
    max_targets: int,
    retained: npt.NDArray[np.int64],
) -> Renderer[PathReport]:
    if output_format is OutputFormat.TEXT:
        return PathsConsoleRenderer(graph, max_targets=max_targets, retained_size=retained)
    if output_format is OutputFormat.JSON:
        return PathsJsonRenderer(graph, retained_size=retained)
    assert_never(output_format)


@click.command()
@input_options
@click.argument("targets", nargs=-1, required=True)
@click.option("--include-weak", is_flag=True, help="Also follow weak references and weak roots.")
@click.option(
    "--max-paths",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Distinct paths per target.",
)
@click.option(
    "--max-targets",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Targets shown in text output (JSON lists all).",
)
@semantics_option
@click.option(
    "--by-context",
    is_flag=True,
    help="In diagrams, frame the nodes of each engine context (vm contexts, iframes, realms).",
)
@diagram_format_option
@output_option
def paths(
    source: InputChoice,
    targets: tuple[str, ...],
    include_weak: bool,
    max_paths: int,
    max_targets: int,
    semantics: str,
    by_context: bool,
    output_format: str,
    output: str | None,
) -> None:
    """Shortest retaining paths from GC roots to the TARGETS, all from one traversal.

    TARGETS are selectors: @ID (node id as DevTools shows it), 0xADDR (SpiderMonkey address),
    class:NAME (every node of a class), type:TYPE (every node of an engine type, as summary
    lists them), name:SUBSTRING (node names containing it). A selector that matches nothing
    is a warning with suggestions while the others are answered; if none matches, it is an
    error.

    Every hop shows the size it retains (--semantics picks the rules, as for top), so the hop
    where the size drops is where the memory hangs. --max-paths K gives paths through
    different objects, not copies that differ only in which reference they take.

    Paths from user roots (the global object) are preferred over system roots, and durable
    roots over transient ones (stack, handle scopes); each path says which root kind holds it.
    Weak references are never followed unless --include-weak; a WeakMap value is reached
    through its key.

    \b
    Examples:
      leakhunt paths app.heapsnapshot @12345
      leakhunt paths app.heapsnapshot class:Session --max-paths 3
      leakhunt paths app.heapsnapshot name:LeakedPayload --format json -o paths.json
      leakhunt paths app.heapsnapshot class:Session --format svg -o sessions.svg

    With --format dot, svg or png the paths are drawn merged, as Eclipse MAT's "merge
    shortest paths to GC roots": shared prefixes once, each box saying how many targets lie
    beyond it, with its class, id and retained size (docs/diagrams.md).
    """
    selectors = [parse_selector(t) for t in targets]
    loaded = load_input(source)
    graph = loaded.graph
    nodes = select_or_warn(graph, selectors)
    options = PathOptions(include_weak=include_weak, max_paths=max_paths)
    distances = cached_root_distances(loaded, include_weak=include_weak)
    diagram_format = DiagramFormat.parse(output_format)
    if diagram_format is not None:
        with progress_callback(not source.quiet) as progress:
            tree = cached_dominators(loaded, Semantics(semantics), progress)
        if max_paths == 1:  # the search tree itself: no per-target path is materialised
            diagram = merged_tree_diagram(
                graph, distances, nodes, tree.retained_size, by_context=by_context
            )
        else:
            report = find_retaining_paths(graph, nodes, options, distances=distances)
            diagram = merged_paths_diagram(graph, report, tree.retained_size, by_context=by_context)
        write_diagram(diagram, diagram_format, output)
        return
    report = find_retaining_paths(graph, nodes, options, distances=distances)
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, Semantics(semantics), progress)
    renderer = _renderer(OutputFormat(output_format), graph, max_targets, tree.retained_size)
    with open_output(output) as out:
        renderer.render(report, out)
