"""The de-interleaved columns of one V8 snapshot, shared by the layout and context passes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["V8Columns"]


@dataclass(frozen=True, slots=True)
class V8Columns:
    """The de-interleaved, ordinal-based columns of one snapshot, before interpretation."""

    path: str
    node_types: tuple[str, ...]
    edge_types: tuple[str, ...]
    strings: tuple[str, ...]
    node_type: npt.NDArray[np.uint8]
    node_name: npt.NDArray[np.uint32]
    node_id: npt.NDArray[np.int64]
    node_self_size: npt.NDArray[np.int64]
    node_detachedness: npt.NDArray[np.uint8]
    node_first_edge: npt.NDArray[np.int64]
    edge_type: npt.NDArray[np.uint8]
    edge_name: npt.NDArray[np.uint32]
    edge_target: npt.NDArray[np.int32]
    problems: tuple[str, ...] = ()
    """Recoverable oddities found while parsing (unknown node types, capped strings)."""
    node_room: int = 0
    """Room the node columns keep after their last node (:mod:`leakhunt.graph.room`); columns
    derived from them keep as much."""
    edge_room: int = 0
    """Room the edge columns keep after their last edge."""
