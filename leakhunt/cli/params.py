"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import click

from leakhunt.cli.progress import progress_callback
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import IMPORTERS, ImportOptions, load_graph

__all__ = [
    "OutputFormat",
    "format_option",
    "input_options",
    "load_input",
    "output_option",
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
    """``FILE``, ``--input-format``, ``--dump``, ``--quiet``."""
    func = click.option("--quiet", "-q", is_flag=True, help="No progress bars on stderr.")(func)
    func = click.option(
        "--dump",
        "dump_index",
        type=click.IntRange(min=0),
        default=None,
        help="For files holding several dumps: which one (0-based; default the last).",
    )(func)
    func = click.option(
        "--input-format",
        type=click.Choice(sorted(IMPORTERS)),
        default=None,
        help="Read FILE as this format instead of detecting it from its content.",
    )(func)
    return click.argument("file", type=click.Path(exists=True, dir_okay=False))(func)


def load_input(
    file: str, input_format: str | None, dump_index: int | None, quiet: bool
) -> RetentionGraph:
    """Load ``file`` with a progress bar when a person is watching."""
    with progress_callback(not quiet) as progress:
        return load_graph(
            file,
            format=input_format,
            options=ImportOptions(dump_index=dump_index),
            progress=progress,
        )
