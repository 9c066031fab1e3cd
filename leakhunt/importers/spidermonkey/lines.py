"""Vectorised reading of ``js::DumpHeap`` cell and edge lines: numpy over the raw bytes.

A heap section holds millions of lines of two shapes, ``ADDR COLOUR DESCRIPTION`` (a cell)
and ``> ADDR COLOUR NAME`` (an edge). Splitting them one by one in Python costs about a
microsecond a line; here a block of lines is handled with a few array operations: line
boundaries from the newline positions; fixed-width windows of bytes read through a strided
view (:meth:`Block.windows`, one copy per row instead of one index per byte); addresses
parsed as hex from those windows; colour letters and separators checked by comparison;
and short texts (edge names, most descriptions) grouped by a hash of their bytes, checked
byte for byte, so that Python slices only one representative per distinct text
(:func:`intern_slices`).

Addresses are ``%p`` output: ``0x7f…`` (glibc, BSD), ``(nil)`` or ``0x0`` for NULL, or
zero-padded upper-case hex without ``0x`` (Windows). All become ``int64`` values; NULL is 0.

Examples
--------
>>> block = Block(b"> 0x7f00000d0100 B shape\\n0x10 W Object <unknown object>\\n")
>>> starts, ends = split_lines(block.arr)
>>> starts.tolist(), ends.tolist()
([0, 25], [24, 55])
>>> values, token_end, bad = parse_addresses(block, starts + np.array([2, 0]), ends)
>>> [hex(v) for v in values.tolist()], token_end.tolist(), bad
(['0x7f00000d0100', '0x10'], [16, 29], -1)
>>> hex(parse_address("000001D2A3B40040")), parse_address("(nil)"), parse_address("0xZZ")
('0x1d2a3b40040', 0, None)
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from leakhunt.importers.common.text import MAX_TEXT_CHARS, cap_text, decode_text

__all__ = [
    "COLOURS",
    "Block",
    "check_colours",
    "find_size_suffix",
    "intern_slices",
    "parse_address",
    "parse_addresses",
    "slice_texts",
    "split_lines",
    "split_string_descriptions",
]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]
Bools = npt.NDArray[np.bool_]

COLOURS = frozenset(b"BGXW")
"""Mark colours a line may carry: black, gray, marked-but-neither, white (stale mark bits)."""

_NEWLINE, _CR, _SPACE = 10, 13, 32
_MAX_DIGITS = 16  # a 64-bit pointer
_HEX_VALUE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_VALUE[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX_VALUE[_c] = 10 + _i
_COLOUR_OK = np.zeros(256, dtype=np.bool_)
_COLOUR_OK[list(COLOURS)] = True
_NIL = np.frombuffer(b"(nil)", dtype=np.uint8)
_SIZE_MARK = np.frombuffer(b" SIZE:: ", dtype=np.uint8)
_SIZE_WINDOW = 28  # " SIZE:: " plus up to 20 digits
_STRING_WORD = np.frombuffer(b"string <", dtype=np.uint64)[0]
_SUBSTRING_WORDS = np.frombuffer(b"substrin" + b"g <\0\0\0\0\0", dtype=np.uint64)
_HEADER_WINDOW = 64
_HASHED_WIDTH = 48  # texts up to this many bytes are grouped by hash; longer ones in Python
_WORD_MASKS = np.array(
    [
        [(1 << (8 * min(max(size - 8 * word, 0), 8))) - 1 for word in range(_HASHED_WIDTH // 8)]
        for size in range(_HASHED_WIDTH + 1)
    ],
    dtype=np.uint64,
)  # _WORD_MASKS[n]: the words of an n-byte text, trailing bytes cleared
_ADDRESS_TEXT = re.compile(r"(?:0[xX])?([0-9a-fA-F]{1,16})")


def _columns_all(matrix: npt.NDArray[np.generic], value: npt.NDArray[np.generic]) -> Bools:
    """Rows of ``matrix`` equal to ``value`` everywhere (a column loop: numpy's axis-1
    reductions are several times slower on narrow rows)."""
    same: Bools = matrix[:, 0] == value[0]
    for column in range(1, matrix.shape[1]):
        same &= matrix[:, column] == value[column]
    return same


def _first_match(matrix: U8, byte: int, width: I64) -> I64:
    """Column of the first ``byte`` in each row before ``width``; -1 when there is none."""
    found = np.full(matrix.shape[0], -1, dtype=np.int64)
    for column in range(matrix.shape[1]):
        hit = (matrix[:, column] == byte) & (found < 0) & (column < width)
        found[hit] = column
    return found


class Block:
    """A block of whole lines, padded so that fixed-width windows never leave the buffer.

    Parameters
    ----------
    data
        The lines, newline-terminated.
    """

    PAD = 64
    """Bytes of zero padding on each side: the widest window read."""

    def __init__(self, data: bytes) -> None:
        pad = b"\0" * self.PAD
        self.data = data
        self._padded = np.frombuffer(pad + data + pad, dtype=np.uint8)
        self.arr: U8 = self._padded[self.PAD : self.PAD + len(data)]
        """The block's bytes (without padding)."""
        self._views: dict[int, U8] = {}
        self._text: str | None = None

    def windows(self, pos: I64, width: int) -> U8:
        """``data[pos[i] : pos[i] + width]`` as rows of an (n, width) matrix.

        Positions may reach :attr:`PAD` bytes outside the data (zeros are read there).
        """
        view = self._views.get(width)
        if view is None:
            view = self._views[width] = sliding_window_view(self._padded, width)
        rows: U8 = view[pos + self.PAD]
        return rows

    def text(self) -> str | None:
        """The block as text with one character per byte, decoded once; None unless ASCII.

        ``js::DumpHeap`` escapes string contents and function names to ASCII
        (``PutEscapedString``), so blocks are nearly always ASCII; script file names and
        realm names are written as their UTF-8 bytes.
        """
        if self._text is None and self.data.isascii():
            self._text = self.data.decode("ascii")
        return self._text

    def byte_at(self, pos: I64) -> U8:
        """``data[pos[i]]`` (zero outside the data, within the padding)."""
        found: U8 = self._padded[pos + self.PAD]
        return found


