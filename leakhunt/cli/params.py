"""Options shared by several commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import click

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.cache.session import CachedInput, open_input, overlay_input
from leakhunt.cache.store import IndexCache
from leakhunt.cli.progress import progress_callback
from leakhunt.importers import IMPORTERS, ImportOptions
from leakhunt.importers.rootdump import PendingDump
from leakhunt.importers.rootdump.reader import LENIENT_SUFFIXES

__all__ = [
    "InputChoice",
    "OutputFormat",
    "format_option",
    "input_options",
    "load_input",
    "output_option",
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


def semantics_option(func: F) -> F:
    """``--semantics devtools|memlab``."""
    return click.option(
        "--semantics",
        type=click.Choice([s.value for s in Semantics]),
        default=Semantics.DEVTOOLS.value,
        show_default=True,
        help="Retained-size rules: devtools (Chrome's Memory panel) or memlab (plain dominator tree).",
    )(func)


def output_option(func: F) -> F:
    """``-o/--output FILE``."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write the report to FILE (replaced only when complete) instead of stdout.",
    )(func)


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
        overlay: str | None,
        lenient: bool,
        **kwargs: Any,
    ) -> Any:
        source = InputChoice(
            file, input_format, dump_index, quiet, no_cache, cache_dir, overlay, lenient
        )
        return func(*args, source=source, **kwargs)

    wrapped: Any = gather
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
    overlay: str | None = None
    """Root dump to merge into the graph."""
    lenient: bool = False
    """Root-dump record problems become warnings."""


def load_input(choice: InputChoice) -> CachedInput:
    """Load the input (from the index cache when allowed), with a progress bar when watched."""
    cache = (
        None
        if choice.no_cache
        else IndexCache(Path(choice.cache_dir) if choice.cache_dir else None)
    )
    # The dump is read while the snapshot loads (a second core), then merged.
    pending = (
        PendingDump(choice.overlay, lenient=choice.lenient) if choice.overlay is not None else None
    )
    with progress_callback(not choice.quiet) as progress:
        loaded = open_input(
            choice.file,
            format=choice.input_format,
            options=ImportOptions(dump_index=choice.dump_index, lenient=choice.lenient),
            progress=progress,
            cache=cache,
        )
    if pending is not None:
        loaded = overlay_input(loaded, pending.path, lenient=choice.lenient, dump=pending.result())
    for problem in loaded.graph.problems:
        if problem.endswith(LENIENT_SUFFIXES):
            click.echo(f"leakhunt: warning: {problem}", err=True)
    return loaded
