"""The columnar forms of ``natives`` and ``edges`` (``native_columns``, ``edge_columns``).

Each member is a JSON object of parallel arrays, one per field; the checks are those of the
schema's record definitions, applied a column at a time, and a bad cell raises naming it
(``/edge_columns/from/17``). The results are the same :class:`~.columns.NativeColumns` and
:class:`~.columns.EdgeColumns` the record form gives.
"""

from __future__ import annotations

import operator
import re
from itertools import compress, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.rootdump.columns import (
    HEX_DIGITS,
    EdgeColumns,
    isolates_and_contexts_known,
    retention_families,
    value_codes,
    value_types,
)
from leakhunt.importers.rootdump.schema import INDEX_MAX
from leakhunt.importers.rootdump.vocabulary import EDGE_CODE

__all__ = ["addresses_ok", "checked_native_columns", "columnar_edges", "native_columns_regular"]

I64 = npt.NDArray[np.int64]
_HANDLES = [EDGE_CODE["strong_global_handle"], EDGE_CODE["weak_global_handle"]]
_CALLBACK = EDGE_CODE["weak_callback"]
_EPHEMERON = EDGE_CODE["ephemeron"]
_ELEMENT = EDGE_CODE["element"]


def _column_refs(
    values: list[Any], native_index: dict[str, int], where: str, path: str, allow_null: bool
) -> tuple[npt.NDArray[np.bool_], I64, npt.NDArray[np.bool_], list[int]]:
    """(is_native, value, present, rows naming a missing native) of a reference column."""
    count = len(values)
    allowed = {int, str, type(None)} if allow_null else {int, str}
    if value_types(values) - allowed or "" in values:
        for row, value in enumerate(values):
            if (value is None and not allow_null) or type(value) not in allowed or value == "":
                raise SnapshotFormatError(
                    path,
                    f"{where}/{row}",
                    "must be a JS node id (integer) or a native id (non-empty string)",
                )
    is_native = np.fromiter(map(isinstance, values, repeat(str)), np.bool_, count)
    present = np.ones(count, dtype=np.bool_)
    if allow_null:
        present = np.fromiter(map(operator.is_not, values, repeat(None)), np.bool_, count)
    result = np.full(count, -1, dtype=np.int64)
    js_rows = present & ~is_native
    if js_rows.any():
        try:
            result[js_rows] = np.array(list(compress(values, js_rows.tolist())), dtype=np.int64)
        except OverflowError:
            raise SnapshotFormatError(path, where, "a node id does not fit 64 bits") from None
    missing: list[int] = []
    if is_native.any():
        resolved = list(map(native_index.get, compress(values, is_native.tolist())))
        native_rows = np.flatnonzero(is_native)
        if None in resolved:
            missing = [
                int(r) for r, v in zip(native_rows.tolist(), resolved, strict=True) if v is None
            ]
            resolved = [-1 if v is None else v for v in resolved]
        result[native_rows] = np.array(resolved, dtype=np.int64)
    return is_native, result, present, missing


