"""Line-level reader of Firefox cycle-collector logs (``cc-edges.*.log``).

Turns the text into plain records (:class:`CCLogRecords`) and nothing more: which node is a
root, how weak-map entries hold their values and what the results section means is decided
by :mod:`leakhunt.importers.firefox_cc.importer`. Grammar (``nsCycleCollectorLogger``)::

    cc_log      := ["# WantAllTraces=" ("true" | "false")] graph_line* "==========" result_line*
    graph_line  := ADDR " [rc=" UINT "] " DESC | ADDR " [gc" [".marked"] "] " DESC
                 | "> " ADDR " " EDGE_NAME | "WeakMapEntry map=" PTR " key=" PTR
                   " keyDelegate=" PTR " value=" PTR | "IncrementalRoot " ADDR | "#" TEXT
    result_line := ADDR " [known=" UINT "]" | ADDR " [garbage]"

Addresses are hexadecimal of any length, with or without ``0x`` (``%p`` differs by
platform); ``(nil)`` and any spelling of zero are NULL. Edges belong to the last node line
above them; comment, ``WeakMapEntry`` and ``IncrementalRoot`` lines do not change that.
A node line with address 0 (the ``0x0 [rc=N] COUNT_ROOTS`` header of a local patch) is
skipped together with its edges. Blank lines are ignored.

Examples
--------
>>> import io
>>> log = b'''# WantAllTraces=false
... 0x10 [rc=2] nsFoo
... > 0x20 mBar
... 0x20 [gc] JS Object (Object)
... ==========
... 0x10 [known=0]
... '''
>>> records = read_cc_log(io.BytesIO(log), "inline.log")
>>> records.want_all_traces, records.node_address, records.known
(False, [16, 32], {16: (0, 6)})
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.common.text import cap_text, decode_text

__all__ = ["GC", "GC_MARKED", "CCLogRecords", "WeakMapEntryRecord", "read_cc_log"]

GC = -1
"""``node_rc`` value of a gray (unmarked) GC thing."""
GC_MARKED = -2
"""``node_rc`` value of a GC thing the GC marked black."""

SEPARATOR = b"=========="
_HEADER = b"# WantAllTraces="
_ADDRESS = re.compile(rb"(?:0[xX])?[0-9A-Fa-f]+")
_NULL = b"(nil)"
_RC_TAG = re.compile(rb"rc=([0-9]{1,19})")
_KNOWN_TAG = re.compile(rb"\[known=([0-9]{1,19})\]")
_WME_FIELDS = (b"map=", b"key=", b"keyDelegate=", b"value=")
_PROGRESS_EVERY = 1 << 16
_ADDRESS_LIMIT = 1 << 64
_COUNT_LIMIT = 1 << 62
_EXCERPT = 60


@dataclass(frozen=True, slots=True)
class WeakMapEntryRecord:
    """One ``WeakMapEntry`` line; 0 stands for NULL."""

    line: int
    """1-based line number."""
    map: int
    """Address of the weak map, or 0."""
    key: int
    """Address of the key, or 0."""
    key_delegate: int
    """Address of the key's delegate (a wrapper's target), or 0."""
    value: int
    """Address of the value, or 0."""


@dataclass(slots=True)
class CCLogRecords:
    """Everything a CC log says, in file order, addresses as integers."""

    want_all_traces: bool | None = None
    """The ``# WantAllTraces=`` header; None when the log has none (upstream test logs)."""
    node_address: list[int] = field(default_factory=list)
    """Address of each node line, in file order."""
    node_rc: array[int] = field(default_factory=lambda: array("q"))
    """Refcount of each node, or :data:`GC` / :data:`GC_MARKED` for GC things."""
    node_description: list[str] = field(default_factory=list)
    """Text after the tag, verbatim (trailing spaces kept)."""
    node_line: array[int] = field(default_factory=lambda: array("q"))
    """1-based line number of each node line."""
    edge_source: array[int] = field(default_factory=lambda: array("q"))
    """Index (into the node lists) of each edge's source."""
    edge_target: array[int] = field(default_factory=lambda: array("Q"))
    """Target address of each edge."""
    edge_name: array[int] = field(default_factory=lambda: array("q"))
    """Index into :attr:`edge_names` of each edge's name."""
    edge_names: list[str] = field(default_factory=list)
    """Distinct edge names."""
    weak_map_entries: list[WeakMapEntryRecord] = field(default_factory=list)
    """``WeakMapEntry`` lines."""
    incremental_roots: list[tuple[int, int]] = field(default_factory=list)
    """``(line, address)`` of each ``IncrementalRoot`` line."""
    known: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Results section: address → ``(known, line)`` for each ``[known=N]`` line."""
    garbage: dict[int, int] = field(default_factory=dict)
    """Results section: address → line of each ``[garbage]`` line."""
    comment_lines: int = 0
    """``#`` lines other than the header."""
    skipped_null_nodes: int = 0
    """Node lines with address 0 (``COUNT_ROOTS`` headers), skipped with their edges."""
    line_count: int = 0
    """Lines read."""
    problems: list[str] = field(default_factory=list)
    """Recoverable oddities (duplicate result lines and the like)."""


