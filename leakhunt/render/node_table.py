"""One row per node (``leakhunt export``): CSV with no extra dependency, or Parquet via pyarrow.

Columns: ``id, type, name, class, self_size, shallow_size, retained_size, distance,
dominator_id, context``. Text columns hold heap text as the text reports show it
(:func:`~leakhunt.render.safe_text.visible`: control characters, lone surrogates and bidi
controls as escapes such as ``\\x1b``), so a spreadsheet or terminal showing a cell is never
driven by it; in CSV, a cell that would start with ``=``, ``+``, ``-`` or ``@`` (a formula to a
spreadsheet) starts with an apostrophe. Use ``--format json`` reports for exact strings. ``self_size`` is what the
engine reported; ``shallow_size`` is the size the retained sizes were summed from (after DevTools' ownership step in DevTools semantics).
``distance`` is DevTools' distance (-5 when unreached; system nodes from 100,000,000);
``dominator_id`` is the engine id of the immediate dominator; ``context`` the context's name or
empty.
"""

from __future__ import annotations

from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.errors import ConfigError
from leakhunt.graph.core import RetentionGraph
from leakhunt.progress import Progress
from leakhunt.render.safe_text import visible

__all__ = [
    "COLUMNS",
    "FORMULA_STARTS",
    "MAX_CELL",
    "csv_cell",
    "table_text",
    "write_node_csv",
    "write_node_parquet",
]

COLUMNS = (
    "id",
    "type",
    "name",
    "class",
    "self_size",
    "shallow_size",
    "retained_size",
    "distance",
    "dominator_id",
    "context",
)
_CHUNK = 65_536


MAX_CELL = 1024
"""Longest text cell (V8 caps snapshot strings at 1,024 characters; a hostile file need not)."""


def table_text(raw: str) -> str:
    """A heap string as a table cell: :func:`visible`, cut at :data:`MAX_CELL` characters.

    >>> table_text("a\\x1bb"), table_text("x" * 1030)[-20:]
    ('a\\\\x1bb', 'xxxx…[+6 characters]')
    """
    text = visible(raw[: MAX_CELL + 1])
    if len(raw) > MAX_CELL:
        text = f"{text[:MAX_CELL]}…[+{len(raw) - MAX_CELL:,} characters]"
    return text


FORMULA_STARTS = ("=", "+", "-", "@")
"""First characters that make a spreadsheet evaluate a CSV cell as a formula (tabs and carriage
returns, also on OWASP's list, never start a cell: :func:`table_text` escapes them)."""


def csv_cell(raw: str) -> str:
    """A heap string as one CSV field: :func:`table_text`, an apostrophe before a first character
    that would make a spreadsheet run the cell as a formula, RFC 4180 quoting.

    >>> print(csv_cell("Window"), csv_cell('=HYPERLINK("http://x")'), csv_cell("-1"), csv_cell("a,b"))
    Window "'=HYPERLINK(""http://x"")" "'-1" "a,b"
    """
    text = table_text(raw)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    elif text and not any(c in text for c in ',"\n\r') and text[0] != " ":
        return text
    return '"' + text.replace('"', '""') + '"'


def _quoted(strings: tuple[str, ...], used: npt.NDArray[np.integer]) -> dict[int, str]:
    return {int(i): csv_cell(strings[int(i)]) for i in np.unique(used).tolist()}


def write_node_csv(
    graph: RetentionGraph, tree: DominatorTree, out: TextIO, progress: Progress | None = None
) -> None:
    """Write the node table as CSV (RFC 4180 quoting) to ``out``."""
    names = _quoted(graph.strings, np.concatenate((graph.node_name, graph.node_class)))
    types = [csv_cell(t) for t in graph.type_names]
    contexts = [csv_cell(c) for c in graph.contexts.name]
    out.write(",".join(COLUMNS) + "\n")
    n = graph.node_count
    dominator_id = graph.node_id[tree.idom]
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        rows = zip(
            graph.node_id[start:stop].tolist(),
            graph.node_type[start:stop].tolist(),
            graph.node_name[start:stop].tolist(),
            graph.node_class[start:stop].tolist(),
            graph.node_self_size[start:stop].tolist(),
            tree.self_size_used[start:stop].tolist(),
            tree.retained_size[start:stop].tolist(),
            tree.distance[start:stop].tolist(),
            dominator_id[start:stop].tolist(),
            graph.node_context[start:stop].tolist(),
            strict=True,
        )
        out.write(
            "".join(
                f"{i},{types[t]},{names[nm]},{names[c]},{s},{sh},{r},{d},{dom},"
                f"{contexts[ctx] if ctx >= 0 else ''}\n"
                for i, t, nm, c, s, sh, r, d, dom, ctx in rows
            )
        )
        if progress is not None:
            progress("writing rows", stop, n)


def write_node_parquet(graph: RetentionGraph, tree: DominatorTree, path: str) -> None:
    """Write the node table as Parquet (strings dictionary-encoded). Needs ``pyarrow``."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(
            "Parquet output needs pyarrow: pip install 'leakhunt[parquet]' (or use a .csv file)"
        ) from None

    def dictionary(indices: npt.NDArray[Any], values: list[str]) -> Any:
        return pa.DictionaryArray.from_arrays(
            pa.array(indices.astype(np.int32)), pa.array(values, type=pa.string())
        )

    strings = [table_text(text) for text in graph.strings]
    context_names = [*(table_text(name) for name in graph.contexts.name), ""]
    context_index = np.where(graph.node_context >= 0, graph.node_context, len(context_names) - 1)
    metadata = {"leakhunt.semantics": tree.semantics.value, "leakhunt.source": graph.source.path}
    table = pa.table(
        {
            "id": graph.node_id,
            "type": dictionary(graph.node_type, [table_text(t) for t in graph.type_names]),
            "name": dictionary(graph.node_name, strings),
            "class": dictionary(graph.node_class, strings),
            "self_size": graph.node_self_size,
            "shallow_size": tree.self_size_used,
            "retained_size": tree.retained_size,
            "distance": tree.distance,
            "dominator_id": graph.node_id[tree.idom],
            "context": dictionary(context_index, context_names),
        },
        metadata=metadata,
    )
    pq.write_table(table, path)
