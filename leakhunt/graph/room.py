"""Columns with room after their last element, so that a graph can grow without a copy.

An overlay adds nodes and edges to a snapshot's graph. Copying every column into larger arrays
costs little arithmetic but touches ~40 bytes of fresh memory per node and 9 per edge, and
fresh memory is what costs most on a virtual machine (the host backs each page on its first
touch). An importer that knows an overlay is coming allocates its columns with room behind
them (:func:`with_room`): untouched room is only address space, never backed. The overlay then
takes the longer view of the same storage (:func:`grown`) and writes only what it adds.

Examples
--------
>>> import numpy as np
>>> column = with_room(3, np.int64, room=2, fill=7)
>>> column.tolist(), room_after(column)
([7, 7, 7], 2)
>>> longer = grown(column, 5)
>>> longer[3:] = [8, 9]
>>> longer.tolist(), column.tolist()
([7, 7, 7, 8, 9], [7, 7, 7])
>>> grown(column, 6) is None, grown(np.arange(3), 4) is None
(True, True)
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["grown", "room_after", "with_room"]

S = TypeVar("S", bound=np.generic)


def with_room(length: int, dtype: type[S], *, room: int, fill: int | None = None) -> npt.NDArray[S]:
    """``length`` elements of ``dtype`` (filled with ``fill`` when given), the first part of
    storage for ``length + room``; the room is neither written nor read."""
    storage: npt.NDArray[S] = np.empty(length + max(room, 0), dtype=dtype)
    column = storage[:length]
    if fill is not None:
        column.fill(fill)
    return column


def _storage(column: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """The writable 1-D array that owns ``column``'s memory, when ``column`` is its start."""
    base = column.base
    if (
        not isinstance(base, np.ndarray)
        or base.base is not None
        or not base.flags.owndata
        or not base.flags.writeable
        or base.ndim != 1
        or column.ndim != 1
        or base.dtype != column.dtype
        or not column.flags.c_contiguous
        or column.__array_interface__["data"][0] != base.__array_interface__["data"][0]
    ):
        return None
    return base


def room_after(column: npt.NDArray[Any]) -> int:
    """How many more elements the column's storage holds after its last one (0 for a column
    that owns exactly its elements, or is a slice of something else)."""
    storage = _storage(column)
    return 0 if storage is None else storage.size - column.size


def grown(column: npt.NDArray[S], length: int) -> npt.NDArray[S] | None:
    """The first ``length`` elements of the column's storage (its own elements, then room), or
    None when the storage is shorter. The added elements hold whatever the room held: write
    them before reading. Two views grown from one column share their added elements, so only
    the owner of the column may grow it."""
    storage = _storage(column)
    if storage is None or length > storage.size or length < column.size:
        return None
    result: npt.NDArray[S] = storage[:length]
    return result
