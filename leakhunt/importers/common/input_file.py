"""Opening a dump, plain or gzip, with bounded decompression and clean errors.

Every importer reads through :func:`open_maybe_gzip`. For gzip input the decoded stream

* turns a truncated stream (:class:`EOFError`) into :class:`TruncatedInputError` and corrupt
  deflate data (:class:`zlib.error`, a bad header) into :class:`SnapshotFormatError`, both
  naming the file and how many decompressed bytes were read before the fault;
* stops once the decompressed data pass a limit, so that a small "gzip bomb" (a few
  kilobytes that expand to gigabytes) cannot keep leakhunt busy for minutes or exhaust
  memory. By default, past the first :data:`DEFAULT_FLOOR` bytes, the data read so far may
  be at most :data:`DEFAULT_EXPANSION` times the compressed bytes read so far (real dumps
  compress 4-10 times; a bomb expands hundreds of times from its first block on). An
  explicit limit (``--max-input-size``, ``LEAKHUNT_MAX_INPUT_SIZE``) replaces that rule and
  also applies to plain files; 0 means no limit at all.

Examples
--------
>>> default_limit(1_000_000) == DEFAULT_FLOOR
True
>>> default_limit(10 << 30) == DEFAULT_EXPANSION * (10 << 30)
True
>>> parse_size("512M"), parse_size("2G"), parse_size("1000"), parse_size("0")
(536870912, 2147483648, 1000, 0)
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO, cast

from leakhunt.errors import ConfigError, SnapshotFormatError

__all__ = [
    "DEFAULT_EXPANSION",
    "DEFAULT_FLOOR",
    "DecodedInput",
    "InputTooLargeError",
    "TruncatedInputError",
    "decompressed_bound",
    "default_limit",
    "format_size",
    "open_maybe_gzip",
    "parse_size",
]

DEFAULT_EXPANSION = 50
"""Default limit on how many times larger than the compressed bytes read so far the
decompressed data may be (checked past :data:`DEFAULT_FLOOR`)."""
DEFAULT_FLOOR = 64 << 20
"""Default decompressed size always allowed, whatever the compressed size (64 MiB)."""
DEFLATE_MAX_RATIO = 1032
"""The most a deflate stream can expand (RFC 1951: 258 bytes from about 2 bits)."""

_STEP = 256 << 10
_SIZE = re.compile(r"\s*([0-9]+)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class TruncatedInputError(SnapshotFormatError):
    """A gzip stream ends before its end-of-stream marker."""

    def __init__(self, path: str, position: int) -> None:
        self.position = position
        super().__init__(
            path,
            "gzip stream",
            f"ends early (truncated file?) after {position:,} decompressed bytes",
        )


class InputTooLargeError(SnapshotFormatError):
    """Decompressed input passed the size limit."""


def parse_size(text: str) -> int:
    """Bytes in a size such as ``512M``, ``2G``, ``1.5G`` is refused; ``0`` means no limit."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ConfigError(f"{text!r} is not a size (examples: 0, 800M, 4G, 1T)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def format_size(size: int) -> str:
    """A size for messages: ``256 MiB``, ``1.5 GiB``.

    >>> format_size(256 << 20), format_size(3 << 29), format_size(1000)
    ('256 MiB', '1.5 GiB', '1,000 bytes')
    """
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def default_limit(compressed_size: int) -> int:
    """The most decompressed bytes the default rule allows for a gzip file of that size."""
    return max(DEFAULT_FLOOR, DEFAULT_EXPANSION * compressed_size)


def decompressed_bound(compressed_size: int, gzipped: bool, limit: int | None) -> int:
    """The most bytes the decoded stream of such a file can deliver (for sanity checks)."""
    if not gzipped:
        bound = compressed_size
    else:
        bound = DEFLATE_MAX_RATIO * compressed_size
        effective = default_limit(compressed_size) if limit is None else limit
        if effective:
            bound = min(bound, effective)
    return bound if not limit else min(bound, limit)