def columnar_edges(
    columns: dict[str, Any], native_index: dict[str, int], path: str
) -> tuple[EdgeColumns, dict[int, str], list[tuple[int, int]]]:
    """Edges from the ``edge_columns`` form: the columns, rows naming a missing native (row →
    column), and contradicting rows (row, earlier row). Malformed elements raise."""
    words = columns["kind"]
    count = len(words)
    for name in ("from", "to", "key", "name", "isolate"):
        if name in columns and len(columns[name]) != count:
            raise SnapshotFormatError(
                path,
                f"/edge_columns/{name}",
                f"has {len(columns[name])} elements, kind has {count}",
            )
    if not set(words) <= EDGE_CODE.keys():
        row = next(i for i, w in enumerate(words) if w not in EDGE_CODE)
        raise SnapshotFormatError(
            path, f"/edge_columns/kind/{row}", f"unknown edge kind {words[row]!r}"
        )
    kind = np.fromiter(map(EDGE_CODE.__getitem__, words), np.uint8, count)
    missing: dict[int, str] = {}
    from_native, from_value, _, gone = _column_refs(
        columns["from"], native_index, "/edge_columns/from", path, False
    )
    missing.update((row, "from") for row in gone)
    to_native, to_value, _, gone = _column_refs(
        columns["to"], native_index, "/edge_columns/to", path, False
    )
    for row in gone:
        missing.setdefault(row, "to")
    if "key" in columns:
        key_native, key_value, has_key, gone = _column_refs(
            columns["key"], native_index, "/edge_columns/key", path, True
        )
    else:  # no ephemerons: nothing to look at
        key_native, has_key = np.zeros(count, np.bool_), np.zeros(count, np.bool_)
        key_value, gone = np.full(count, -1, dtype=np.int64), []
    for row in gone:
        missing.setdefault(row, "key")
    rules = (
        (
            np.isin(kind, _HANDLES) & (~from_native | to_native),
            "from",
            "a strong_global_handle or weak_global_handle goes from its owning native (a string) to a JS object (an integer)",
        ),
        (
            (kind == _CALLBACK) & (from_native | ~to_native),
            "from",
            "a weak_callback goes from a JS object (an integer) to the native it frees (a string)",
        ),
        (has_key != (kind == _EPHEMERON), "key", "ephemeron edges, and only they, have a key"),
    )
    for bad, column, message in rules:
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise SnapshotFormatError(path, f"/edge_columns/{column}/{row}", message)
    names = columns.get("name", [None] * count)
    if value_types(names) - {str, int, type(None)}:
        row = next(i for i, n in enumerate(names) if type(n) not in (str, int, type(None)))
        raise SnapshotFormatError(
            path, f"/edge_columns/name/{row}", "must be a string, an integer or null"
        )
    for row in np.flatnonzero(kind == _ELEMENT).tolist():
        if type(names[row]) is not int or not 0 <= names[row] <= INDEX_MAX:
            raise SnapshotFormatError(
                path, f"/edge_columns/name/{row}", "an element edge is named by its index"
            )
    isolates = columns.get("isolate", [None] * count)
    if value_types(isolates) - {str, type(None)} or "" in isolates:
        raise SnapshotFormatError(path, "/edge_columns/isolate", "must hold isolate ids or null")
    name_code, name_values = value_codes(names)
    isolate_code, isolate_values = value_codes([None, *isolates])
    edge_columns_result = EdgeColumns(
        kind=kind,
        from_native=from_native,
        from_value=from_value,
        to_native=to_native,
        to_value=to_value,
        has_key=has_key,
        key_native=key_native,
        key_value=key_value,
        name_code=name_code,
        name_values=name_values,
        isolate_code=isolate_code[1:],
        isolate_values=isolate_values,
    )
    valid = np.ones(count, dtype=np.bool_)
    valid[list(missing)] = False
    contradictions = _contradicting_rows(
        kind, from_native, from_value, to_native, to_value, name_code, valid
    )
    return edge_columns_result, missing, contradictions


def _contradicting_rows(
    kind: npt.NDArray[np.uint8],
    from_native: npt.NDArray[np.bool_],
    from_value: I64,
    to_native: npt.NDArray[np.bool_],
    to_value: I64,
    name_code: npt.NDArray[np.int32],
    valid: npt.NDArray[np.bool_],
) -> list[tuple[int, int]]:
    """Rows contradicting the first edge of their (family, from, to, name) group: (row, first)."""
    family, retains = retention_families()
    rows = np.flatnonzero((family[kind] >= 0) & valid)
    if rows.size < 2:
        return []
    keys = (
        rows,
        name_code[rows],
        to_value[rows],
        to_native[rows],
        from_value[rows],
        from_native[rows],
        family[kind[rows]],
    )
    order = np.lexsort(keys)
    ordered = rows[order]
    same = np.ones(rows.size, dtype=np.bool_)
    same[0] = False
    for column in keys[1:]:
        c = column[order]
        same[1:] &= c[1:] == c[:-1]
    group_start = np.maximum.accumulate(np.where(~same, np.arange(rows.size), 0))
    first = ordered[group_start]
    polarity = retains[kind[ordered]]
    bad = polarity != retains[kind[first]]
    return sorted(zip(ordered[bad].tolist(), first[bad].tolist(), strict=True))


