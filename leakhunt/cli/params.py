"""Options shared by several commands."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.selectors import Selector, resolve_selectors
from leakhunt.cache.session import CachedInput, open_input, overlay_input
from leakhunt.cache.store import CacheEntry, IndexCache
from leakhunt.cli.output import check_output_path, warn
from leakhunt.cli.progress import progress_callback
from leakhunt.errors import ConfigError, NodeNotFoundError
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import IMPORTERS, ImportOptions, sniff_format
from leakhunt.importers.common.input_file import parse_size
from leakhunt.importers.rootdump import PendingDump
from leakhunt.importers.rootdump.reader import LENIENT_SUFFIXES
from leakhunt.render.safe_text import visible

__all__ = [
    "InputChoice",
    "OutputFormat",
    "checked_format",
    "checked_output",
    "diagram_format_option",
    "format_option",
    "import_options",
    "input_cache",
    "input_options",
    "load_input",
    "output_option",
    "select_or_warn",
    "semantics_option",
]

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    """What a report command writes."""

    TEXT = "text"
    JSON = "json"


def format_option(func: F) -> F:
    """``--format text|json``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice([f.value for f in OutputFormat]),
        default=OutputFormat.TEXT.value,
        show_default=True,
        help="text for people, json for tools (schema in docs/json.md).",
    )(func)


def diagram_format_option(func: F) -> F:
    """``--format text|json|dot|svg|png`` for commands whose findings can be drawn."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice([*(f.value for f in OutputFormat), "dot", "svg", "png"]),
        default=OutputFormat.TEXT.value,
        show_default=True,
        help="text for people, json for tools (docs/json.md), dot/svg/png for a diagram "
        "(docs/diagrams.md; svg and png need Graphviz's dot program).",
    )(func)


def semantics_option(func: F) -> F:
    """``--semantics devtools|memlab``."""
    return click.option(
        "--semantics",
        type=click.Choice([s.value for s in Semantics]),
        default=Semantics.DEVTOOLS.value,
        show_default=True,
        help="Retained-size rules: devtools (Chrome's Memory panel) or memlab (plain dominator tree).",
    )(func)


def checked_output(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Click callback for ``-o`` options: refuse an output path that cannot be written."""
    check_output_path(value)  # before the input is read: a wrong -o costs nothing
    return value