class DecodedInput:
    """A read-only binary stream over the decoded bytes of a dump.

    Parameters
    ----------
    path
        The file, for error messages.
    raw
        The open file.
    gzipped
        Whether ``raw`` holds gzip data.
    limit
        Explicit decompressed-size limit (0: none), or None for the default rule.
    """

    def __init__(self, path: str, raw: BinaryIO, gzipped: bool, limit: int | None) -> None:
        self.path = path
        self.raw = raw
        self.gzipped = gzipped
        self.file_size = os.fstat(raw.fileno()).st_size
        self.explicit_limit = limit
        self.limit = (default_limit(self.file_size) if limit is None else limit) if gzipped else 0
        self._check_ratio = gzipped and limit is None
        if limit and not gzipped and self.file_size > limit:
            raise InputTooLargeError(
                path,
                "file",
                f"is {format_size(self.file_size)}, more than the --max-input-size limit "
                f"of {format_size(limit)}",
            )
        self._gzip = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb")) if gzipped else None
        self.position = 0
        """Decoded bytes delivered so far."""
        self._pending: SnapshotFormatError | None = None

    @property
    def bound(self) -> int:
        """The most bytes this stream can deliver in all."""
        return decompressed_bound(self.file_size, self.gzipped, self.explicit_limit)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` decoded bytes (all the rest for -1); empty at the end."""
        data = self.raw.read(size) if self._gzip is None else self._read_gzip(size)
        self.position += len(data)
        return data

    def _read_gzip(self, size: int) -> bytes:
        assert self._gzip is not None
        if self._pending is not None:
            raise self._pending
        if self.limit and (size < 0 or size > self.limit + 1 - self.position):
            size = self.limit + 1 - self.position
        # Decompress in steps: when the stream turns out cut or corrupt, what came before is
        # still delivered and the error names the position reached.
        pieces: list[bytes] = []
        got = 0
        while size < 0 or got < size:
            step = _STEP if size < 0 else min(_STEP, size - got)
            try:
                piece = self._gzip.read(step)
            except EOFError:
                self._pending = TruncatedInputError(self.path, self.position + got)
            except (zlib.error, gzip.BadGzipFile) as exc:
                self._pending = SnapshotFormatError(
                    self.path,
                    "gzip stream",
                    f"corrupt data after {self.position + got:,} decompressed bytes ({exc})",
                )
            if self._pending is not None:
                if not pieces:
                    raise self._pending
                break
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
        reached = self.position + got
        if self.limit and reached > self.limit:
            raise self._too_large(reached)
        if (
            self._check_ratio
            and reached > DEFAULT_FLOOR
            and reached > DEFAULT_EXPANSION * self.raw.tell()
        ):
            raise self._too_large(reached)
        return b"".join(pieces)

    def _too_large(self, reached: int) -> InputTooLargeError:
        if self.explicit_limit is None:
            problem = (
                f"expands more than {DEFAULT_EXPANSION} times (to {format_size(reached)} from "
                f"{format_size(self.raw.tell())} of compressed data; a gzip bomb?)"
            )
        else:
            problem = (
                f"decompresses to more than {format_size(self.limit)} (the --max-input-size limit)"
            )
        return InputTooLargeError(
            self.path,
            "gzip stream",
            f"{problem}: to read it anyway, set --max-input-size or LEAKHUNT_MAX_INPUT_SIZE "
            "(a size such as 8G; 0 for no limit)",
        )

    def lines(self, block_bytes: int = 1 << 20) -> Iterator[bytes]:
        """The decoded lines, each with its newline (the last may lack one)."""
        pieces: list[bytes] = []
        while block := self.read(block_bytes):
            parts = block.split(b"\n")
            if len(parts) == 1:
                pieces.append(block)  # a long line: joined once it ends, not per block
                continue
            if pieces:
                pieces.append(parts[0])
                parts[0] = b"".join(pieces)
                pieces = []
            tail = parts.pop()
            for line in parts:
                yield line + b"\n"
            if tail:
                pieces.append(tail)
        if pieces:
            yield b"".join(pieces)

    def close(self) -> None:
        """Close the decoder and the file."""
        if self._gzip is not None:
            self._gzip.close()
        self.raw.close()


def open_maybe_gzip(path: str, limit: int | None = None) -> tuple[DecodedInput, BinaryIO]:
    """Open ``path``; return (decoded stream, raw file for progress). See the module doc."""
    raw = open(path, "rb")  # noqa: SIM115 - closed by DecodedInput.close
    try:
        magic = raw.read(2)
        raw.seek(0)
        return DecodedInput(path, raw, magic == b"\x1f\x8b", limit), raw
    except BaseException:
        raw.close()
        raise
