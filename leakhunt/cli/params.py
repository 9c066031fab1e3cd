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
from leakhunt.cache.session import CachedInput, open_input
from leakhunt.cache.store import IndexCache
from leakhunt.cli.progress import progress_callback
from leakhunt.importers import IMPORTERS, ImportOptions

__all__ = [
    "InputChoice",
    "OutputFormat",
    "diagram_format_option",
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
    """``FILE``, ``--input-format``, ``--dump``, ``--quiet``, ``--no-cache``, ``--cache-dir``.

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
        **kwargs: Any,
    ) -> Any:
        source = InputChoice(file, input_format, dump_index, quiet, no_cache, cache_dir)
        return func(*args, source=source, **kwargs)

    wrapped: Any = gather
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


def load_input(choice: InputChoice) -> CachedInput:
    """Load the input (from the index cache when allowed), with a progress bar when watched."""
    cache = (
        None
        if choice.no_cache
        else IndexCache(Path(choice.cache_dir) if choice.cache_dir else None)
    )
    with progress_callback(not choice.quiet) as progress:
        return open_input(
            choice.file,
            format=choice.input_format,
            options=ImportOptions(dump_index=choice.dump_index),
            progress=progress,
            cache=cache,
        )