_NATIVE_COLUMN_RULES: dict[str, tuple[frozenset[type], str]] = {
    "id": (frozenset({str}), "must be a native id (a non-empty string)"),
    "class": (frozenset({str}), "must be a string (the native's class)"),
    "size": (frozenset({int}), "must be a size in bytes (an integer >= 0)"),
    "address": (frozenset({str, type(None)}), "must be an address ('0x' and hex digits) or null"),
    "name": (frozenset({str, type(None)}), "must be a string or null"),
    "isolate": (frozenset({str, type(None)}), "must be an isolate id or null"),
    "context": (frozenset({str, type(None)}), "must be a context id or null"),
}
_ADDRESS_LINES = re.compile(r"(?:0x[0-9a-fA-F]+\n)*")


def _bad_native_cell(name: str, value: Any) -> bool:
    types, _ = _NATIVE_COLUMN_RULES[name]
    if type(value) not in types:
        return True
    if name in ("id", "isolate", "context") and value == "":
        return True
    if name == "size":
        return bool(value < 0 or value >= 1 << 63)
    if name == "address" and value is not None:
        return not (len(value) > 2 and value.startswith("0x") and HEX_DIGITS.issuperset(value[2:]))
    return False


def addresses_ok(values: list[Any]) -> bool:
    """Whether every value that is not None is an address (``0x`` and hex digits), checked as
    one text by one regular expression.

    >>> addresses_ok(["0x1f", None, "0xA0"]), addresses_ok(["0x"]), addresses_ok(["0x1 0x2"])
    (True, False, False)
    """
    texts = [value for value in values if value is not None]
    joined = "\n".join(texts) + "\n" if texts else ""
    return joined.count("\n") == len(texts) and _ADDRESS_LINES.fullmatch(joined) is not None


def checked_native_columns(columns: dict[str, Any], path: str) -> dict[str, list[Any]]:
    """The ``native_columns`` member with every cell checked against the schema's ``native``
    record (absent optional columns become all-null); a bad cell raises, naming it.

    Examples
    --------
    >>> checked_native_columns({"id": ["a", "b"], "class": ["C", "C"], "size": [8, 0]}, "d")[
    ...     "address"]
    [None, None]
    >>> checked_native_columns({"id": ["a"], "class": ["C"], "size": [-1]}, "d")
    Traceback (most recent call last):
    ...
    leakhunt.errors.SnapshotFormatError: d: /native_columns/size/0: must be a size in bytes (an integer >= 0)
    """
    count = len(columns["id"])
    result: dict[str, list[Any]] = {}
    for name in _NATIVE_COLUMN_RULES:
        values = columns.get(name)
        if values is None:
            result[name] = [None] * count
            continue
        if len(values) != count:
            raise SnapshotFormatError(
                path, f"/native_columns/{name}", f"has {len(values)} elements, id has {count}"
            )
        types, message = _NATIVE_COLUMN_RULES[name]
        regular = value_types(values) <= types
        if regular and name in ("id", "isolate", "context"):
            regular = "" not in values
        elif regular and name == "size" and count:
            try:
                regular = np.array(values, dtype=np.int64).min() >= 0
            except OverflowError:
                regular = False
        elif regular and name == "address":
            regular = addresses_ok(values)
        if not regular:
            row = next(i for i, value in enumerate(values) if _bad_native_cell(name, value))
            raise SnapshotFormatError(path, f"/native_columns/{name}/{row}", message)
        result[name] = values
    return result


def native_columns_regular(
    columns: dict[str, list[Any]], known_contexts: dict[str, set[str]], only_isolate: str | None
) -> bool:
    """Whether checked native columns need no record-by-record pass: ids unique, every
    ``isolate`` and ``context`` known (the conditions :func:`native_columns` checks)."""
    ids = columns["id"]
    if len(set(ids)) != len(ids):
        return False
    return isolates_and_contexts_known(
        columns["isolate"], columns["context"], known_contexts, only_isolate
    )