def _excerpt(line: bytes) -> str:
    text = decode_text(line)
    return repr(text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…")


def _inline(data: bytes) -> str:
    """Text quoted inside a message: controls escaped as by ``repr``, no quotes added."""
    return repr(decode_text(data[:_EXCERPT]))[1:-1]


def parse_address(token: bytes) -> int:
    """Integer value of a ``%p`` address; 0 for NULL. Raises ``ValueError`` otherwise.

    >>> [parse_address(t) for t in (b"0x500", b"00000000000000060", b"(nil)", b"0", b"1D2A")]
    [1280, 96, 0, 0, 7466]
    """
    if token == _NULL:
        return 0
    if _ADDRESS.fullmatch(token) is None:
        raise ValueError(f"{_excerpt(token)} is not a hexadecimal address")
    value = int(token, 16)
    if value >> 64:
        raise ValueError(f"{_excerpt(token)} does not fit in 64 bits")
    return value


class _Reader:
    """The state of one pass over the lines."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.records = CCLogRecords()
        self.index: dict[int, int] = {}
        self.names: dict[bytes, int] = {}
        self.current = -1  # node index whose edges follow; -2 while skipping a NULL node
        self.in_results = False
        self.separator_line = 0

    def error(self, number: int, problem: str) -> SnapshotFormatError:
        return SnapshotFormatError(self.path, f"line {number}", problem)

    def address(self, number: int, token: bytes, what: str) -> int:
        try:
            return parse_address(token)
        except ValueError as exc:
            raise self.error(number, f"{what}: {exc}") from None

    def line(self, number: int, line: bytes) -> None:
        if not line:
            return
        first = line[0]
        if first == 0x23:  # '#'
            self.comment(number, line)
        elif self.in_results:
            self.result(number, line)
        elif first == 0x3E:  # '>'
            self.edge(number, line)
        elif line == SEPARATOR:
            self.in_results = True
            self.separator_line = number
        elif line.startswith(b"WeakMapEntry "):
            self.weak_map_entry(number, line)
        elif line.startswith(b"IncrementalRoot "):
            parts = line.split(b" ")
            if len(parts) != 2:
                raise self.error(number, f"IncrementalRoot needs one address: {_excerpt(line)}")
            address = self.address(number, parts[1], "IncrementalRoot")
            self.records.incremental_roots.append((number, address))
        else:
            self.node(number, line)

    def comment(self, number: int, line: bytes) -> None:
        if not line.startswith(_HEADER):
            self.records.comment_lines += 1
            return
        value = line[len(_HEADER) :].strip()
        if value not in (b"true", b"false"):
            raise self.error(number, f"WantAllTraces must be true or false: {_excerpt(line)}")
        want = value == b"true"
        previous = self.records.want_all_traces
        if previous is not None and previous != want:
            self.records.problems.append(f"line {number}: a second, different WantAllTraces header")
        self.records.want_all_traces = want

    def node(self, number: int, line: bytes) -> None:
        token, _, rest = line.partition(b" ")
        close = rest.find(b"]")
        if not rest.startswith(b"[") or close < 0 or rest[close + 1 : close + 2] not in (b"", b" "):
            raise self.error(
                number,
                "not a node, edge, WeakMapEntry, IncrementalRoot, comment or separator line: "
                + _excerpt(line),
            )
        tag = rest[1:close]
        if tag == b"gc":
            rc = GC
        elif tag == b"gc.marked":
            rc = GC_MARKED
        else:
            match = _RC_TAG.fullmatch(tag)
            if match is None:
                raise self.error(number, f"unknown node tag [{_inline(tag)}]")
            rc = int(match.group(1))
            if rc >= _COUNT_LIMIT:
                raise self.error(number, f"reference count {rc} is out of range")
        address = self.address(number, token, "node address")
        if address == 0:
            self.records.skipped_null_nodes += 1
            self.current = -2
            return
        seen = self.index.get(address)
        if seen is not None:
            first_line = self.records.node_line[seen]
            raise self.error(
                number, f"node {token.decode('ascii')} was already described on line {first_line}"
            )
        records = self.records
        self.current = self.index[address] = len(records.node_address)
        records.node_address.append(address)
        records.node_rc.append(rc)
        records.node_description.append(cap_text(decode_text(rest[close + 2 :])))
        records.node_line.append(number)

    def edge(self, number: int, line: bytes) -> None:
        if self.current == -1:
            raise self.error(
                number, "an edge line before any node line (the log is cut at its start?)"
            )
        if not line.startswith(b"> "):
            raise self.error(number, f"an edge line must start with '> ': {_excerpt(line)}")
        token, _, name = line[2:].partition(b" ")
        target = self.address(number, token, "edge target")
        if self.current == -2:
            return
        if target == 0:
            self.records.problems.append(f"line {number}: an edge to a NULL address, skipped")
            return
        self.add_edge(target, name)

    def add_edge(self, target: int, name: bytes) -> None:
        name_index = self.names.get(name)
        if name_index is None:
            name_index = self.names[name] = len(self.records.edge_names)
            self.records.edge_names.append(cap_text(decode_text(name)))
        self.records.edge_source.append(self.current)
        self.records.edge_target.append(target)
        self.records.edge_name.append(name_index)

    def read(self, lines: Iterable[bytes], progress: Callable[[int], None] | None) -> int:
        """Read every line; return the number of lines.

        Edge lines (most of a log) take a short path when well formed; anything else, and
        any edge line the short path does not accept, goes through :meth:`line`.
        """
        records, names, address = self.records, self.names, _ADDRESS.fullmatch
        edge_source, edge_target = records.edge_source.append, records.edge_target.append
        edge_name = records.edge_name.append
        number, next_report = 0, _PROGRESS_EVERY
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip(b"\r\n")
            if line[:2] == b"> " and self.current >= 0 and not self.in_results:
                token, _, name = line[2:].partition(b" ")
                name_index = names.get(name)
                if name_index is not None and address(token) is not None:
                    target = int(token, 16)
                    if 0 < target < _ADDRESS_LIMIT:
                        edge_source(self.current)
                        edge_target(target)
                        edge_name(name_index)
                        continue
            self.line(number, line)
            if progress is not None and number >= next_report:
                progress(number)
                next_report = number + _PROGRESS_EVERY
        return number

    def weak_map_entry(self, number: int, line: bytes) -> None:
        fields = line.split(b" ")[1:]
        if len(fields) != len(_WME_FIELDS) or not all(
            f.startswith(p) for f, p in zip(fields, _WME_FIELDS, strict=True)
        ):
            raise self.error(
                number,
                "WeakMapEntry needs map=, key=, keyDelegate=, value= in that order: "
                + _excerpt(line),
            )
        values = [
            self.address(number, f[len(p) :], f"WeakMapEntry {p[:-1].decode('ascii')}")
            for f, p in zip(fields, _WME_FIELDS, strict=True)
        ]
        self.records.weak_map_entries.append(WeakMapEntryRecord(number, *values))

    def result(self, number: int, line: bytes) -> None:
        if line == SEPARATOR:
            raise self.error(
                number, f"a second separator (the first is on line {self.separator_line})"
            )
        token, _, tag = line.rstrip().partition(b" ")
        records = self.records
        if tag == b"[garbage]":
            address = self.address(number, token, "result address")
            if address in records.garbage or address in records.known:
                records.problems.append(
                    f"line {number}: a second result line for {token.decode('ascii')}"
                )
            else:
                records.garbage[address] = number
            return
        match = _KNOWN_TAG.fullmatch(tag)
        if match is None:
            raise self.error(
                number,
                f"not a result line ('ADDR [known=N]' or 'ADDR [garbage]'): {_excerpt(line)}",
            )
        address = self.address(number, token, "result address")
        if address in records.garbage or address in records.known:
            records.problems.append(
                f"line {number}: a second result line for {token.decode('ascii')}"
            )
        else:
            known = int(match.group(1))
            if known >= _COUNT_LIMIT:
                raise self.error(number, f"known count {known} is out of range")
            records.known[address] = (known, number)


def read_cc_log(
    lines: Iterable[bytes],
    path: str,
    progress: Callable[[int], None] | None = None,
) -> CCLogRecords:
    """Read every line of a CC log into :class:`CCLogRecords`.

    Parameters
    ----------
    lines
        The log's lines as bytes (a binary file object works), line ends included or not.
    path
        The file name, for error messages only.
    progress
        Called with the line number now and then (about every 65,536 lines).

    Raises
    ------
    SnapshotFormatError
        For a malformed line (naming it), or a log without the ``==========`` separator.
    """
    reader = _Reader(path)
    number = reader.read(lines, progress)
    reader.records.line_count = number
    if not reader.in_results:
        if number == 0:
            raise SnapshotFormatError(path, "line 1", "the file is empty")
        raise SnapshotFormatError(
            path,
            f"line {number}",
            "the log ends without the '==========' line that starts the results section "
            "(truncated, or an incomplete- log still being written)",
        )
    return reader.records