def parse_address(text: str) -> int | None:
    """One address as printed by ``%p``; ``(nil)`` and ``0x0`` give 0, invalid text None."""
    if text == "(nil)":
        return 0
    match = _ADDRESS_TEXT.fullmatch(text)
    return int(match.group(1), 16) if match else None


def split_lines(arr: U8) -> tuple[I64, I64]:
    """Start and end offsets of every newline-terminated line (a trailing ``\\r`` excluded).

    Bytes after the last newline are not a line (the caller keeps them for the next block).
    """
    newlines = np.flatnonzero(arr == _NEWLINE)
    starts = np.empty(newlines.size, dtype=np.int64)
    if newlines.size:
        starts[0] = 0
        starts[1:] = newlines[:-1] + 1
    ends = newlines.astype(np.int64)
    nonempty = ends > starts
    carriage = np.zeros(ends.size, dtype=np.bool_)
    carriage[nonempty] = arr[ends[nonempty] - 1] == _CR
    ends[carriage] -= 1
    return starts, ends


def _parse_fixed(block: Block, pos: I64, length: int) -> tuple[I64, Bools]:
    """Hex values of tokens of exactly ``length`` characters at ``pos``; and which are valid.

    The spelling (``0x`` prefix or not, ``(nil)``) is taken from the first row; rows spelt
    otherwise come out invalid and are parsed again in a group of their own.
    """
    n = pos.size
    chars = block.windows(pos, length)
    head = bytes(chars[0, :2].tolist()) if n else b""
    if length == _NIL.size and bytes(chars[0].tolist()) == b"(nil)":
        return np.zeros(n, dtype=np.int64), _columns_all(chars, _NIL)
    prefixed = length >= 3 and head in (b"0x", b"0X")
    digits = chars[:, 2:] if prefixed else chars
    count = length - 2 if prefixed else length
    if count > _MAX_DIGITS:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
    nibbles = _HEX_VALUE[digits]
    highest = nibbles[:, 0].copy()
    for column in range(1, count):
        np.maximum(highest, nibbles[:, column], out=highest)
    valid = highest < 16
    if prefixed:
        valid &= (chars[:, 0] == ord("0")) & ((chars[:, 1] | 0x20) == ord("x"))
    if count % 2:
        nibbles = np.concatenate((np.zeros((n, 1), dtype=np.uint8), nibbles), axis=1)
    pairs = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    packed = np.zeros((n, 8), dtype=np.uint8)
    packed[:, 8 - pairs.shape[1] :] = pairs
    values = packed.view(">u8").reshape(n).astype(np.int64)
    return values, valid


