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
random mutations). The optional columnar members (``native_columns``, ``edge_columns``) are read
by :mod:`.columnar` into the same :class:`NativeColumns` and :class:`EdgeColumns`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.importers.rootdump.schema import EDGE_KINDS, INDEX_MAX

__all__ = [
    "HEX_DIGITS",
    "MISSING",
    "EdgeColumns",
    "NativeColumns",
    "contradiction",
    "edge_columns",
    "isolates_and_contexts_known",
    "native_columns",
    "retention_families",
    "value_codes",
    "value_types",
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
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
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


def value_types(values: list[Any]) -> set[type]:
    """The Python types among ``values``."""
    return set(map(type, values))


def _optional_ids(values: list[Any]) -> bool:
    """Every value absent or a non-empty string."""
    return value_types(values) <= {str, _Missing} and "" not in values


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
    if value_types(ids) != {str} or "" in ids or len(set(ids)) != len(ids):
        return None
    if value_types(classes) != {str} or value_types(sizes) != {int}:
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
        value_types(names) - {str, _Missing}
        or not _optional_ids(isolates)
        or not _optional_ids(contexts)
    ):
        return None
    if value_types(addresses) - {str, _Missing}:
        return None
    for address in set(addresses) - {MISSING}:
        if (
            len(address) < 3
            or not address.startswith("0x")
            or not HEX_DIGITS.issuperset(address[2:])
        ):
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
    if value_types(refs) != {dict}:
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
        if value_types(js) != {int}:
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


def value_codes(values: list[Any]) -> tuple[npt.NDArray[np.int32], tuple[Any, ...]]:
    """Each value's code (the order of first appearance) and the distinct values.

    >>> codes, distinct = value_codes(["b", None, "b"])
    >>> codes.tolist(), distinct
    ([0, 1, 0], ('b', None))
    """
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
    if value_types(words) != {str} or not set(words) <= _CODE.keys():
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
    name_types = value_types(names)
    if name_types - {str, int, type(None)}:
        return None
    if type(None) in name_types and names.count(None) != count - int(has_name.sum()):
        return None  # an explicit "name": null
    elements = np.flatnonzero(kind == _ELEMENT)
    if elements.size:
        element_names = [names[i] for i in elements.tolist()]
        if (
            value_types(element_names) != {int}
            or min(element_names) < 0
            or max(element_names) > INDEX_MAX
        ):
            return None
    isolates = list(map(methodcaller("get", "isolate", MISSING), records))
    if not _optional_ids(isolates):
        return None
    name_code, name_values = value_codes(names)
    # "No isolate" is always code 0, as in the record-by-record reader.
    isolate_code, isolate_values = value_codes(
        [None, *(None if i is MISSING else i for i in isolates)]
    )
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


def retention_families() -> tuple[I64, npt.NDArray[np.bool_]]:
    """Per edge-kind code: its contradiction family (-1: none; strong/weak references are one
    family, strong/weak global handles another) and whether it retains."""
    family = np.full(256, -1, dtype=np.int64)
    retains = np.zeros(256, dtype=np.bool_)
    for code, (fam, strong) in _FAMILY.items():
        family[code] = fam
        retains[code] = strong
    return family, retains


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
    family, retains = retention_families()
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
