"""A root dump in the plain form, read without building a Python object per record.

:func:`split_plain_document` cuts the ``natives`` and ``edges`` arrays out of the document's
bytes and reads them with the kernels of :mod:`.plain_json`; the rest of the document (process
tree, roots, producer, ...) is small and parsed by ``orjson``. :func:`plain_columns` then
applies, column by column, the same rules as :func:`.columns.native_columns` and
:func:`.columns.edge_columns` and gives the same :class:`~.columns.NativeColumns` and
:class:`~.columns.EdgeColumns` they give for that document. Whenever a rule does not hold, or
a value is outside the plain form, the answer is None and the reader parses the document the
general way, which reports the problem with its JSON pointer; so this path only ever reads
documents the general path reads identically (the tests compare both on every fixture, on
random dumps and on random mutations of their bytes).

Examples
--------
>>> text = (b'{"format": "leakhunt-rootdump", "version": 1, "graph": "overlay",'
...         b' "processes": [], "natives": [{"id": "n1", "class": "Entry", "size": 8}],'
...         b' "edges": [{"kind": "strong_global_handle", "from": {"native": "n1"},'
...         b' "to": {"js": 5}, "name": "object_"}]}')
>>> document = split_plain_document(text)
>>> document.doc["natives"], document.doc["graph"]
([], 'overlay')
>>> columns = plain_columns(document, {}, None)
>>> columns.natives.ids, columns.edges.from_value.tolist(), columns.edges.to_value.tolist()
(['n1'], [0], [5])
>>> split_plain_document(b'{"natives": [{"id": "n\\\\u0031"}]}') is None   # an escape
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from leakhunt.importers.rootdump.columnar import addresses_ok
from leakhunt.importers.rootdump.columns import (
    EdgeColumns,
    NativeColumns,
    contradiction,
    isolates_and_contexts_known,
)
from leakhunt.importers.rootdump.plain_json import (
    ABSENT,
    INTEGER,
    JS_REF,
    NATIVE_REF,
    STRING,
    intern_spans,
    parse_records,
    split_top_level,
)
from leakhunt.importers.rootdump.schema import EDGE_KINDS, INDEX_MAX

__all__ = ["PlainArray", "PlainColumns", "PlainDocument", "plain_columns", "split_plain_document"]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

NATIVE_MEMBERS = ("id", "class", "size", "address", "name", "isolate", "context")
EDGE_MEMBERS = ("kind", "from", "to", "key", "name", "isolate")
_ARRAYS = {b"natives": NATIVE_MEMBERS, b"edges": EDGE_MEMBERS}
_ARRAY_START = re.compile(rb"[ \t\n\r]*\[")
_MAX_MEMBERS = 256
"""More top-level members than this: not a plain dump (the format has ten)."""
_KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_EPHEMERON = _KIND_CODE["ephemeron"]
_ELEMENT = _KIND_CODE["element"]
_CALLBACK = _KIND_CODE["weak_callback"]
_HANDLES = [_KIND_CODE["strong_global_handle"], _KIND_CODE["weak_global_handle"]]
_REFS = [JS_REF, NATIVE_REF]


@dataclass(frozen=True, slots=True)
class PlainArray:
    """One record array as columns (see :func:`.plain_json.parse_records_reference`)."""

    tags: npt.NDArray[np.int8]
    first: I64
    second: I64
    members: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.tags.shape[0])

    def column(self, member: str) -> tuple[npt.NDArray[np.int8], I64, I64]:
        """Tags, first and second values of one member."""
        s = self.members.index(member)
        return self.tags[:, s], self.first[:, s], self.second[:, s]


@dataclass(frozen=True, slots=True)
class PlainDocument:
    """A document whose ``natives`` and ``edges`` were read by the kernels."""

    doc: dict[str, Any]
    """Everything else, parsed; ``natives`` and ``edges`` (when present) are empty lists."""
    data: bytes
    buf: U8
    natives: PlainArray | None
    edges: PlainArray | None


@dataclass(frozen=True, slots=True)
class PlainColumns:
    """The two arrays, checked, in the general reader's column form."""

    natives: NativeColumns
    edges: EdgeColumns | None
    """None when the document has no edges."""


