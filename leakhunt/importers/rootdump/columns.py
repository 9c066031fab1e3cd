"""Reading the two large record arrays, ``natives`` and ``edges``, a column at a time.

A dump of 100,000 natives and 300,000 edges is mostly records of a handful of shapes. Instead of
a Python function call per record, each field is pulled out for all records at once
(``map``/``itemgetter`` run in C) and checked as a column: the set of its value types, the set
of record shapes, numpy comparisons for numbers and per-kind rules. These are the same rules
as the schema's record definitions (:func:`.schema.parse_edge` and friends). When any column is
irregular — a wrong type, an unknown member, a reference to a missing native, a duplicate id, a
contradiction — these functions return None and the reader takes the record-by-record path,
which finds the first offending record and reports it with its JSON pointer. So the fast path
only ever accepts what the slow path accepts (the tests compare both on every fixture and on
random mutations).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from itertools import compress, repeat
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.rootdump.schema import EDGE_KINDS, INDEX_MAX

__all__ = [
    "EdgeColumns",
    "NativeColumns",
    "addresses_ok",
    "checked_native_columns",
    "columnar_edges",
    "contradiction",
    "edge_columns",
    "isolates_and_contexts_known",
    "native_columns",
    "native_columns_regular",
]

I64 = npt.NDArray[np.int64]


class _Missing:
    """Stands for an absent member (``null`` is a value, and an invalid one)."""


MISSING = _Missing()
_NATIVE_FIELDS = frozenset({"id", "class", "size", "address", "name", "isolate", "context"})
_NATIVE_REQUIRED = frozenset({"id", "class", "size"})
_EDGE_FIELDS = frozenset({"kind", "from", "to", "key", "name", "isolate"})
_EDGE_REQUIRED = frozenset({"kind", "from", "to"})
_JS_REF = frozenset({"js"})
_NATIVE_REF = frozenset({"native"})
_HEX = frozenset("0123456789abcdefABCDEF")
_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_HANDLES = [_CODE["strong_global_handle"], _CODE["weak_global_handle"]]
_CALLBACK = _CODE["weak_callback"]
_EPHEMERON = _CODE["ephemeron"]
_ELEMENT = _CODE["element"]
_FAMILY = {  # contradiction families: (family, retains?)
    _CODE["strong"]: (0, True),
    _CODE["weak"]: (0, False),
    _CODE["strong_global_handle"]: (1, True),
    _CODE["weak_global_handle"]: (1, False),
}


def _shapes_ok(records: list[Any], fields: frozenset[str], required: frozenset[str]) -> bool:
    if set(map(type, records)) != {dict}:
        return False
    for shape in set(map(frozenset, records)):
        if not required <= shape:
            return False
        if any(key not in fields and not key.startswith("x_") for key in shape):
            return False
    return True


def _types(values: list[Any]) -> set[type]:
    return set(map(type, values))


def _optional_ids(values: list[Any]) -> bool:
    """Every value absent or a non-empty string."""
    return _types(values) <= {str, _Missing} and "" not in values


@dataclass(frozen=True, slots=True)
class NativeColumns:
    """The ``natives`` array, checked."""

    ids: list[str]
    classes: list[str]
    names: list[str]
    sizes: I64
    isolates: list[str | None]
    contexts: list[str | None]
    addresses: list[str | None]


def native_columns(
    records: list[Any], known_contexts: dict[str, set[str]], only_isolate: str | None
) -> NativeColumns | None:
    """The natives as columns, or None when any record needs the record-by-record path."""
    if not records:
        return NativeColumns([], [], [], np.zeros(0, np.int64), [], [], [])
    if not _shapes_ok(records, _NATIVE_FIELDS, _NATIVE_REQUIRED):
        return None
    ids = list(map(itemgetter("id"), records))
    classes = list(map(itemgetter("class"), records))
    sizes = list(map(itemgetter("size"), records))
    if _types(ids) != {str} or "" in ids or len(set(ids)) != len(ids):
        return None
    if _types(classes) != {str} or _types(sizes) != {int}:
        return None
    try:
        size_column = np.array(sizes, dtype=np.int64)
    except OverflowError:
        return None
    if size_column.min() < 0:
        return None
    names = list(map(methodcaller("get", "name", MISSING), records))
    addresses = list(map(methodcaller("get", "address", MISSING), records))
    isolates = list(map(methodcaller("get", "isolate", MISSING), records))
    contexts = list(map(methodcaller("get", "context", MISSING), records))
    if (
        _types(names) - {str, _Missing}
        or not _optional_ids(isolates)
        or not _optional_ids(contexts)
    ):
        return None
    if _types(addresses) - {str, _Missing}:
        return None
    for address in set(addresses) - {MISSING}:
        if len(address) < 3 or not address.startswith("0x") or not _HEX.issuperset(address[2:]):
            return None
    isolate_column = [None if i is MISSING else i for i in isolates]
    context_column = [None if c is MISSING else c for c in contexts]
    if not isolates_and_contexts_known(
        isolate_column, context_column, known_contexts, only_isolate
    ):
        return None
    return NativeColumns(
        ids=ids,
        classes=classes,
        names=[i if n is MISSING else n for n, i in zip(names, ids, strict=True)],
        sizes=size_column,
        isolates=isolate_column,
        contexts=context_column,
        addresses=[None if a is MISSING else a for a in addresses],
    )


def isolates_and_contexts_known(
    isolates: list[str | None],
    contexts: list[str | None],
    known_contexts: dict[str, set[str]],
    only_isolate: str | None,
) -> bool:
    """Whether every native's ``isolate`` (None: absent) is one of ``known_contexts`` and its
    ``context`` one of its isolate's (the tree's only isolate when it names none).

    >>> isolates_and_contexts_known([None, "a"], ["c", None], {"a": {"c"}}, "a")
    True
    >>> isolates_and_contexts_known([None], ["c"], {"a": {"c"}, "b": set()}, None)
    False
    """
    for isolate, context in set(zip(isolates, contexts, strict=True)):
        home = only_isolate if isolate is None else isolate
        if isolate is not None and isolate not in known_contexts:
            return False
        if context is not None and (home is None or context not in known_contexts.get(home, ())):
            return False
    return True


@dataclass(frozen=True, slots=True)
class EdgeColumns:
    """The ``edges`` array, checked, with native references resolved to native indices."""

    kind: npt.NDArray[np.uint8]
    from_native: npt.NDArray[np.bool_]
    from_value: I64
    to_native: npt.NDArray[np.bool_]
    to_value: I64
    has_key: npt.NDArray[np.bool_]
    key_native: npt.NDArray[np.bool_]
    key_value: I64
    name_code: npt.NDArray[np.int32]
    name_values: tuple[str | int | None, ...]
    isolate_code: npt.NDArray[np.int32]
    isolate_values: tuple[str | None, ...]


def _refs(
    refs: list[Any], native_index: dict[str, int]
) -> tuple[npt.NDArray[np.bool_], I64] | None:
    """(is_native, value) of each reference; native ids resolved; None when irregular."""
    if _types(refs) != {dict}:
        return None
    shapes = set(map(frozenset, refs))
    if not shapes <= {_JS_REF, _NATIVE_REF}:
        return None
    is_js = np.fromiter(map(methodcaller("__contains__", "js"), refs), np.bool_, len(refs))
    values = np.empty(len(refs), dtype=np.int64)
    js_positions = np.flatnonzero(is_js)
    native_positions = np.flatnonzero(~is_js)
    if js_positions.size:
        js = list(map(itemgetter("js"), compress(refs, is_js.tolist())))
        if _types(js) != {int}:
            return None
        try:
            values[js_positions] = np.array(js, dtype=np.int64)
        except OverflowError:
            return None
    if native_positions.size:
        native = list(map(itemgetter("native"), compress(refs, (~is_js).tolist())))
        resolved = list(map(native_index.get, native))
        if None in resolved:
            return None  # a missing native (or a non-string id): reported record by record
        values[native_positions] = np.array(resolved, dtype=np.int64)
    return ~is_js, values


def _codes(values: list[Any]) -> tuple[npt.NDArray[np.int32], tuple[Any, ...]]:
    table = {value: code for code, value in enumerate(dict.fromkeys(values))}
    codes = np.fromiter(map(table.__getitem__, values), np.int32, len(values))
    return codes, tuple(table)


def edge_columns(records: list[Any], native_index: dict[str, int]) -> EdgeColumns | None:
    """The edges as columns, or None when any record needs the record-by-record path."""
    count = len(records)
    if not count:
        return None
    if not _shapes_ok(records, _EDGE_FIELDS, _EDGE_REQUIRED):
        return None
    words = list(map(itemgetter("kind"), records))
    if _types(words) != {str} or not set(words) <= _CODE.keys():
        return None
    kind = np.fromiter(map(_CODE.__getitem__, words), np.uint8, count)
    source = _refs(list(map(itemgetter("from"), records)), native_index)
    target = _refs(list(map(itemgetter("to"), records)), native_index)
    if source is None or target is None:
        return None
    from_native, from_value = source
    to_native, to_value = target
    handles = np.isin(kind, _HANDLES)
    if np.any(handles & (~from_native | to_native)):
        return None
    callbacks = kind == _CALLBACK
    if np.any(callbacks & (from_native | ~to_native)):
        return None
    has_key = np.fromiter(map(methodcaller("__contains__", "key"), records), np.bool_, count)
    if np.any(has_key != (kind == _EPHEMERON)):
        return None
    key_native = np.zeros(count, dtype=np.bool_)
    key_value = np.full(count, -1, dtype=np.int64)
    key_rows = np.flatnonzero(has_key)
    if key_rows.size:
        keys = _refs([records[i]["key"] for i in key_rows.tolist()], native_index)
        if keys is None:
            return None
        key_native[key_rows], key_value[key_rows] = keys
    names = list(map(methodcaller("get", "name", None), records))
    has_name = np.fromiter(map(methodcaller("__contains__", "name"), records), np.bool_, count)
    name_types = _types(names)
    if name_types - {str, int, type(None)}:
        return None
    if type(None) in name_types and names.count(None) != count - int(has_name.sum()):
        return None  # an explicit "name": null
    elements = np.flatnonzero(kind == _ELEMENT)
    if elements.size:
        element_names = [names[i] for i in elements.tolist()]
        if (
            _types(element_names) != {int}
            or min(element_names) < 0
            or max(element_names) > INDEX_MAX
        ):
            return None
    isolates = list(map(methodcaller("get", "isolate", MISSING), records))
    if not _optional_ids(isolates):
        return None
    name_code, name_values = _codes(names)
    # "No isolate" is always code 0, as in the record-by-record reader.
    isolate_code, isolate_values = _codes([None, *(None if i is MISSING else i for i in isolates)])
    isolate_code = isolate_code[1:]
    if contradiction(kind, from_native, from_value, to_native, to_value, name_code):
        return None
    return EdgeColumns(
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
        isolate_code=isolate_code,
        isolate_values=isolate_values,
    )


def contradiction(
    kind: npt.NDArray[np.uint8],
    from_native: npt.NDArray[np.bool_],
    from_value: I64,
    to_native: npt.NDArray[np.bool_],
    to_value: I64,
    name_code: npt.NDArray[np.int32],
) -> bool:
    """Whether two edges of one family (strong/weak, strong/weak handle) link the same pair
    under the same name with opposite retention."""
    family = np.full(256, -1, dtype=np.int64)
    retains = np.zeros(256, dtype=np.bool_)
    for code, (fam, strong) in _FAMILY.items():
        family[code] = fam
        retains[code] = strong
    rows = np.flatnonzero(family[kind] >= 0)
    if rows.size < 2:
        return False
    keys = (
        name_code[rows],
        to_value[rows],
        to_native[rows],
        from_value[rows],
        from_native[rows],
        family[kind[rows]],
    )
    order = np.lexsort(keys)
    sorted_keys = [k[order] for k in keys]
    same = np.ones(rows.size - 1, dtype=np.bool_)
    for column in sorted_keys:
        same &= column[1:] == column[:-1]
    polarity = retains[kind[rows][order]]
    return bool(np.any(same & (polarity[1:] != polarity[:-1])))


def _column_refs(
    values: list[Any], native_index: dict[str, int], where: str, path: str, allow_null: bool
) -> tuple[npt.NDArray[np.bool_], I64, npt.NDArray[np.bool_], list[int]]:
    """(is_native, value, present, rows naming a missing native) of a reference column."""
    count = len(values)
    allowed = {int, str, type(None)} if allow_null else {int, str}
    if _types(values) - allowed or "" in values:
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
    if not set(words) <= _CODE.keys():
        row = next(i for i, w in enumerate(words) if w not in _CODE)
        raise SnapshotFormatError(
            path, f"/edge_columns/kind/{row}", f"unknown edge kind {words[row]!r}"
        )
    kind = np.fromiter(map(_CODE.__getitem__, words), np.uint8, count)
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
    if _types(names) - {str, int, type(None)}:
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
    if _types(isolates) - {str, type(None)} or "" in isolates:
        raise SnapshotFormatError(path, "/edge_columns/isolate", "must hold isolate ids or null")
    name_code, name_values = _codes(names)
    isolate_code, isolate_values = _codes([None, *isolates])
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
    family = np.full(256, -1, dtype=np.int64)
    retains = np.zeros(256, dtype=np.bool_)
    for code, (fam, strong) in _FAMILY.items():
        family[code] = fam
        retains[code] = strong
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
        return not (len(value) > 2 and value.startswith("0x") and _HEX.issuperset(value[2:]))
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
        regular = _types(values) <= types
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
