"""Kernels that read the plain form of a root dump's two large arrays straight from its bytes.

``orjson`` turns a dump of 100,000 natives and 300,000 edges into 700,000 dicts and a million
strings in about 0.9 s, and pulling columns back out of them takes as long again. Dumpers write
those records in one plain form: members named as the format names them, values that are
ASCII strings without escapes, non-negative integers of at most 18 digits, ``null`` or a
one-member reference object. These kernels read that form column-wise in one pass over the
bytes (about 0.1 s), and report anything else as irregular (-1), so that the caller parses the
whole document with ``orjson`` instead, which accepts or refuses it and names the bad record
exactly as before. They never decide that a document is invalid; they only decline to read it.

Three kernels, each compiled from the plain-Python function beside it (the reference twin the
tests compare it with):

* :func:`split_top_level_reference` finds the members of the top-level object;
* :func:`parse_records_reference` reads an array of flat records into tag/value columns;
* :func:`intern_spans_reference` numbers byte strings by content (one hash table pass), so
  that only the distinct strings ever become Python objects.

Examples
--------
>>> import numpy as np
>>> text = b'{"a": 1, "edges": [{"kind": "weak", "to": {"js": 7}}]}'
>>> buf = np.frombuffer(text, dtype=np.uint8)
>>> spans = np.zeros((4, 4), dtype=np.int64)
>>> count = split_top_level_reference(buf, spans)
>>> [text[k0:k1] for k0, k1, _, _ in spans[:count].tolist()]
[b'a', b'edges']
>>> names = np.frombuffer(b"kindfromto", dtype=np.uint8)
>>> offsets = np.array([0, 4, 8, 10])
>>> tags = np.zeros(3, dtype=np.int8)
>>> first, second = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64)
>>> parse_records_reference(
...     buf, int(spans[1, 2]), int(spans[1, 3]), names, offsets, tags, first, second)
1
>>> tags.tolist(), int(first[2]), text[int(first[0]):int(second[0])]
([1, 0, 4], 7, b'weak')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.lazy_kernel import lazy_kernel

__all__ = [
    "ABSENT",
    "INTEGER",
    "JS_REF",
    "MAX_DIGITS",
    "NATIVE_REF",
    "NULL",
    "STRING",
    "intern_spans",
    "intern_spans_reference",
    "parse_records",
    "parse_records_reference",
    "split_top_level",
    "split_top_level_reference",
]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

ABSENT = 0
"""Tag of a member the record does not have."""
STRING = 1
"""A string: ``first``/``second`` are the byte offsets of its text (without the quotes)."""
INTEGER = 2
"""A non-negative integer: ``first`` is its value."""
NULL = 3
"""``null``."""
JS_REF = 4
"""``{"js": N}``: ``first`` is N."""
NATIVE_REF = 5
"""``{"native": "ID"}``: ``first``/``second`` are the offsets of ID."""

MAX_DIGITS = 18
"""At most this many digits: every value read is below 10**18 < 2**63."""


def split_top_level_reference(buf: U8, spans: I64) -> int:
    """Members of the top-level object: their count, with ``spans[m]`` = (key start, key end,
    value start, value end) as byte offsets; -1 when the document is not an object whose keys
    are plain (no escapes), or has more members than ``spans`` has rows.

    Values are only delimited here (strings and nesting are followed, nothing is checked): the
    caller parses every value it keeps, so an invalid one is still refused there.
    """
    n = buf.shape[0]
    capacity = spans.shape[0]
    i = 0
    while i < n and (buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9):
        i += 1
    if i == n or buf[i] != 123:  # "{"
        return -1
    i += 1
    while i < n and (buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9):
        i += 1
    if i == n:
        return -1
    count = 0
    if buf[i] == 125:  # "{}"
        i += 1
    else:
        while True:
            while i < n and (buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9):
                i += 1
            if i == n or buf[i] != 34:
                return -1
            i += 1
            key_start = i
            while i < n and buf[i] != 34:
                if buf[i] == 92 or buf[i] < 32:
                    return -1
                i += 1
            if i == n:
                return -1
            key_end = i
            i += 1
            while i < n and (buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9):
                i += 1
            if i == n or buf[i] != 58:  # ":"
                return -1
            i += 1
            value_start = i
            depth = 0
            while i < n:
                c = buf[i]
                if c == 34:
                    i += 1
                    while i < n and buf[i] != 34:
                        if buf[i] == 92:
                            i += 1
                        i += 1
                    if i >= n:
                        return -1
                elif c == 123 or c == 91:
                    depth += 1
                elif c == 125 or c == 93:
                    if depth == 0:
                        break
                    depth -= 1
                elif c == 44 and depth == 0:
                    break
                i += 1
            if i >= n or count == capacity:
                return -1
            spans[count, 0] = key_start
            spans[count, 1] = key_end
            spans[count, 2] = value_start
            spans[count, 3] = i
            count += 1
            if buf[i] == 44:
                i += 1
                continue
            if buf[i] != 125:
                return -1
            i += 1
            break
    while i < n and (buf[i] == 32 or buf[i] == 10 or buf[i] == 13 or buf[i] == 9):
        i += 1
    return count if i == n else -1


# States of parse_records_reference.
_ARRAY = 0  # before "["
_FIRST_RECORD = 1  # after "[": a record or "]"
_RECORD = 2  # after ",": a record
_FIRST_MEMBER = 3  # after "{": a member name or "}"
_MEMBER = 4  # after ",": a member name
_COLON = 5
_VALUE = 6
_AFTER_MEMBER = 7  # "," or "}"
_REF_NAME = 8  # after "{" of a reference: "js" or "native"
_REF_COLON = 9
_REF_VALUE = 10
_REF_CLOSE = 11  # "}" of a reference
_AFTER_RECORD = 12  # "," or "]"
_DONE = 13


def parse_records_reference(
    buf: U8,
    start: int,
    end: int,
    names: U8,
    name_offsets: I64,
    tags: npt.NDArray[np.int8],
    first: I64,
    second: I64,
) -> int:
    """Read ``buf[start:end]``, a JSON array of flat records, as columns.

    ``names[name_offsets[s]:name_offsets[s + 1]]`` is the member name of column ``s``. For
    record ``r`` and column ``s`` (element ``r * columns + s`` of the zero-filled outputs),
    ``tags`` is one of :data:`ABSENT`, :data:`STRING`, :data:`INTEGER`, :data:`NULL`,
    :data:`JS_REF`, :data:`NATIVE_REF` and ``first``/``second`` hold its value (see each tag).

    Returns the number of records; -2 when the outputs are too small; -1 when the text is not
    in the plain form: whitespace, arrays, objects and members as JSON has them, but only the
    named members, each at most once per record, and only the values the tags describe
    (strings of printable ASCII without ``"`` or ``\\``; integers without a sign, fraction or
    exponent, of at most :data:`MAX_DIGITS` digits; one-member reference objects).
    """
    columns = name_offsets.shape[0] - 1
    capacity = tags.shape[0] // columns
    state = _ARRAY
    count = 0
    cell = 0  # output element of the member being read
    reference = 0  # JS_REF or NATIVE_REF while inside a reference object
    i = start
    while i < end:
        c = buf[i]
        if c == 32 or c == 10 or c == 13 or c == 9:
            i += 1
            continue
        if state == _ARRAY:
            if c != 91:  # "["
                return -1
            state = _FIRST_RECORD
            i += 1
        elif state in (_FIRST_RECORD, _RECORD):
            if c == 93 and state == _FIRST_RECORD:  # "]": no records
                state = _DONE
            elif c == 123:  # "{"
                if count == capacity:
                    return -2
                count += 1
                state = _FIRST_MEMBER
            else:
                return -1
            i += 1
        elif state in (_FIRST_MEMBER, _MEMBER):
            if c == 125 and state == _FIRST_MEMBER:  # "{}"
                state = _AFTER_RECORD
                i += 1
                continue
            if c != 34:
                return -1
            i += 1
            key_start = i
            while i < end and buf[i] != 34:
                if buf[i] == 92 or buf[i] < 32:
                    return -1
                i += 1
            if i == end:
                return -1
            key_length = i - key_start
            i += 1
            column = -1
            for s in range(columns):
                name_start = name_offsets[s]
                if name_offsets[s + 1] - name_start == key_length:
                    k = 0
                    while k < key_length and buf[key_start + k] == names[name_start + k]:
                        k += 1
                    if k == key_length:
                        column = s
                        break
            if column < 0:
                return -1
            cell = (count - 1) * columns + column
            if tags[cell] != 0:
                return -1  # a repeated member
            state = _COLON
        elif state in (_COLON, _REF_COLON):
            if c != 58:  # ":"
                return -1
            state = _VALUE if state == _COLON else _REF_VALUE
            i += 1
        elif state == _REF_NAME:
            if c != 34:
                return -1
            if i + 4 <= end and buf[i + 1] == 106 and buf[i + 2] == 115 and buf[i + 3] == 34:
                reference = JS_REF  # "js"
                i += 4
            elif (
                i + 8 <= end
                and buf[i + 1] == 110
                and buf[i + 2] == 97
                and buf[i + 3] == 116
                and buf[i + 4] == 105
                and buf[i + 5] == 118
                and buf[i + 6] == 101
                and buf[i + 7] == 34
            ):
                reference = NATIVE_REF  # "native"
                i += 8
            else:
                return -1
            state = _REF_COLON
        elif state in (_VALUE, _REF_VALUE):
            if c == 123 and state == _VALUE:  # a reference object
                state = _REF_NAME
                i += 1
                continue
            if c == 34:  # a string
                if state == _REF_VALUE and reference != NATIVE_REF:
                    return -1
                i += 1
                text_start = i
                while i < end and buf[i] != 34:
                    if buf[i] < 32 or buf[i] > 126 or buf[i] == 92:
                        return -1
                    i += 1
                if i == end:
                    return -1
                tags[cell] = NATIVE_REF if state == _REF_VALUE else STRING
                first[cell] = text_start
                second[cell] = i
                i += 1
            elif 48 <= c <= 57:  # an integer
                if state == _REF_VALUE and reference != JS_REF:
                    return -1
                digits_start = i
                value = 0
                while i < end and 48 <= buf[i] <= 57:
                    value = value * 10 + (int(buf[i]) - 48)
                    i += 1
                digits = i - digits_start
                if digits > MAX_DIGITS or (digits > 1 and c == 48):
                    return -1
                tags[cell] = JS_REF if state == _REF_VALUE else INTEGER
                first[cell] = value
            elif c == 110 and state == _VALUE:  # null
                if i + 4 > end or buf[i + 1] != 117 or buf[i + 2] != 108 or buf[i + 3] != 108:
                    return -1
                tags[cell] = NULL
                i += 4
            else:
                return -1
            state = _AFTER_MEMBER if state == _VALUE else _REF_CLOSE
        elif state == _REF_CLOSE:
            if c != 125:
                return -1
            state = _AFTER_MEMBER
            i += 1
        elif state == _AFTER_MEMBER:
            if c == 44:
                state = _MEMBER
            elif c == 125:
                state = _AFTER_RECORD
            else:
                return -1
            i += 1
        elif state == _AFTER_RECORD:
            if c == 44:
                state = _RECORD
            elif c == 93:
                state = _DONE
            else:
                return -1
            i += 1
        else:  # _DONE: only whitespace may follow
            return -1
    return count if state == _DONE else -1


def intern_spans_reference(buf: U8, starts: I64, ends: I64) -> tuple[I64, I64]:
    """Number the byte strings ``buf[starts[k]:ends[k]]`` by content, in order of first
    appearance: ``(codes, firsts)`` with ``codes[k]`` the number of string ``k`` and
    ``firsts[c]`` the first ``k`` with number ``c``."""
    count = starts.shape[0]
    size = 16
    while size < 2 * count:
        size *= 2
    mask = size - 1
    table = np.full(size, -1, dtype=np.int64)
    codes = np.empty(count, dtype=np.int64)
    firsts = np.empty(count, dtype=np.int64)
    distinct = 0
    for k in range(count):
        start = starts[k]
        length = ends[k] - start
        digest = length
        for j in range(length):
            digest = (digest * 31 + int(buf[start + j])) & 0xFFFFFFFFFFFF
        slot = (digest ^ (digest >> 21)) & mask
        while True:
            code = table[slot]
            if code < 0:
                table[slot] = distinct
                firsts[distinct] = k
                codes[k] = distinct
                distinct += 1
                break
            other = starts[firsts[code]]
            if ends[firsts[code]] - other == length:
                same = True
                for j in range(length):
                    if buf[start + j] != buf[other + j]:
                        same = False
                        break
                if same:
                    codes[k] = code
                    break
            slot = (slot + 1) & mask
    return codes, firsts[:distinct]


_split = lazy_kernel(split_top_level_reference)
_records = lazy_kernel(parse_records_reference)
_intern = lazy_kernel(intern_spans_reference)


def split_top_level(buf: U8, spans: I64) -> int:
    """Compiled :func:`split_top_level_reference`."""
    count: Any = _split(buf, spans)
    return int(count)


def parse_records(
    buf: U8, start: int, end: int, names: U8, name_offsets: I64, capacity: int
) -> tuple[int, npt.NDArray[np.int8], I64, I64]:
    """Compiled :func:`parse_records_reference` with outputs for ``capacity`` records, as
    ``(count, tags, first, second)`` of shape (count, columns); count as the kernel's."""
    columns = name_offsets.shape[0] - 1
    tags = np.zeros(capacity * columns, dtype=np.int8)
    first = np.zeros(capacity * columns, dtype=np.int64)
    second = np.zeros(capacity * columns, dtype=np.int64)
    count = int(_records(buf, start, end, names, name_offsets, tags, first, second))
    rows = max(count, 0)
    return (
        count,
        tags[: rows * columns].reshape(rows, columns),
        first[: rows * columns].reshape(rows, columns),
        second[: rows * columns].reshape(rows, columns),
    )


def intern_spans(buf: U8, starts: I64, ends: I64) -> tuple[I64, I64]:
    """Compiled :func:`intern_spans_reference`."""
    codes, firsts = _intern(buf, starts, ends)
    return codes, firsts
