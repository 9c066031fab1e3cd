"""Cell and edge lines of a heap section, parsed a block at a time into columns.

Each block's heap lines are split into cell lines and edge lines; addresses, colours,
``SIZE::`` suffixes, descriptions and edge names are read with the array operations of
:mod:`~leakhunt.importers.spidermonkey.lines`, and every edge is given the cell it follows. The
pieces are joined once per dump (:meth:`HeapColumns.store`).

Examples
--------
>>> from leakhunt.importers.spidermonkey.lines import Block
>>> block = Block(b"0x10 B Object <unknown object>\\n> 0x20 B a\\n> 0x10 B b\\n")
>>> lines = BlockLines.of(block, 1)
>>> dump, heap = DumpRecords(index=0, pre_zone=False), HeapColumns("inline")
>>> heap.add_run(dump, block, lines, (0, 3), False)
>>> heap.store(dump)
>>> dump.edge_source.tolist(), [hex(a) for a in dump.edge_target.tolist()], list(dump.edge_names)
([0, 0], ['0x20', '0x10'], [b'a', b'b'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.common.text import decode_text
from leakhunt.importers.spidermonkey.lines import (
    Block,
    check_colours,
    find_size_suffix,
    intern_slices,
    parse_addresses,
    slice_texts,
    split_lines,
    split_string_descriptions,
)
from leakhunt.importers.spidermonkey.records import DumpRecords

__all__ = ["BlockLines", "HeapColumns"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class BlockLines:
    """The lines of one block: where they start and end, their first bytes, which are headers."""

    starts: I64
    """Offset of each line's first byte."""
    ends: I64
    """Offset of each line's end (before ``\\r\\n`` or ``\\n``)."""
    first: U8
    """Each line's first byte (0 for an empty line)."""
    special: Bools
    """Lines starting with ``#`` or ``=``, and empty lines: handled one by one."""
    line0: int
    """File line number of the block's first line."""

    @staticmethod
    def of(block: Block, line0: int) -> BlockLines:
        """Split ``block`` into lines (its bytes after the last newline are ignored)."""
        starts, ends = split_lines(block.arr)
        first = np.zeros(starts.size, dtype=np.uint8)
        nonempty = ends > starts
        first[nonempty] = block.arr[starts[nonempty]]
        special = (first == ord("#")) | (first == ord("=")) | ~nonempty
        return BlockLines(starts, ends, first, special, line0)


def _join64(parts: list[I64]) -> I64:
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _join32(parts: list[I32]) -> I32:
    return np.concatenate(parts) if parts else np.zeros(0, np.int32)


