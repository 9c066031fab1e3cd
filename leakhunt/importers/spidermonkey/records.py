"""What one dump of a ``js::DumpHeap`` log says, before addresses become node ordinals.

Filled by :mod:`~leakhunt.importers.spidermonkey.reader` and
:mod:`~leakhunt.importers.spidermonkey.heap`; consumed by
:mod:`~leakhunt.importers.spidermonkey.assembly`.

Examples
--------
>>> dump = DumpRecords(index=0, pre_zone=False)
>>> dump.add_problem("line 3: something odd")
>>> dump.problems, dump.cell_address.size
(['line 3: something odd'], 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["DumpRecords", "HeaderLine"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

_PROBLEM_CAP = 100


@dataclass(frozen=True, slots=True)
class HeaderLine:
    """A ``# realm`` or ``# compartment`` header."""

    kind: str
    """``"realm"`` or ``"compartment"``."""
    name: str
    """The name as printed (``<unknown>`` when the embedder names no realms)."""
    compartment: int | None
    """Compartment address (realm lines only)."""
    zone: int | None
    """Zone address (realm lines and zones-era compartment lines)."""
    grouping: bool
    """Whether the header groups the cells after it (pre-zone ``# compartment NAME``)."""
    line: int
    """Line number in the file."""


@dataclass(slots=True)
class DumpRecords:
    """Everything one dump says, addresses unresolved."""

    index: int
    """0-based position of the dump in the file."""
    pre_zone: bool
    """Whether the dump is in the pre-zone format (no section titles, grouping headers)."""
    roots: list[tuple[int, str, int]] = field(default_factory=list)
    """``(address, root name, line)`` per root line."""
    weak_maps: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    """``(map, key, key delegate, value, line)`` per ``WeakMapEntry`` (0 for NULL)."""
    zones: list[tuple[int, int]] = field(default_factory=list)
    """``(address, line)`` per ``# zone`` header."""
    headers: list[HeaderLine] = field(default_factory=list)
    """Realm and compartment headers, in file order."""
    arenas: list[tuple[int, int]] = field(default_factory=list)
    """``(line, size)`` per ``# arena`` header."""
    descriptions: dict[bytes, int] = field(default_factory=dict)
    """Distinct cell descriptions (``SIZE::`` removed; for strings the header only)."""
    texts: list[str] = field(default_factory=list)
    """String cells' contents (the text after ``<header>``), one per string cell, in order."""
    edge_names: dict[bytes, int] = field(default_factory=dict)
    """Distinct edge names, by index."""
    problems: list[str] = field(default_factory=list)
    """Recoverable oddities (capped)."""
    heap_seen: bool = False
    """Whether the ``==========`` separator was reached."""
    null_edges: int = 0
    """Edge lines with a NULL target (dropped)."""
    sized_cells: int = 0
    """Cell lines that carry a ``SIZE::`` suffix."""
    cell_address: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Address of each cell, in listing order."""
    cell_line: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Line number of each cell."""
    cell_description: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Index into :attr:`descriptions` of each cell."""
    cell_text: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Index into :attr:`texts` of each string cell, -1 for other cells."""
    cell_size: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """``SIZE::`` of each cell, or else the size of its arena's AllocKind (0 if none)."""
    edge_source: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Cell index (0-based, listing order) each edge leaves."""
    edge_target: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Target address of each edge."""
    edge_name: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    """Index into :attr:`edge_names` of each edge."""

    def add_problem(self, problem: str) -> None:
        """Record a recoverable oddity (the first hundred are kept)."""
        if len(self.problems) < _PROBLEM_CAP:
            self.problems.append(problem)

    def release_cells(self) -> None:
        """Drop the per-cell columns and string texts (once copied into a graph)."""
        empty64, empty32 = np.zeros(0, np.int64), np.zeros(0, np.int32)
        self.cell_address, self.cell_line, self.cell_size = empty64, empty64, empty64
        self.cell_description, self.cell_text = empty32, empty32
        self.texts = []

    def release_edges(self) -> None:
        """Drop the per-edge columns (once copied into a graph)."""
        self.edge_source, self.edge_name = np.zeros(0, np.int32), np.zeros(0, np.int32)
        self.edge_target = np.zeros(0, np.int64)
