"""Split a ``js::DumpHeap`` log into dumps and sections; collect one dump's raw records.

The log is fed in blocks of whole lines (:meth:`GcLogReader.feed`). Section titles, zone,
realm, compartment and arena headers are rare and handled one by one; root and weak-map
lines are few and parsed in Python; cell and edge lines, the bulk of the file, are parsed a
block at a time by :mod:`leakhunt.importers.spidermonkey.lines`. Addresses stay addresses here
(resolving them to node ordinals needs the whole dump; see
:mod:`leakhunt.importers.spidermonkey.assembly`).

Several dumps may be concatenated (GJS opens the file in append mode): each ``# Roots.``
line starts one. Only the wanted dump is collected (the last one unless told); the others
are only counted. A file whose first line is not ``# Roots.`` is read as the pre-zone
format (about 2012): root lines, ``==========``, then cells grouped under
``# compartment NAME`` headers.

Examples
--------
>>> reader = GcLogReader("inline", None)
>>> reader.feed(b"# Roots.\\n0x10 B exact-Object\\n# Weak maps.\\n==========\\n", 1)
4
>>> reader.feed(b"# arena allockind=0 size=32\\n0x10 B Object <unknown object>\\n> 0x10 B self\\n", 5)
3
>>> dump, count = reader.finish(b"", 8)
>>> count, dump.roots, dump.cell_address.tolist(), dump.edge_target.tolist(), dump.cell_size.tolist()
(1, [(16, 'exact-Object', 2)], [16], [16], [32])
"""

from __future__ import annotations

import re
from enum import Enum

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.common.text import cap_text, decode_text
from leakhunt.importers.spidermonkey.heap import BlockLines, HeapColumns
from leakhunt.importers.spidermonkey.lines import COLOURS, Block, parse_address
from leakhunt.importers.spidermonkey.records import DumpRecords, HeaderLine

__all__ = ["ROOTS_TITLE", "SEPARATOR", "GcLogReader"]

I64 = npt.NDArray[np.int64]

ROOTS_TITLE = b"# Roots."
WEAK_MAPS_TITLE = b"# Weak maps."
SEPARATOR = b"=========="
MAX_DUMPS = 10_000
"""Dumps one file may hold (GJS appends one per call; a log with more is not one)."""
_WEAK_MAP_ENTRY = re.compile(r"WeakMapEntry map=(\S+) key=(\S+) keyDelegate=(\S+) value=(\S+)")
_REALM = re.compile(r"# realm (.*) \[in compartment (\S+), zone (\S+)\]")
_ZONED_COMPARTMENT = re.compile(r"# compartment (.*) \[in zone (\S+)\]")
_ARENA = re.compile(r"# arena allockind=([0-9]{1,9}) size=([0-9]{1,12})")


class _Section(Enum):
    ROOTS = "roots"
    WEAK_MAPS = "weak maps"
    HEAP = "heap"
    SKIP = "skip"


