"""A streaming reader for one large top-level JSON object whose big members are integer arrays.

Heap snapshots are JSON objects with two huge flat integer arrays (``nodes``, ``edges``)
and a few ordinary members. Loading them with ``json.load`` costs 30-50 bytes per number;
this reader parses the integer arrays chunk by chunk with numpy straight into caller-owned
record sinks and decodes only the small members as JSON. Input may be gzip-compressed.
"""

from __future__ import annotations

import json
import re
from typing import Protocol

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.common.decimal_lists import plain_integers
from leakhunt.importers.common.input_file import open_maybe_gzip
from leakhunt.progress import Progress

__all__ = ["IntegerSink", "JsonObjectStream", "open_maybe_gzip"]

CHUNK_BYTES = 8 << 20
_WHITESPACE = b" \t\r\n"
_NOT_WHITESPACE = re.compile(rb"[^ \t\r\n]")
_STRUCTURE = re.compile(rb'["\[\]{}]')
_STRING_END = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb"[,}\]]")


class IntegerSink(Protocol):
    """Receives the integers of one array, in order, a chunk at a time."""

    def accept(self, values: npt.NDArray[np.int64], offset: int) -> None:
        """Take ``values``; ``offset`` is the array index of ``values[0]``."""

    def finish(self, total: int) -> None:
        """The array ended after ``total`` integers."""