def parse_addresses(block: Block, pos: I64, limit: I64) -> tuple[I64, I64, int]:
    """Parse the address token starting at each ``pos`` (it ends at the next space).

    Tokens of one dump almost always share a length, so rows are parsed in groups of equal
    length: the first unparsed row's length is found with :meth:`bytes.find`, every row with
    a space at that offset is parsed as a fixed-width token, and rows that fail (a different
    length) wait for their own group. At most one group per distinct length is formed.

    Returns
    -------
    values
        The addresses (0 for NULL spellings).
    token_end
        Offset of the space after each token.
    bad
        Index of the first row that is not ``ADDRESS SPACE…`` within its line, or -1.
    """
    n = pos.size
    values = np.zeros(n, dtype=np.int64)
    token_end = np.zeros(n, dtype=np.int64)
    remaining = np.arange(n, dtype=np.int64)
    while remaining.size:
        first = int(remaining[0])
        space = block.data.find(b" ", int(pos[first]), int(limit[first]))
        length = space - int(pos[first])
        if space < 0 or length == 0 or length > 2 + _MAX_DIGITS:
            return values, token_end, first
        rows = remaining[pos[remaining] + length < limit[remaining]]
        rows = rows[block.byte_at(pos[rows] + length) == _SPACE]
        parsed, valid = _parse_fixed(block, pos[rows], length)
        done = rows[valid]
        if done.size == 0 or done[0] != first:
            return values, token_end, first
        values[done] = parsed[valid]
        token_end[done] = pos[done] + length
        if done.size == remaining.size:
            break
        keep = np.ones(remaining.size, dtype=np.bool_)
        keep[np.searchsorted(remaining, done)] = False
        remaining = remaining[keep]
    return values, token_end, -1


def check_colours(block: Block, token_end: I64, limit: I64) -> Bools:
    """Rows whose token is followed by `` C `` with ``C`` a colour letter, inside the line."""
    ok = token_end + 2 < limit
    colour = block.byte_at(token_end + 1)
    after = block.byte_at(token_end + 2)
    result: Bools = ok & _COLOUR_OK[colour] & (after == _SPACE)
    return result


def find_size_suffix(block: Block, text_start: I64, limit: I64) -> tuple[I64, I64]:
    """Where each text ends before an optional `` SIZE:: N`` suffix, and N (-1 if absent).

    >>> block = Block(b"0x8 B Function  SIZE:: 192")
    >>> end, size = find_size_suffix(block, np.array([6]), np.array([26]))
    >>> block.data[6:int(end[0])], size.tolist()
    (b'Function ', [192])
    """
    width = _SIZE_WINDOW
    window = block.windows(limit - width, width)
    offsets = limit[:, None] - width + np.arange(width)
    digit = (window >= ord("0")) & (window <= ord("9")) & (offsets >= text_start[:, None])
    # Length of the run of digits that ends the line.
    run = np.argmin(digit[:, ::-1], axis=1)
    run[np.all(digit, axis=1)] = width
    mark_start = limit - run - _SIZE_MARK.size
    has = (run >= 1) & (run <= 18) & (mark_start >= text_start)
    marks = block.windows(np.maximum(mark_start, -Block.PAD), _SIZE_MARK.size)
    has &= marks.view(np.uint64)[:, 0] == _SIZE_MARK.view(np.uint64)[0]
    from_end = width - 1 - np.arange(width)
    weights = np.where(from_end < 18, 10 ** np.minimum(from_end, 17), 0).astype(np.int64)
    digits = np.where(digit & (from_end[None, :] < run[:, None]), window - ord("0"), 0)
    sizes = digits.astype(np.int64) @ weights
    text_end = np.where(has, mark_start, limit)
    return text_end.astype(np.int64), np.where(has, sizes, -1).astype(np.int64)


def split_string_descriptions(block: Block, start: I64, end: I64) -> tuple[I64, I64, Bools]:
    """Split ``string <HEADER> TEXT`` descriptions into header and text.

    Returns where each header ends (after ``>``; ``end`` for other descriptions), where its
    text starts, and which rows are strings. String texts are mostly distinct while their
    headers repeat, so the two are interned apart.

    >>> block = Block(b"string <atom: length 2> hi|Object <unknown object>|string <rope: length 9>")
    >>> start, end = np.array([0, 27, 51]), np.array([26, 50, 74])
    >>> head, text, is_string = split_string_descriptions(block, start, end)
    >>> [block.data[a:b] for a, b in zip(start.tolist(), head.tolist())]
    [b'string <atom: length 2>', b'Object <unknown object>', b'string <rope: length 9>']
    >>> text.tolist(), is_string.tolist()
    ([24, 50, 74], [True, False, True])
    """
    head_end, text_start = end.copy(), end.copy()
    is_string = np.zeros(start.size, dtype=np.bool_)
    rows = np.flatnonzero((block.byte_at(start) == ord("s")) & (end > start))
    if not rows.size:
        return head_end, text_start, is_string
    width = _HEADER_WINDOW
    window = block.windows(start[rows], width)
    words = window.view(np.uint64)
    found = words[:, 0] == _STRING_WORD
    found |= (words[:, 0] == _SUBSTRING_WORDS[0]) & (
        words[:, 1] & np.uint64(0xFFFFFF) == _SUBSTRING_WORDS[1]
    )
    close = _first_match(window, ord(">"), end[rows] - start[rows])
    found &= close >= 0
    rows, close = rows[found], close[found]
    is_string[rows] = True
    head_end[rows] = start[rows] + close + 1
    spaced = (head_end[rows] < end[rows]) & (block.byte_at(head_end[rows]) == _SPACE)
    text_start[rows] = head_end[rows] + spaced
    return head_end, text_start, is_string


