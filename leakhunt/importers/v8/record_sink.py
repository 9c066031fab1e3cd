"""Typed columns from the flat integer arrays ``nodes`` and ``edges`` of a V8 heap snapshot.

The JSON stream hands over the numbers chunk by chunk; a :class:`RecordSink` scatters each
record's wanted fields into their columns and checks their ranges on the way (flat ``to_node``
offsets become node ordinals here and nowhere else).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.v8.meta import SnapshotMeta

__all__ = ["IntegerCollector", "RecordSink", "edge_sink", "node_sink"]

_MAX_NODES = 2**31 - 1  # node ordinals are int32: 2 billion nodes, far beyond any 4 GB+ snapshot


class IntegerCollector:
    """An integer sink that keeps the whole (small) array."""

    def __init__(self) -> None:
        self.parts: list[npt.NDArray[np.int64]] = []

    def accept(self, values: npt.NDArray[np.int64], offset: int) -> None:
        del offset
        self.parts.append(values.copy())

    def finish(self, total: int) -> None:
        del total

    def array(self) -> npt.NDArray[np.int64]:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int64)


class RecordSink:
    """Scatters a flat integer array of fixed-width records into typed columns.

    ``wanted`` maps a field to its column's dtype and the bound its values must stay below
    (0: none); ``capacity`` is the number of records expected (more grow the columns), ``room``
    extra elements kept after them for an overlay (:mod:`leakhunt.graph.room`).

    >>> sink = RecordSink("x.heapsnapshot", "node", ("a", "b"), {"b": (np.int64, 0)}, 2)
    >>> sink.accept(np.array([1, 10, 2]), 0); sink.accept(np.array([20]), 3); sink.finish(4)
    >>> sink.columns["b"].tolist(), sink.count
    ([10, 20], 2)
    """

    def __init__(
        self,
        path: str,
        record: str,
        fields: Sequence[str],
        wanted: dict[str, tuple[type[np.integer], int]],
        capacity: int,
        room: int = 0,
    ) -> None:
        self.path = path
        self.record = record
        self.width = len(fields)
        self._wanted = {fields.index(f): (f, dtype, bound) for f, (dtype, bound) in wanted.items()}
        # Room for an overlay, up to as much again as the declared records (beyond that, it
        # copies): untouched, it is only address space.
        self.room = min(max(room, 0), capacity)
        self.columns: dict[str, npt.NDArray[np.integer]] = {
            f: np.empty(capacity + self.room, dtype=dtype) for f, (dtype, _) in wanted.items()
        }
        self.count = 0
        self.node_width = 1
        self.lenient: frozenset[str] = frozenset()
        """Fields whose values beyond the bound are kept as the bound (unknown) instead."""
        self.first_beyond: dict[str, tuple[int, int]] = {}
        self.beyond_count: dict[str, int] = {}
        self._carry = np.zeros(0, dtype=np.int64)

    def accept(self, values: npt.NDArray[np.int64], offset: int) -> None:
        """Take the next numbers of the array (a record may span two calls)."""
        if self._carry.size:
            values = np.concatenate((self._carry, values))
        whole = values.size // self.width
        self._carry = values[whole * self.width :].copy()
        if whole == 0:
            return
        start, stop = self.count, self.count + whole
        self._grow(stop)
        for index, (field, _, bound) in self._wanted.items():
            column_values = values[index : whole * self.width : self.width]
            if field == "to_node":
                column_values = self._node_ordinals(column_values, start)
            elif field in self.lenient and column_values.size and column_values.max() >= bound:
                column_values = self._beyond_bound(field, column_values, start, bound)
            elif bound and column_values.size and column_values.max() >= bound:
                bad = int(np.flatnonzero(column_values >= bound)[0])
                raise SnapshotFormatError(
                    self.path,
                    f"{self.record} {start + bad}",
                    f"{field} {int(column_values[bad])} is out of range (limit {bound})",
                )
            self.columns[field][start:stop] = column_values
        self.count = stop

    def _beyond_bound(
        self, field: str, values: npt.NDArray[np.int64], start: int, bound: int
    ) -> npt.NDArray[np.int64]:
        # Old snapshots use type numbers their own type list lacks; DevTools shows such
        # nodes as of an unknown type, and so do we (the value ``bound`` means "unknown").
        beyond = values >= bound
        if field not in self.first_beyond:
            bad = int(np.flatnonzero(beyond)[0])
            self.first_beyond[field] = (start + bad, int(values[bad]))
        self.beyond_count[field] = self.beyond_count.get(field, 0) + int(beyond.sum())
        return np.where(beyond, bound, values)

    def _node_ordinals(self, offsets: npt.NDArray[np.int64], start: int) -> npt.NDArray[np.int64]:
        # to_node is a flat offset into "nodes": divide once, here, and nowhere else.
        ordinals, remainders = np.divmod(offsets, self.node_width)
        if remainders.any():
            bad = int(np.flatnonzero(remainders)[0])
            raise SnapshotFormatError(
                self.path,
                f"edge {start + bad}",
                f"to_node {int(offsets[bad])} is not a multiple of {self.node_width}",
            )
        if ordinals.size and ordinals.max() >= _MAX_NODES:
            bad = int(np.flatnonzero(ordinals >= _MAX_NODES)[0])
            raise SnapshotFormatError(
                self.path,
                f"edge {start + bad}",
                f"to_node {int(offsets[bad])} points past the last node",
            )
        return ordinals

    def _grow(self, needed: int) -> None:
        for field, column in self.columns.items():
            if column.size < needed + self.room:
                self.columns[field] = np.resize(column, max(needed + self.room, 2 * column.size))

    def finish(self, total: int) -> None:
        """The array ended after ``total`` numbers: trim the columns to the records read."""
        if self._carry.size:
            raise SnapshotFormatError(
                self.path,
                f"{self.record} {self.count}",
                f"the array ends inside the record ({total} numbers is not a multiple of "
                f"{self.width})",
            )
        for field, column in self.columns.items():
            self.columns[field] = column[: self.count]


def _capacity(declared: int | None, bound: int, width: int) -> int:
    # A header count is only a hint: never let a header allocate more than the decoded file
    # could hold (two bytes a number: a digit and a comma).
    ceiling = max(1, bound // (2 * width))
    return min(declared, ceiling) if declared is not None else min(1 << 16, ceiling)


def node_sink(path: str, meta: SnapshotMeta, file_bytes: int, room: int) -> RecordSink:
    """The sink of ``nodes``: the fields the graph keeps, sized by the declared count."""
    wanted: dict[str, tuple[type[np.integer], int]] = {
        "type": (np.uint8, len(meta.node_types)),
        "name": (np.uint32, 2**32),
        "id": (np.int64, 0),
        "self_size": (np.int64, 0),
        "edge_count": (np.int64, 0),
    }
    if "detachedness" in meta.node_fields:
        wanted["detachedness"] = (np.uint8, 256)
    width = len(meta.node_fields)
    sink = RecordSink(
        path, "node", meta.node_fields, wanted, _capacity(meta.node_count, file_bytes, width), room
    )
    sink.lenient = frozenset({"type"})
    return sink


def edge_sink(path: str, meta: SnapshotMeta, file_bytes: int, room: int) -> RecordSink:
    """The sink of ``edges``: type, name and target ordinal."""
    wanted: dict[str, tuple[type[np.integer], int]] = {
        "type": (np.uint8, len(meta.edge_types)),
        "name_or_index": (np.uint32, 2**32),
        "to_node": (np.int32, 0),
    }
    width = len(meta.edge_fields)
    return RecordSink(
        path, "edge", meta.edge_fields, wanted, _capacity(meta.edge_count, file_bytes, width), room
    )