class JsonObjectStream:
    """Reads the members of a top-level JSON object one at a time.

    Parameters
    ----------
    path
        File to read (plain or gzip).
    progress
        Optional ``progress(phase, done_bytes, total_bytes)`` callback.
    max_input_size
        Decompressed-size limit (see :mod:`leakhunt.importers.common.input_file`).
    """

    def __init__(
        self, path: str, progress: Progress | None = None, max_input_size: int | None = None
    ) -> None:
        self.path = path
        self._stream, self._raw = open_maybe_gzip(path, max_input_size)
        self._total = self._stream.file_size
        self._progress = progress
        self._buffer = b""
        self._pos = 0
        self._eof = False
        self._consumed = 0
        self._phase = "reading"

    @property
    def total_bytes(self) -> int:
        """Size of the file on disk (compressed size for gzip input)."""
        return self._total

    @property
    def gzipped(self) -> bool:
        """Whether the file is gzip-compressed."""
        return self._stream.gzipped

    @property
    def decoded_bound(self) -> int:
        """The most decoded bytes the file can hold (its size, or the gzip limit)."""
        return self._stream.bound

    def close(self) -> None:
        """Close the underlying files."""
        self._stream.close()
        self._raw.close()

    def __enter__(self) -> JsonObjectStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level -------------------------------------------------------------------------

    def _error(self, problem: str) -> SnapshotFormatError:
        return SnapshotFormatError(self.path, f"byte {self._consumed + self._pos}", problem)

    def _fill(self, want: int = CHUNK_BYTES) -> bool:
        """Read up to ``want`` more bytes; return False at end of input."""
        if self._eof:
            return False
        data = self._stream.read(want)
        if not data:
            self._eof = True
            return False
        self._consumed += self._pos
        self._buffer = self._buffer[self._pos :] + data
        self._pos = 0
        if self._progress is not None:
            self._progress(self._phase, self._raw.tell(), self._total)
        return True

    def _peek(self) -> int:
        """Next non-whitespace byte without consuming it; -1 at end of input."""
        while True:
            found = _NOT_WHITESPACE.search(self._buffer, self._pos)
            if found is not None:
                self._pos = found.start()
                return self._buffer[self._pos]
            self._pos = len(self._buffer)
            if not self._fill():
                return -1

    def _expect(self, char: bytes, context: str) -> None:
        found = self._peek()
        if found != char[0]:
            seen = "end of file" if found < 0 else repr(chr(found))
            raise self._error(f"expected {char.decode()!r} {context}, found {seen}")
        self._pos += 1

    # -- object structure ------------------------------------------------------------------

    def begin_object(self) -> None:
        """Consume the opening brace of the top-level object."""
        if self._peek() < 0:
            raise SnapshotFormatError(self.path, "file", "is empty")
        self._expect(b"{", "at the start of the file (not a JSON object)")

    def next_key(self) -> str | None:
        """The next member's key (consuming ``"key":``), or None after the closing brace."""
        char = self._peek()
        if char == ord(","):
            self._pos += 1
            char = self._peek()
        if char == ord("}"):
            self._pos += 1
            return None
        if char != ord('"'):
            raise self._error("expected a member name" if char >= 0 else "file is truncated")
        end = self._buffer.find(b'"', self._pos + 1)
        while end < 0:
            if not self._fill():
                raise self._error("file is truncated inside a member name")
            end = self._buffer.find(b'"', self._pos + 1)
        key = self._buffer[self._pos + 1 : end].decode("utf-8", "replace")
        self._pos = end + 1
        self._expect(b":", f"after member name {key!r}")
        return key

    def read_value(self, name: str) -> object:
        """Decode the next JSON value (for the small members)."""
        decoder = json.JSONDecoder()
        want = CHUNK_BYTES
        while True:
            self._peek()
            # surrogateescape keeps one character per invalid byte, so the byte position of
            # the end is exact (the bad bytes come out as lone surrogates, shown escaped).
            text = self._buffer[self._pos :].decode("utf-8", "surrogateescape")
            try:
                value, end = decoder.raw_decode(text)
            except RecursionError:
                raise self._error(f"member {name!r} is nested too deeply") from None
            except json.JSONDecodeError as exc:
                # A large member (the string table usually closes the file): read the rest of a
                # plain file in one go instead of re-decoding a growing prefix; compressed
                # input grows by doubling.
                if not self._stream.gzipped:
                    want = max(want, self._total - self._raw.tell())
                if self._fill(want):
                    want *= 2
                    continue
                raise self._error(f"member {name!r} is not valid JSON: {exc.msg}") from None
            except ValueError as exc:  # an integer of thousands of digits
                raise self._error(f"member {name!r} is not usable JSON: {exc}") from None
            if end == len(text) and not self._eof and isinstance(value, int | float):
                # A number may continue in the next chunk.
                self._fill(want)
                continue
            self._pos += len(text[:end].encode("utf-8", "surrogateescape"))
            return value

    def skip_value(self, name: str) -> None:
        """Pass over the next JSON value without decoding it (for members nobody reads).

        Only brackets and strings are followed, without recursion, so a hostile nesting depth
        costs nothing; the content is not validated.
        """
        depth = 0
        char = self._peek()
        if char < 0:
            raise self._error(f"file is truncated at member {name!r}")
        while True:
            buf = self._buffer
            if depth == 0 and buf[self._pos] not in b'"[{':
                # A scalar: it ends at the next comma or closing bracket.
                end = _SCALAR_END.search(buf, self._pos)
                if end is None:
                    if not self._fill():
                        raise self._error(f"file is truncated inside member {name!r}")
                    continue
                self._pos = end.start()
                return
            found = _STRUCTURE.search(buf, self._pos)
            if found is None:
                self._pos = len(buf)
                if not self._fill():
                    raise self._error(f"file is truncated inside member {name!r}")
                continue
            self._pos = found.start() + 1
            token = buf[found.start()]
            if token == ord('"'):
                self._skip_string(name)
            elif token in b"[{":
                depth += 1
            else:
                depth -= 1
            if depth <= 0:
                if depth < 0:
                    raise self._error(f"member {name!r} has an unmatched closing bracket")
                return
            if self._pos >= len(self._buffer) and not self._fill():
                raise self._error(f"file is truncated inside member {name!r}")

    def _skip_string(self, name: str) -> None:
        while True:
            found = _STRING_END.search(self._buffer, self._pos)
            if found is None or (found.group() == b"\\" and found.end() >= len(self._buffer)):
                self._pos = len(self._buffer) if found is None else found.start()
                if not self._fill():
                    raise self._error(f"file is truncated inside a string of member {name!r}")
                continue
            if found.group() == b"\\":
                self._pos = found.end() + 1
                continue
            self._pos = found.end()
            return

    def read_integer_array(self, name: str, sink: IntegerSink, phase: str) -> int:
        """Stream the integer array member ``name`` into ``sink``; return its length."""
        self._phase = phase
        self._expect(b"[", f"at the start of {name!r}")
        total = 0
        while True:
            buf = self._buffer
            close = buf.find(b"]", self._pos)
            if close >= 0:
                total += self._parse_chunk(name, buf[self._pos : close], total, sink, final=True)
                self._pos = close + 1
                sink.finish(total)
                return total
            cut = buf.rfind(b",", self._pos)
            if cut >= 0:
                total += self._parse_chunk(name, buf[self._pos : cut], total, sink, final=False)
                self._pos = cut + 1
            if not self._fill():
                raise self._error(f"file is truncated inside {name!r} after {total} numbers")

    def _parse_chunk(
        self, name: str, text: bytes, offset: int, sink: IntegerSink, *, final: bool
    ) -> int:
        if not text.strip(_WHITESPACE):
            if final and offset == 0:
                return 0
            raise self._bad_number(name, text, offset)
        plain = plain_integers(text)
        if plain is not None:
            # Digits only, at most 18 per value: well-formed and in range by construction.
            sink.accept(plain, offset)
            return int(plain.size)
        try:
            values = np.fromstring(text, dtype=np.int64, sep=",")
        except ValueError:
            raise self._bad_number(name, text, offset) from None
        if values.size and (values.min() < 0 or values.max() >= 2**62):
            bad = int(np.flatnonzero((values < 0) | (values >= 2**62))[0])
            raise SnapshotFormatError(
                self.path, f"{name}[{offset + bad}]", f"value {int(values[bad])} is out of range"
            )
        expected = text.count(b",") + 1
        if values.size != expected:
            raise self._bad_number(name, text, offset)
        sink.accept(values, offset)
        return int(values.size)

    def _bad_number(self, name: str, text: bytes, offset: int) -> SnapshotFormatError:
        for index, token in enumerate(text.split(b",")):
            token = token.strip(_WHITESPACE)
            if not token.isdigit():
                shown = token[:40].decode("utf-8", "replace")
                return SnapshotFormatError(
                    self.path,
                    f"{name}[{offset + index}]",
                    f"{shown!r} is not a non-negative integer",
                )
        return SnapshotFormatError(self.path, name, "unreadable numbers")

    def expect_end(self) -> None:
        """Require that nothing but whitespace follows the object."""
        if self._peek() >= 0:
            raise self._error("unexpected data after the end of the JSON object")