class GcLogReader:
    """Feeds on blocks of whole lines; keeps the records of the wanted dump.

    Parameters
    ----------
    path
        File name, for error messages.
    wanted
        Index of the dump to keep; None keeps the last.
    """

    def __init__(self, path: str, wanted: int | None) -> None:
        self.path = path
        self.wanted = wanted
        self.dump_count = 0
        self.kept: DumpRecords | None = None
        self._columns = HeapColumns(path)
        self._section = _Section.SKIP
        self._started = False
        self._tail_in_cell = False  # the last line read was a cell or edge line of the heap

    def _fail(self, line: int, problem: str) -> SnapshotFormatError:
        return SnapshotFormatError(self.path, f"line {line}", problem)

    # -- dumps and sections -------------------------------------------------------------

    def _start_dump(self, pre_zone: bool, line: int = 1) -> None:
        index = self.dump_count
        if index >= MAX_DUMPS:
            raise self._fail(line, f"more than {MAX_DUMPS:,} dumps in one file: not a heap log?")
        self.dump_count += 1
        self._tail_in_cell = False
        if self.wanted is None or self.wanted == index:
            self.kept = DumpRecords(index=index, pre_zone=pre_zone)
            self._columns = HeapColumns(self.path)
            self._section = _Section.ROOTS
        else:
            self._section = _Section.SKIP

    def _collecting(self) -> DumpRecords:
        assert self.kept is not None
        return self.kept

    def _control(self, text: bytes, line: int) -> None:
        """A line starting with ``#`` or ``=`` (or an empty line)."""
        if text == ROOTS_TITLE:
            if self.kept is not None and self.kept.pre_zone:
                raise self._fail(line, "a '# Roots.' title after a pre-zone dump (mixed formats)")
            self._start_dump(pre_zone=False, line=line)
            return
        section = self._section
        if section is _Section.SKIP:
            return
        dump = self._collecting()
        if text == WEAK_MAPS_TITLE and section is _Section.ROOTS and not dump.pre_zone:
            self._section = _Section.WEAK_MAPS
        elif text == SEPARATOR and section in (_Section.ROOTS, _Section.WEAK_MAPS):
            self._section = _Section.HEAP
            dump.heap_seen = True
        elif section is _Section.HEAP and text.startswith(b"# "):
            self._header(dump, cap_text(decode_text(text)), line)
        elif text == SEPARATOR and dump.pre_zone:
            raise self._fail(line, "a second '==========': several pre-zone dumps in one file")
        elif not text:
            raise self._fail(line, "empty line")
        else:
            shown = decode_text(text[:60])
            raise self._fail(line, f"unexpected {shown!r} in the {section.value} section")
        self._tail_in_cell = False

    def _header(self, dump: DumpRecords, text: str, line: int) -> None:
        if text.startswith("# zone "):
            zone = parse_address(text[7:])
            if zone is None:
                raise self._fail(line, f"bad zone address in {text!r}")
            dump.zones.append((zone, line))
        elif text.startswith("# arena "):
            arena = _ARENA.fullmatch(text)
            if arena is None:
                raise self._fail(line, f"bad arena header {text!r}")
            dump.arenas.append((line, int(arena.group(2))))
        elif text.startswith("# realm "):
            dump.headers.append(self._realm_header(text, line))
        elif text.startswith("# compartment "):
            zoned = _ZONED_COMPARTMENT.fullmatch(text)
            if zoned is not None:
                zone = parse_address(zoned.group(2))
                dump.headers.append(
                    HeaderLine("compartment", zoned.group(1), None, zone, False, line)
                )
            else:
                name = text[len("# compartment ") :]
                dump.headers.append(HeaderLine("compartment", name, None, None, True, line))
        else:
            dump.add_problem(f"line {line}: unknown header {text[:60]!r} ignored")

    def _realm_header(self, text: str, line: int) -> HeaderLine:
        realm = _REALM.fullmatch(text)
        if realm is None:
            raise self._fail(line, f"bad realm header {text[:80]!r}")
        compartment, zone = parse_address(realm.group(2)), parse_address(realm.group(3))
        if compartment is None or zone is None:
            raise self._fail(line, f"bad address in realm header {text[:80]!r}")
        return HeaderLine("realm", realm.group(1), compartment, zone, False, line)

    # -- roots and weak maps ------------------------------------------------------------

    def _root_lines(self, seg: bytes, starts: I64, ends: I64, line0: int) -> None:
        dump = self._collecting()
        for offset, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            line = line0 + offset
            parts = cap_text(decode_text(seg[a:b])).split(" ", 2)
            address = parse_address(parts[0]) if len(parts) == 3 else None
            if address is None or len(parts[1]) != 1 or ord(parts[1]) not in COLOURS:
                raise self._fail(line, "root line is not 'ADDRESS COLOUR NAME'")
            if address == 0:
                dump.add_problem(f"line {line}: root {parts[2]!r} with a NULL target ignored")
                continue
            dump.roots.append((address, parts[2], line))

    def _weak_map_lines(self, seg: bytes, starts: I64, ends: I64, line0: int) -> None:
        dump = self._collecting()
        for offset, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            line = line0 + offset
            entry = _WEAK_MAP_ENTRY.fullmatch(cap_text(decode_text(seg[a:b])))
            fields = [parse_address(entry.group(i)) for i in range(1, 5)] if entry else [None]
            if entry is None or any(value is None for value in fields):
                raise self._fail(
                    line, "weak-map line is not 'WeakMapEntry map=P key=P keyDelegate=P value=P'"
                )
            map_, key, delegate, value = (int(v or 0) for v in fields)
            if key == 0 or value == 0:
                dump.add_problem(f"line {line}: weak-map entry with a NULL key or value ignored")
                continue
            dump.weak_maps.append((map_, key, delegate, value, line))

    def _ordinary(self, seg: bytes, starts: I64, ends: I64, line0: int) -> None:
        if self._section is _Section.ROOTS:
            self._root_lines(seg, starts, ends, line0)
        elif self._section is _Section.WEAK_MAPS:
            self._weak_map_lines(seg, starts, ends, line0)

    # -- blocks -------------------------------------------------------------------------

    def feed(self, seg: bytes, line0: int) -> int:
        """Read ``seg``, whole newline-terminated lines; ``line0`` numbers the first.

        Returns the number of lines read.
        """
        wanted = self.wanted
        skipping = self._started and self._section is _Section.SKIP
        if skipping and wanted is not None and self.dump_count > wanted + 1:
            # The wanted dump is complete: only count the dumps that follow.
            self.dump_count += _count_titles(seg)
            return seg.count(b"\n")
        block = Block(seg)
        lines = BlockLines.of(block, line0)
        starts, ends = lines.starts, lines.ends
        n = int(starts.size)
        if n == 0:
            return 0
        if not self._started:
            self._started = True
            if seg[int(starts[0]) : int(ends[0])] != ROOTS_TITLE:
                self._start_dump(pre_zone=True)
        heap_from = 0 if self._section is _Section.HEAP else -1
        i = 0
        for s in np.flatnonzero(lines.special).tolist():
            if s > i:
                self._ordinary(seg, starts[i:s], ends[i:s], line0 + i)
            text = seg[int(starts[s]) : int(ends[s])]
            i = s + 1
            if self._section is _Section.HEAP and text.startswith(b"# ") and text != ROOTS_TITLE:
                try:
                    self._header(self._collecting(), cap_text(decode_text(text)), line0 + s)
                except SnapshotFormatError:
                    self._heap(block, lines, (max(heap_from, 0), s))  # an earlier bad line first
                    raise
                continue
            if heap_from >= 0:
                self._heap(block, lines, (heap_from, s))
                heap_from = -1
            self._control(text, line0 + s)
            if self._section is _Section.HEAP:
                heap_from = s + 1
        if n > i:
            self._ordinary(seg, starts[i:], ends[i:], line0 + i)
        if heap_from >= 0:
            self._heap(block, lines, (heap_from, n))
        return n

    def _heap(self, block: Block, lines: BlockLines, run: tuple[int, int]) -> None:
        if run[1] > run[0]:
            self._columns.add_run(self._collecting(), block, lines, run, self._tail_in_cell)
            self._tail_in_cell = not bool(lines.special[run[1] - 1])

    def finish(self, tail: bytes, line: int) -> tuple[DumpRecords | None, int]:
        """End of input; ``tail`` is whatever followed the last newline (``line`` numbers it).

        Returns the kept dump (None when the file holds no dump) and the number of dumps.
        """
        if tail and self.kept is not None and self._section is not _Section.SKIP:
            shown = decode_text(tail[:40])
            self.kept.add_problem(
                f"line {line}: the file ends inside this line (no newline; truncated?): "
                f"{shown!r} dropped"
            )
        if self.kept is not None:
            self._columns.store(self.kept)
        return self.kept, self.dump_count


def _count_titles(seg: bytes) -> int:
    count = seg.count(b"\n# Roots.\n") + seg.count(b"\n# Roots.\r\n")
    return count + int(seg.startswith((b"# Roots.\n", b"# Roots.\r\n")))