class HeapColumns:
    """The cell and edge columns of one dump, read a block at a time.

    Parameters
    ----------
    path
        File name, for error messages.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.cell_address: list[I64] = []
        self.cell_line: list[I64] = []
        self.cell_description: list[I32] = []
        self.cell_text: list[I32] = []
        self.cell_size: list[I64] = []
        self.edge_source: list[I32] = []
        self.edge_target: list[I64] = []
        self.edge_name: list[I32] = []
        self.cells = 0

    def _fail(self, line: int, problem: str) -> SnapshotFormatError:
        return SnapshotFormatError(self.path, f"line {line}", problem)

    def store(self, dump: DumpRecords) -> None:
        """Join the pieces into ``dump``'s columns; estimate sizes the log does not give."""
        # Each column's pieces are dropped as soon as they are joined: one copy at a time.
        dump.cell_address, self.cell_address = _join64(self.cell_address), []
        dump.cell_line, self.cell_line = _join64(self.cell_line), []
        dump.cell_description, self.cell_description = _join32(self.cell_description), []
        dump.cell_text, self.cell_text = _join32(self.cell_text), []
        dump.cell_size, self.cell_size = _join64(self.cell_size), []
        dump.edge_source, self.edge_source = _join32(self.edge_source), []
        dump.edge_target, self.edge_target = _join64(self.edge_target), []
        dump.edge_name, self.edge_name = _join32(self.edge_name), []
        dump.sized_cells = int(np.count_nonzero(dump.cell_size >= 0))
        if dump.arenas and dump.cell_size.size:
            # No SIZE:: suffix: estimate with the cell size of the arena's AllocKind.
            arena_line = np.array([line for line, _ in dump.arenas], dtype=np.int64)
            arena_size = np.array([size for _, size in dump.arenas] + [0], dtype=np.int64)
            arena = np.searchsorted(arena_line, dump.cell_line) - 1  # -1 → the 0 at the end
            missing = dump.cell_size < 0
            dump.cell_size[missing] = arena_size[arena[missing]]
        np.maximum(dump.cell_size, 0, out=dump.cell_size)

    def add_run(
        self,
        dump: DumpRecords,
        block: Block,
        lines: BlockLines,
        run: tuple[int, int],
        continues: bool,
    ) -> None:
        """Cell and edge lines ``run[0] .. run[1]-1`` of a block's heap section.

        Header lines inside the run are skipped (the reader has read them); ``continues``
        tells whether the line before the run, in the previous block, was a cell or edge.
        """
        starts, ends, first, special_mask = lines.starts, lines.ends, lines.first, lines.special
        line0 = lines.line0
        a, b = run
        if b <= a:
            return
        listed = np.arange(a, b, dtype=np.int64)[~special_mask[a:b]]
        is_edge = first[listed] == ord(">")
        cells, edges = listed[~is_edge], listed[is_edge]
        cells_before = self.cells
        errors: list[SnapshotFormatError] = []  # cells and edges are checked apart
        if cells.size:
            try:
                self._cells(dump, block, cells, starts, ends, line0)
            except SnapshotFormatError as error:
                errors.append(error)
        if edges.size:
            prev = edges - 1
            after_header = np.zeros(edges.size, dtype=np.bool_)
            inside = prev >= a
            after_header[inside] = special_mask[prev[inside]]
            after_header[~inside] = not (a == 0 and continues)
            cells_so_far = np.cumsum(~is_edge)  # per run line: cells listed up to it
            source = cells_before + cells_so_far[is_edge] - 1
            try:
                if after_header.any():
                    line = line0 + int(edges[np.flatnonzero(after_header)[0]])
                    errors.append(self._fail(line, "edge line does not follow a cell line"))
                self._edges(dump, block, edges, source, starts, ends, line0)
            except SnapshotFormatError as error:
                errors.append(error)
        if errors:  # report the first bad line of the run
            raise min(errors, key=lambda error: int(error.record.removeprefix("line ")))

    def _cells(
        self,
        dump: DumpRecords,
        block: Block,
        cells: I64,
        starts: I64,
        ends: I64,
        line0: int,
    ) -> None:
        pos, limit = starts[cells], ends[cells]
        address, token_end = self._tokens(block, pos, limit, cells, line0, "cell")
        if np.any(address == 0):
            line = line0 + int(cells[np.flatnonzero(address == 0)[0]])
            raise self._fail(line, "cell with a NULL address")
        text_start = token_end + 3
        if b" SIZE:: " in block.data:
            text_end, size = find_size_suffix(block, text_start, limit)
        else:
            text_end, size = limit, np.full(cells.size, -1, dtype=np.int64)
        self.cell_address.append(address)
        self.cell_line.append(line0 + cells)
        head_end, string_start, is_string = split_string_descriptions(block, text_start, text_end)
        self.cell_description.append(intern_slices(block, text_start, head_end, dump.descriptions))
        text = np.full(cells.size, -1, dtype=np.int32)
        strings = np.flatnonzero(is_string)
        if strings.size:
            text[strings] = len(dump.texts) + np.arange(strings.size, dtype=np.int32)
            dump.texts += slice_texts(block, string_start[strings], text_end[strings])
        self.cell_text.append(text)
        self.cell_size.append(size)
        self.cells += int(cells.size)

    def _edges(
        self,
        dump: DumpRecords,
        block: Block,
        edges: I64,
        source: I64,
        starts: I64,
        ends: I64,
        line0: int,
    ) -> None:
        pos, limit = starts[edges] + 2, ends[edges]
        marker = (pos < limit) & (block.byte_at(pos - 1) == ord(" "))
        if not marker.all():
            line = line0 + int(edges[np.flatnonzero(~marker)[0]])
            raise self._fail(line, "edge line is not '> ADDRESS COLOUR NAME'")
        target, token_end = self._tokens(block, pos, limit, edges, line0, "edge")
        names = intern_slices(block, token_end + 3, limit, dump.edge_names)
        keep = target != 0
        if not keep.all():
            dump.null_edges += int(np.count_nonzero(~keep))
            target, names, source = target[keep], names[keep], source[keep]
        self.edge_source.append(source.astype(np.int32))
        self.edge_target.append(target)
        self.edge_name.append(names)

    def _tokens(
        self,
        block: Block,
        pos: I64,
        limit: I64,
        lines: I64,
        line0: int,
        what: str,
    ) -> tuple[I64, I64]:
        """Addresses at ``pos`` followed by a colour letter, or a :class:`SnapshotFormatError`."""
        form = "ADDRESS COLOUR DESCRIPTION" if what == "cell" else "> ADDRESS COLOUR NAME"
        address, token_end, bad = parse_addresses(block, pos, limit)
        if bad >= 0:
            raise self._fail(line0 + int(lines[bad]), f"{what} line is not '{form}'")
        ok = check_colours(block, token_end, limit)
        if not ok.all():
            row = int(np.flatnonzero(~ok)[0])
            line = line0 + int(lines[row])
            end = int(token_end[row])
            letter = decode_text(block.data[end + 1 : end + 2])
            if end + 2 < int(limit[row]) and block.data[end + 2 : end + 3] == b" ":
                raise self._fail(line, f"colour {letter!r} is not one of B, G, X, W")
            raise self._fail(line, f"{what} line is not '{form}'")
        return address, token_end
