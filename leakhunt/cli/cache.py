"""``leakhunt cache``: where the index cache is, what it holds, and clearing it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from leakhunt.cache.store import IndexCache
from leakhunt.cli.params import OutputFormat, format_option
from leakhunt.render.console import print_table, text_console
from leakhunt.render.safe_text import visible
from leakhunt.render.summary_console import format_bytes

__all__ = ["cache"]


def _cache_dir_option(func: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        default=None,
        envvar="LEAKHUNT_CACHE_DIR",
        help="Index cache location [default: $XDG_CACHE_HOME/leakhunt or ~/.cache/leakhunt].",
    )(func)


def _open(cache_dir: str | None) -> IndexCache:
    return IndexCache(Path(cache_dir) if cache_dir else None)


@click.group()
def cache() -> None:
    """The index cache: parsed graphs and analysis results kept per input file.

    \b
    Examples:
      leakhunt cache path
      leakhunt cache list
      leakhunt cache clear
      leakhunt cache clear app.heapsnapshot
    """


@cache.command("path")
@_cache_dir_option
def cache_path(cache_dir: str | None) -> None:
    """Print the cache directory."""
    click.echo(visible(str(_open(cache_dir).root)))


@cache.command("list")
@_cache_dir_option
@format_option
def cache_list(cache_dir: str | None, output_format: str) -> None:
    """List the cache entries, largest first: input file, size, sections, last written."""
    store = _open(cache_dir)
    entries = store.entries()
    if OutputFormat(output_format) is OutputFormat.JSON:
        document = {
            "schema": "leakhunt/cache/1",
            "directory": str(store.root),
            "total_size": sum(e.size for e in entries),
            "entries": [
                {
                    "input": e.input_path,
                    "input_exists": e.input_exists,
                    "directory": str(e.directory),
                    "size": e.size,
                    "sections": list(e.sections),
                    "modified": e.modified,
                }
                for e in entries
            ],
        }
        click.echo(json.dumps(document, indent=2))
        return
    console = text_console(sys.stdout)
    total = sum(e.size for e in entries)
    heading = f"{visible(str(store.root))}: {len(entries)} entries, {format_bytes(total)}"
    if not entries:
        console.print(heading, markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table()
    table.add_column("input", overflow="fold")
    for column in ("size", "sections", "written"):
        table.add_column(column, justify="right", no_wrap=True)
    for e in entries:
        name = visible(e.input_path) if e.input_path else "(unknown)"
        if e.input_path and not e.input_exists:
            name += " (gone)"
        written = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.modified)) if e.modified else "-"
        table.add_row(Text(name), format_bytes(e.size), str(len(e.sections)), written)
    print_table(console, heading, table)


@cache.command("clear")
@_cache_dir_option
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False))
def cache_clear(cache_dir: str | None, inputs: tuple[str, ...]) -> None:
    """Remove every entry, or only the entries of the INPUTS files."""
    store = _open(cache_dir)
    removed, freed = store.clear(list(inputs) if inputs else None)
    click.echo(
        f"removed {removed} entr{'y' if removed == 1 else 'ies'} ({format_bytes(freed)}) "
        f"from {visible(str(store.root))}"
    )
