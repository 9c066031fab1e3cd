"""``leakhunt export``."""

from __future__ import annotations

import importlib.util
from enum import StrEnum
from pathlib import PurePath
from typing import assert_never

import click

from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.cache.session import cached_dominators
from leakhunt.cli.output import atomic_path, open_output
from leakhunt.cli.params import (
    InputChoice,
    checked_output,
    input_options,
    load_input,
    semantics_option,
)
from leakhunt.cli.progress import progress_callback
from leakhunt.errors import ConfigError
from leakhunt.render.node_table import write_node_csv, write_node_parquet


class TableFormat(StrEnum):
    """File formats of the node table."""

    CSV = "csv"
    PARQUET = "parquet"

    @classmethod
    def for_path(cls, path: str) -> TableFormat:
        """The format a file name asks for: ``.csv`` (or no extension, or a device such as
        ``/dev/stdout``) is CSV, ``.parquet``/``.pq`` Parquet; any other extension is refused
        rather than written as CSV under a misleading name.

        >>> TableFormat.for_path("nodes.PQ"), TableFormat.for_path("out/nodes")
        (<TableFormat.PARQUET: 'parquet'>, <TableFormat.CSV: 'csv'>)
        >>> TableFormat.for_path("nodes.xlsx")
        Traceback (most recent call last):
        ...
        leakhunt.errors.ConfigError: cannot write 'nodes.xlsx': export writes .csv or .parquet files (or pass --format csv|parquet)
        """
        suffix = PurePath(path).suffix.lower()
        if suffix in (".parquet", ".pq"):
            return cls.PARQUET
        if suffix in ("", ".csv") or path.startswith("/dev/"):
            return cls.CSV
        raise ConfigError(
            f"cannot write {path!r}: export writes .csv or .parquet files "
            "(or pass --format csv|parquet)"
        )


@click.command()
@input_options
@semantics_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    callback=checked_output,
    help="The table to write (replaced only when complete).",
)
@click.option(
    "--format",
    "table_format",
    type=click.Choice([f.value for f in TableFormat]),
    default=None,
    help="csv or parquet [default: from the file name; .parquet/.pq means Parquet].",
)
def export(
    source: InputChoice,
    semantics: str,
    output: str,
    table_format: str | None,
) -> None:
    """One row per node, to query a heap with DuckDB, pandas or a spreadsheet.

    Columns: id, type, name, class, self_size, shallow_size, retained_size, distance,
    dominator_id, context (see docs/export.md). Parquet needs the optional pyarrow extra.

    \b
    Examples:
      leakhunt export app.heapsnapshot -o nodes.csv
      leakhunt export app.heapsnapshot -o nodes.parquet
      duckdb -c "select class, sum(retained_size) from 'nodes.parquet' group by 1 order by 2 desc limit 10"
    """
    chosen = TableFormat(table_format) if table_format else TableFormat.for_path(output)
    if chosen is TableFormat.PARQUET and importlib.util.find_spec("pyarrow") is None:
        raise ConfigError(
            f"{output}: Parquet output needs pyarrow: pip install 'leakhunt[parquet]' "
            "(or use a .csv file)"
        )
    loaded = load_input(source)
    with progress_callback(not source.quiet) as progress:
        tree = cached_dominators(loaded, Semantics(semantics), progress)
        if chosen is TableFormat.CSV:
            with open_output(output) as out:
                write_node_csv(loaded.graph, tree, out, progress)
        elif chosen is TableFormat.PARQUET:
            with atomic_path(output) as temporary:
                write_node_parquet(loaded.graph, tree, temporary)
        else:
            assert_never(chosen)
    if not source.quiet:
        click.echo(
            f"wrote {loaded.graph.node_count:,} rows to {output} ({chosen.value}; retained sizes "
            f"and dominators in {tree.semantics.value} semantics)",
            err=True,
        )