def slice_texts(block: Block, start: I64, end: I64) -> list[str]:
    """``data[start:end]`` of every row as text (UTF-8, bad bytes escaped), not interned.

    For texts that are nearly all distinct (string cells' contents): an ASCII block is decoded
    once and sliced, one string per row, no bytes copies and no hashing. Texts longer than
    :data:`~leakhunt.importers.common.text.MAX_TEXT_CHARS` are cut.

    >>> slice_texts(Block("café ok".encode()), np.array([0, 6]), np.array([5, 8]))
    ['café', 'ok']
    >>> slice_texts(Block(b"caf\\xe9 ok"), np.array([0, 5]), np.array([4, 7]))
    ['caf\\\\xe9', 'ok']
    """
    text = block.text()
    rows = zip(start.tolist(), end.tolist(), strict=True)
    if text is None:
        data = block.data
        return [cap_text(decode_text(data[a:b])) for a, b in rows]
    if int((end - start).max(initial=0)) > MAX_TEXT_CHARS:
        return [cap_text(text[a:b]) for a, b in rows]
    return [text[a:b] for a, b in rows]


def _intern_python(
    data: bytes, start: I64, end: I64, table: dict[bytes, int]
) -> npt.NDArray[np.int32]:
    pieces = [data[a:b] for a, b in zip(start.tolist(), end.tolist(), strict=True)]
    for piece in dict.fromkeys(pieces):
        if piece not in table:
            table[piece] = len(table)
    return np.fromiter(map(table.__getitem__, pieces), dtype=np.int32, count=len(pieces))


def _hash_rows(words: U64, length: I64) -> U64:
    """A 64-bit mix of each row's words and length (groups candidates; verified after)."""
    key = length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for column in range(words.shape[1]):
        key ^= words[:, column]
        key *= np.uint64(0xBF58476D1CE4E5B9)
        key ^= key >> np.uint64(29)
    return key


def intern_slices(
    block: Block, start: I64, end: I64, table: dict[bytes, int], *, repeated: bool = True
) -> npt.NDArray[np.int32]:
    """Index of each text ``data[start:end]`` in ``table``, adding new texts at the end.

    When texts are expected to repeat (``repeated``), those of at most 48 bytes are grouped
    by a hash of their zero-padded bytes; every row is then compared with its group's first
    row, so a hash collision can only cost speed (the rows are then read one by one), never
    correctness. Mostly distinct texts are sliced one by one straight away.

    >>> table: dict[bytes, int] = {}
    >>> intern_slices(Block(b"ab ab cd"), np.array([0, 3, 6]), np.array([2, 5, 8]), table).tolist()
    [0, 0, 1]
    >>> table
    {b'ab': 0, b'cd': 1}
    """
    if not repeated:
        return _intern_python(block.data, start, end, table)
    length = end - start
    short = np.flatnonzero(length <= _HASHED_WIDTH)
    # Each row's representative: the first row with the same text (long texts: itself).
    representative = np.arange(start.size, dtype=np.int64)
    if short.size:
        window = block.windows(start[short], _HASHED_WIDTH)
        words = window.view(np.uint64) & _WORD_MASKS[length[short]]  # zero bytes past the end
        _, first, inverse = np.unique(
            _hash_rows(words, length[short]), return_index=True, return_inverse=True
        )
        group_first = first[inverse.ravel()]
        same = _columns_all(words, words[group_first].T)
        if not (same & (length[short] == length[short][group_first])).all():
            return _intern_python(block.data, start, end, table)  # a collision: read all
        representative[short] = short[group_first]
    # Slice each representative once, in row order: new texts enter the table in the order
    # they first appear, exactly as with plain slicing.
    distinct = np.unique(representative)
    ids = _intern_python(block.data, start[distinct], end[distinct], table)
    out: npt.NDArray[np.int32] = ids[np.searchsorted(distinct, representative)]
    return out
