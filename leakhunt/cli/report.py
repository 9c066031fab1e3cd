"""``leakhunt report``."""

from __future__ import annotations

import click
import numpy as np

from leakhunt import __version__
from leakhunt.analyzers import find_retaining_paths, select_nodes, summarize
from leakhunt.analyzers.cycles import find_pinned_cycles
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.analyzers.selectors import parse_selector
from leakhunt.analyzers.suspects import SuspectOptions, find_suspects
from leakhunt.analyzers.top import find_top_retainers
from leakhunt.analyzers.zombies import find_zombie_contexts
from leakhunt.cache.session import (
    CachedInput,
    cached_class_columns,
    cached_dominators,
    cached_root_distances,
)
from leakhunt.cli.output import open_output
from leakhunt.cli.params import InputChoice, load_input, semantics_option
from leakhunt.cli.progress import progress_callback
from leakhunt.cli.snapshots import LoadChoice
from leakhunt.importers import IMPORTERS
from leakhunt.options import PathOptions, SummaryOptions
from leakhunt.render.contexts_json import zombies_document
from leakhunt.render.cycles import cycles_document
from leakhunt.render.image import MISSING_DOT, dot_available
from leakhunt.render.leak_json import diff_document, suspects_document
from leakhunt.render.merged_paths import merged_tree_diagram
from leakhunt.render.report import HtmlReportRenderer, ReportData, SnapshotReport, snapshot_report
from leakhunt.render.report.data import Document

MAX_TRACED_TARGETS = 100
"""Targets whose traces the report lists (the merged diagram covers all of them)."""


def _snapshot(
    source: InputChoice,
    semantics: Semantics,
    targets: tuple[str, ...],
    top: int,
    classes: int,
    path_targets: int,
) -> SnapshotReport:
    loaded = load_input(source)
    graph = loaded.graph
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, semantics, progress)
    columns = cached_class_columns(loaded, tree)
    top_report = find_top_retainers(graph, tree, top=top, class_top=classes, class_columns=columns)
    if targets:
        chosen = select_nodes(graph, [parse_selector(t) for t in targets])
    else:
        chosen = np.array([r.node for r in top_report.retainers[:path_targets]], dtype=np.int64)
    distances = cached_root_distances(loaded, include_weak=False)
    traced = chosen[:MAX_TRACED_TARGETS]
    paths = find_retaining_paths(graph, traced, PathOptions(), distances=distances)
    diagram = merged_tree_diagram(graph, distances, chosen, tree.retained_size)
    summary = summarize(graph, SummaryOptions(top=classes))
    return snapshot_report(
        source.file,
        graph,
        summary,
        top_report,
        paths,
        tree.retained_size,
        paths_diagram=diagram,
        analyses=_leak_analyses(loaded, tree if semantics is Semantics.DEVTOOLS else None, source),
    )


def _leak_analyses(
    loaded: CachedInput, tree: DominatorTree | None, source: InputChoice
) -> dict[str, Document]:
    """The suspects, zombies and cycles documents, from the same analyzers as their commands."""
    graph = loaded.graph
    if tree is None:  # suspects follow DevTools' retained sizes whatever --semantics says
        with progress_callback(not source.quiet) as progress:
            tree = cached_dominators(loaded, Semantics.DEVTOOLS, progress)
    distances = cached_root_distances(loaded, include_weak=False)
    documents: dict[str, Document] = {
        "suspects": suspects_document(
            find_suspects(graph, tree, SuspectOptions(), distances=distances)
        ),
        "cycles": cycles_document(graph, find_pinned_cycles(graph)),
    }
    if len(graph.contexts):
        documents["zombies"] = zombies_document(graph, find_zombie_contexts(graph))
    return documents


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="The HTML file to write (replaced only when complete) [default: stdout].",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="SELECTOR",
    help="Draw the merged retaining paths to these nodes (@ID, 0xADDR, class:NAME, "
    "name:SUBSTRING; repeatable; the traces of the first 100 are listed) "
    "[default: the biggest retainers].",
)
@click.option(
    "--top", type=click.IntRange(min=1), default=25, show_default=True, help="Retainers to list."
)
@click.option(
    "--classes", type=click.IntRange(min=0), default=50, show_default=True, help="Classes to list."
)
@click.option(
    "--path-targets",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Without --target: how many of the biggest retainers get retaining paths.",
)
@semantics_option
@click.option(
    "--input-format",
    type=click.Choice(sorted(IMPORTERS)),
    default=None,
    help="Read every FILE as this format instead of detecting it from its content.",
)
@click.option(
    "--dump",
    "dump_index",
    type=click.IntRange(min=0),
    default=None,
    help="For files holding several dumps: which one (0-based; default the last).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars on stderr.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the index cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    envvar="LEAKHUNT_CACHE_DIR",
    help="Index cache location [default: $XDG_CACHE_HOME/leakhunt or ~/.cache/leakhunt].",
)
@click.option(
    "--overlay",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="DUMP",
    help="Merge an embedder root dump (docs/rootdump.md) into the last file's graph.",
)
@click.option(
    "--lenient",
    is_flag=True,
    help="Root dumps: warn about and drop bad records instead of failing.",
)
def report(
    files: tuple[str, ...],
    output: str | None,
    targets: tuple[str, ...],
    top: int,
    classes: int,
    path_targets: int,
    semantics: str,
    input_format: str | None,
    dump_index: int | None,
    quiet: bool,
    no_cache: bool,
    cache_dir: str | None,
    overlay: str | None,
    lenient: bool,
) -> None:
    """One self-contained HTML leak report for one or more heap dumps.

    Sections: summary, leak suspects, zombie contexts, GC-invisible cycles, diff clusters,
    biggest retainers, classes and retaining paths (one merged diagram of all targets, and
    the traces of the first 100). Each
    says why it is empty when its analysis does not apply. Numbers come from the same
    analyses as the summary, top and paths commands (and their --format json documents).

    The page loads nothing (inline style and script pinned by a Content-Security-Policy),
    works from a file:// URL or as a CI artifact, and shows heap strings as inert text.
    Diagrams are inline SVG when Graphviz's dot program is installed, DOT source otherwise.

    \b
    Examples:
      leakhunt report app.heapsnapshot -o report.html
      leakhunt report app.heapsnapshot --target class:Session -o report.html
      leakhunt report before.heapsnapshot after.heapsnapshot -o report.html
      leakhunt report app.heapsnapshot --overlay app.rootdump.json -o report.html

    With two or three files the diff section compares them (BASE TARGET [FINAL], as
    leakhunt diff); the other sections describe each file.
    """
    snapshots = tuple(
        _snapshot(
            InputChoice(
                file,
                input_format,
                dump_index,
                quiet,
                no_cache,
                cache_dir,
                overlay=overlay if index == len(files) - 1 else None,
                lenient=lenient,
            ),
            Semantics(semantics),
            targets,
            top,
            classes,
            path_targets,
        )
        for index, file in enumerate(files)
    )
    notes = () if dot_available() else (f"Diagrams shown as DOT source: {MISSING_DOT}.",)
    documents: dict[str, Document] = {}
    if 2 <= len(files) <= 3:
        load = LoadChoice(input_format, None, quiet, no_cache, cache_dir, overlay, lenient)
        documents["diff"] = diff_document(load.diff(files))
    data = ReportData(snapshots, f"leakhunt {__version__}", documents=documents, notes=notes)
    with open_output(output) as out:
        HtmlReportRenderer().render(data, out)