def split_plain_document(data: bytes) -> PlainDocument | None:
    """The document with its large arrays read as columns; None when it is not plain."""
    buf = np.frombuffer(data, dtype=np.uint8)
    spans = np.zeros((_MAX_MEMBERS, 4), dtype=np.int64)
    count = split_top_level(buf, spans)
    if count < 0:
        return None
    parts: list[bytes] = []
    arrays: dict[bytes, PlainArray] = {}
    for key_start, key_end, value_start, value_end in spans[:count].tolist():
        key = data[key_start:key_end]
        members = _ARRAYS.get(key)
        if members is None or _ARRAY_START.match(data, value_start) is None:
            parts.append(data[key_start - 1 : value_end])
            continue
        if key in arrays:
            return None  # a repeated member: left to the general parser's rule
        names = "".join(members).encode("ascii")
        offsets = np.cumsum([0, *map(len, members)]).astype(np.int64)
        records, tags, first, second = parse_records(
            buf,
            value_start,
            value_end,
            np.frombuffer(names, dtype=np.uint8),
            offsets,
            _record_bound(data, value_start, value_end),
        )
        if records < 0:
            return None
        arrays[key] = PlainArray(tags, first, second, members)
        parts.append(b'"' + key + b'":[]')
    try:
        doc = orjson.loads(b"{" + b",".join(parts) + b"}")
    except orjson.JSONDecodeError:
        return None
    return PlainDocument(doc, data, buf, arrays.get(b"natives"), arrays.get(b"edges"))


def _record_bound(data: bytes, start: int, end: int) -> int:
    """At most this many records in ``data[start:end]``: each opens with a "{". (The outputs
    sized by it are zero-filled by the allocator on first touch, so the references' braces
    counted too cost address space, not memory.)"""
    return data.count(b"{", start, end)


def _all(tags: npt.NDArray[np.int8], allowed: list[int] | int) -> bool:
    return bool(np.all(np.isin(tags, allowed)))


class _Strings:
    """Every string value the columns need, numbered by content in one pass; only the distinct
    ones become Python strings."""

    def __init__(self, data: bytes, buf: U8, spans: list[tuple[I64, I64]]) -> None:
        starts = np.concatenate([s for s, _ in spans]) if spans else np.zeros(0, np.int64)
        ends = np.concatenate([e for _, e in spans]) if spans else np.zeros(0, np.int64)
        codes, firsts = intern_spans(buf, starts, ends)
        self.text: list[str | None] = [*_decode_spans(data, starts[firsts], ends[firsts]), None]
        """The text of each number; number -1 (the last entry) stands for "absent"."""
        self.empty = ends[firsts] == starts[firsts]
        bounds = np.cumsum([0, *(s.size for s, _ in spans)]).tolist()
        self.codes = [codes[a:b] for a, b in pairwise(bounds)]

    def values(self, codes: I64) -> list[Any]:
        """The text of each number (None for -1)."""
        return list(map(self.text.__getitem__, codes.tolist()))


def _decode_spans(data: bytes, starts: I64, ends: I64) -> list[str]:
    """``data[start:end].decode()`` of each span, as one decode: the spans' bytes gathered with
    a newline after each (plain strings hold no control characters), then split."""
    if not starts.size:
        return []
    lengths = ends - starts
    total = int(lengths.sum()) + starts.size
    # Index of every byte to gather; the slot after each span points at a newline.
    offsets = np.zeros(starts.size, dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=offsets[1:])
    # The slot after a span reads its closing quote, then becomes the newline.
    index = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths + 1)
    gathered = np.frombuffer(data, dtype=np.uint8)[index]
    gathered[offsets + lengths] = 10
    texts = gathered.tobytes().decode("ascii").split("\n")
    texts.pop()
    return texts