def output_option(func: F) -> F:
    """``-o/--output FILE``."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        callback=checked_output,
        help="Write the report to FILE (replaced only when complete) instead of stdout.",
    )(func)


def _input_size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_size(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def input_options(func: F) -> F:
    """``FILE``, ``--input-format``, ``--dump``, ``--quiet``, ``--no-cache``, ``--cache-dir``,
    ``--overlay``, ``--lenient``.

    The command receives them gathered into one ``source: InputChoice`` argument.
    """

    @functools.wraps(func)
    def gather(
        *args: Any,
        file: str,
        input_format: str | None,
        dump_index: int | None,
        quiet: bool,
        no_cache: bool,
        cache_dir: str | None,
        max_input_size: int | None,
        overlay: str | None,
        lenient: bool,
        **kwargs: Any,
    ) -> Any:
        source = InputChoice(
            file,
            input_format,
            dump_index,
            quiet,
            no_cache,
            cache_dir,
            max_input_size,
            overlay,
            lenient,
        )
        return func(*args, source=source, **kwargs)

    wrapped: Any = gather
    wrapped = click.option(
        "--max-input-size",
        metavar="SIZE",
        default=None,
        envvar="LEAKHUNT_MAX_INPUT_SIZE",
        callback=_input_size,
        help="Stop reading a dump that decompresses to more than SIZE (e.g. 800M, 8G; 0: no "
        "limit) [default for gzip: past 64 MiB, at most 50 times the compressed bytes read].",
    )(wrapped)
    wrapped = click.option(
        "--lenient",
        is_flag=True,
        help="Root dumps: warn about and drop records that name unknown nodes, duplicate "
        "natives or contradict each other, instead of failing.",
    )(wrapped)
    wrapped = click.option(
        "--overlay",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        metavar="DUMP",
        help="Merge an embedder root dump (docs/rootdump.md) into FILE's graph by node id: "
        "native objects, handles, weak callbacks, host-defined options.",
    )(wrapped)
    wrapped = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        default=None,
        envvar="LEAKHUNT_CACHE_DIR",
        help="Index cache location [default: $XDG_CACHE_HOME/leakhunt or ~/.cache/leakhunt].",
    )(wrapped)
    wrapped = click.option(
        "--no-cache",
        is_flag=True,
        help="Neither read nor write the index cache (parsed graph and analysis results).",
    )(wrapped)
    wrapped = click.option("--quiet", "-q", is_flag=True, help="No progress bars on stderr.")(
        wrapped
    )
    wrapped = click.option(
        "--dump",
        "dump_index",
        type=click.IntRange(min=0),
        default=None,
        help="For files holding several dumps: which one (0-based; default the last).",
    )(wrapped)
    wrapped = click.option(
        "--input-format",
        type=click.Choice(sorted(IMPORTERS)),
        default=None,
        help="Read FILE as this format instead of detecting it from its content.",
    )(wrapped)
    result: F = click.argument("file", type=click.Path(exists=True, dir_okay=False))(wrapped)
    return result


@dataclass(frozen=True, slots=True)
class InputChoice:
    """The input-related options of one command invocation."""

    file: str
    """The dump to read."""
    input_format: str | None
    """Forced format, or None to sniff."""
    dump_index: int | None
    """Which dump of a multi-dump file."""
    quiet: bool
    """No progress bars."""
    no_cache: bool
    """Bypass the index cache."""
    cache_dir: str | None
    """Cache location override."""
    max_input_size: int | None = None
    """Decompressed-size limit in bytes (0: none), or None for the default rule."""
    overlay: str | None = None
    """Root dump to merge into the graph."""
    lenient: bool = False
    """Root-dump record problems become warnings."""


MULTI_DUMP_FORMATS = frozenset({"spidermonkey-gclog"})
"""Formats whose files can hold several dumps (the only ones ``--dump`` applies to)."""


def checked_format(choice: InputChoice) -> str | None:
    """The forced format of the choice (sniffed when a dump index needs checking).

    Raises
    ------
    ConfigError
        For ``--dump`` on a format that holds one dump per file.
    """
    input_format = choice.input_format
    if choice.dump_index is not None:
        input_format = input_format or sniff_format(choice.file)
        if input_format not in MULTI_DUMP_FORMATS:
            several = ", ".join(sorted(MULTI_DUMP_FORMATS))
            raise ConfigError(
                f"--dump applies to files holding several dumps ({several}); "
                f"{choice.file} is a {input_format} file, which holds one"
            )
    return input_format


def input_cache(choice: InputChoice) -> IndexCache | None:
    """The index cache the choice allows (None with ``--no-cache``)."""
    if choice.no_cache:
        return None
    return IndexCache(Path(choice.cache_dir) if choice.cache_dir else None)


def import_options(choice: InputChoice) -> ImportOptions:
    """The importer options of the choice."""
    return ImportOptions(
        dump_index=choice.dump_index,
        max_input_size=choice.max_input_size,
        lenient=choice.lenient,
    )


def load_input(choice: InputChoice) -> CachedInput:
    """Load the input (from the index cache when allowed), with a progress bar when watched.

    Raises
    ------
    ConfigError
        For ``--dump`` on a format that holds one dump per file.
    """
    input_format = checked_format(choice)
    cache = input_cache(choice)
    # The dump is read while the snapshot loads (a second core), then merged.
    pending = (
        PendingDump(choice.overlay, lenient=choice.lenient) if choice.overlay is not None else None
    )
    options = import_options(choice)
    if pending is not None:
        # Room after the snapshot's columns lets the merge grow them instead of copying them.
        options = dataclasses.replace(
            options, node_room=pending.node_room, edge_room=pending.edge_room
        )
    try:
        with progress_callback(not choice.quiet) as progress:
            loaded = open_input(
                choice.file,
                format=input_format,
                options=options,
                progress=progress,
                cache=cache,
            )
    except BaseException:
        if pending is not None:
            pending.close()  # no reader may outlive a failed load
        raise
    if pending is not None:
        # Nothing else holds the snapshot's graph: the merge may take its storage over.
        loaded = overlay_input(
            loaded, pending.path, lenient=choice.lenient, dump=pending.result(), consume=True
        )
    for problem in loaded.graph.problems:
        if problem.endswith(LENIENT_SUFFIXES):
            warn(problem)
    context = click.get_current_context(silent=True)
    if context is not None and loaded.entry is not None and not choice.quiet:
        entry = loaded.entry
        context.call_on_close(lambda: _note_cache_writes(entry))
    return loaded


CACHE_NOTE_BYTES = 64 << 20
"""A command that stores at least this much in the index cache says where and how much."""


def _note_cache_writes(entry: CacheEntry) -> None:
    if entry.bytes_written >= CACHE_NOTE_BYTES:
        size = f"{entry.bytes_written / (1 << 20):,.0f} MiB"
        click.echo(
            f"leakhunt: note: stored {size} in the index cache at {visible(str(entry.directory))} "
            "(leakhunt cache list / leakhunt cache clear; --no-cache to skip)",
            err=True,
        )


def select_or_warn(graph: RetentionGraph, selectors: list[Selector]) -> npt.NDArray[np.int64]:
    """The nodes the selectors match. A selector matching nothing is a warning (with its
    suggestions) while others match; when none matches, the misses are the error."""
    selection = resolve_selectors(graph, selectors)
    if selection.nodes.size == 0 and selection.misses:
        messages = "; ".join(miss.message() for miss in selection.misses)
        raise NodeNotFoundError(f"{graph.source.path}: {messages}")
    for miss in selection.misses:
        warn(f"{graph.source.path}: {miss.message()}")
    return selection.nodes