def plain_columns(
    document: PlainDocument, known_contexts: dict[str, set[str]], only_isolate: str | None
) -> PlainColumns | None:
    """The checked columns, or None when any rule needs the general reader (see the module
    docstring). ``known_contexts`` maps each isolate of the process tree to its context ids;
    ``only_isolate`` is the tree's single isolate, if it has one."""
    natives = document.natives
    edges = document.edges
    native_count = len(natives) if natives is not None else 0
    wanted: list[tuple[I64, I64]] = []
    string_columns: list[tuple[str, int, str, npt.NDArray[np.bool_]]] = []
    if natives is not None:
        if not (
            _all(natives.column("id")[0], STRING)
            and _all(natives.column("class")[0], STRING)
            and _all(natives.column("size")[0], INTEGER)
        ):
            return None
        for member in ("address", "name", "isolate", "context"):
            if not _all(natives.column(member)[0], [ABSENT, STRING]):
                return None
        for member in ("id", "class", "address", "name", "isolate", "context"):
            tags, first, second = natives.column(member)
            present = tags == STRING
            wanted.append((first[present], second[present]))
            string_columns.append(("natives", len(natives), member, present))
    if edges is not None:
        if not _all(edges.column("kind")[0], STRING):
            return None
        for member in ("from", "to"):
            if not _all(edges.column(member)[0], _REFS):
                return None
        if not _all(edges.column("key")[0], [ABSENT, *_REFS]):
            return None
        if not _all(edges.column("name")[0], [ABSENT, STRING, INTEGER]):
            return None
        if not _all(edges.column("isolate")[0], [ABSENT, STRING]):
            return None
        for member, tag in (
            ("from", NATIVE_REF),
            ("to", NATIVE_REF),
            ("key", NATIVE_REF),
            ("kind", STRING),
            ("name", STRING),
            ("isolate", STRING),
        ):
            tags, first, second = edges.column(member)
            present = tags == tag
            wanted.append((first[present], second[present]))
            string_columns.append(("edges", len(edges), member, present))
    strings = _Strings(document.data, document.buf, wanted)
    codes: dict[tuple[str, str], I64] = {}
    for (array, rows, member, present), found in zip(string_columns, strings.codes, strict=True):
        full = np.full(rows, -1, dtype=np.int64)
        full[present] = found
        codes[(array, member)] = full
    native_columns = _natives(natives, codes, strings, known_contexts, only_isolate)
    if native_columns is None:
        return None
    if edges is None or not len(edges):
        return PlainColumns(native_columns, None)
    edge_columns = _edges(edges, codes, strings, native_count)
    if edge_columns is None:
        return None
    return PlainColumns(native_columns, edge_columns)


def _natives(
    natives: PlainArray | None,
    codes: dict[tuple[str, str], I64],
    strings: _Strings,
    known_contexts: dict[str, set[str]],
    only_isolate: str | None,
) -> NativeColumns | None:
    if natives is None or not len(natives):
        return NativeColumns([], [], [], np.zeros(0, np.int64), [], [], [])
    count = len(natives)
    ids = codes[("natives", "id")]
    # Native ids are numbered first, so unique ids are numbered 0, 1, 2, ... in file order.
    if not np.array_equal(ids, np.arange(count)) or strings.empty[ids].any():
        return None
    for member in ("isolate", "context"):
        present = codes[("natives", member)]
        if strings.empty[present[present >= 0]].any():
            return None
    addresses = codes[("natives", "address")]
    if not addresses_ok(strings.values(np.unique(addresses[addresses >= 0]))):
        return None
    id_texts = strings.values(ids)
    isolates = strings.values(codes[("natives", "isolate")])
    contexts = strings.values(codes[("natives", "context")])
    if not isolates_and_contexts_known(isolates, contexts, known_contexts, only_isolate):
        return None
    name_codes = codes[("natives", "name")]
    return NativeColumns(
        ids=id_texts,
        classes=strings.values(codes[("natives", "class")]),
        names=strings.values(np.where(name_codes >= 0, name_codes, ids)),
        sizes=natives.column("size")[1].copy(),
        isolates=isolates,
        contexts=contexts,
        addresses=strings.values(addresses),
    )


def _first_appearance(keys: I64) -> tuple[npt.NDArray[np.int32], I64]:
    """(code of each key, in order of first appearance; the first row of each code)."""
    distinct, first_rows, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first_rows, kind="stable")
    rank = np.empty(distinct.size, dtype=np.int32)
    rank[order] = np.arange(distinct.size, dtype=np.int32)
    return rank[inverse.reshape(-1)], first_rows[order]


def _edges(
    edges: PlainArray, codes: dict[tuple[str, str], I64], strings: _Strings, native_count: int
) -> EdgeColumns | None:
    kind_texts = strings.text[:-1]
    kind_codes = codes[("edges", "kind")]
    lookup = np.full(len(kind_texts) + 1, -1, dtype=np.int64)
    for code in np.unique(kind_codes).tolist():
        lookup[code] = _KIND_CODE.get(kind_texts[code] or "", -1)
    kind_values = lookup[kind_codes]
    if (kind_values < 0).any():
        return None
    kind = kind_values.astype(np.uint8)
    sides: list[tuple[npt.NDArray[np.bool_], I64]] = []
    for member in ("from", "to", "key"):
        tags, first, _ = edges.column(member)
        is_native = tags == NATIVE_REF
        native = codes[("edges", member)]
        # Native ids were numbered first: a reference numbered past them names no native.
        if (native[is_native] >= native_count).any():
            return None
        sides.append((is_native, np.where(is_native, native, np.where(tags == JS_REF, first, -1))))
    (from_native, from_value), (to_native, to_value), (key_native, key_value) = sides
    if np.any(np.isin(kind, _HANDLES) & (~from_native | to_native)):
        return None
    if np.any((kind == _CALLBACK) & (from_native | ~to_native)):
        return None
    has_key = edges.column("key")[0] != ABSENT
    if np.any(has_key != (kind == _EPHEMERON)):
        return None
    name_tags, name_numbers, _ = edges.column("name")
    elements = kind == _ELEMENT
    if np.any(elements & ((name_tags != INTEGER) | (name_numbers > INDEX_MAX))):
        return None
    # One key per distinct name: absent, a string (by its number) or an integer.
    name_keys = np.where(
        name_tags == STRING,
        (1 << 60) + codes[("edges", "name")],
        np.where(name_tags == INTEGER, (2 << 60) + name_numbers, 0),
    )
    name_code, name_rows = _first_appearance(name_keys)
    string_names = codes[("edges", "name")]
    name_values = tuple(
        strings.text[int(string_names[row])]
        if name_tags[row] == STRING
        else int(name_numbers[row])
        if name_tags[row] == INTEGER
        else None
        for row in name_rows.tolist()
    )
    isolates = codes[("edges", "isolate")]
    if strings.empty[isolates[isolates >= 0]].any():
        return None
    # "No isolate" is code 0, as in the record-by-record reader.
    isolate_code, isolate_rows = _first_appearance(np.concatenate([[-1], isolates]))
    isolate_values = tuple(strings.values(np.concatenate([[-1], isolates])[isolate_rows]))
    if contradiction(kind, from_native, from_value, to_native, to_value, name_code):
        return None
    return EdgeColumns(
        kind=kind,
        from_native=from_native,
        from_value=from_value,
        to_native=to_native,
        to_value=to_value,
        has_key=has_key,
        key_native=key_native & has_key,
        key_value=np.where(has_key, key_value, -1),
        name_code=name_code.astype(np.int32),
        name_values=name_values,
        isolate_code=isolate_code[1:].astype(np.int32),
        isolate_values=isolate_values,
    )
