"""Per-node ids, kinds and class names without the edges: what a snapshot compared by
identity (``diff``'s TARGET) contributes.

Importers that can read these columns without building the whole graph (V8: the edges are
validated but not interpreted) return a :class:`NodeClasses`; any :class:`RetentionGraph`
projects to one with :meth:`NodeClasses.of`.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import NodeKind
>>> b = GraphBuilder()
>>> _ = b.add_node(NodeKind.OBJECT, "Item", node_id=7)
>>> g = b.freeze(SourceInfo("inline", "test", "V8"))
>>> nodes = NodeClasses.of(g)
>>> [nodes.strings[int(c)] for c in nodes.node_class], nodes.node_id.tolist()
(['(root)', 'Item'], [0, 7])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import RetentionGraph, SourceInfo

__all__ = ["NodeClasses"]


@dataclass(frozen=True, slots=True, eq=False)
class NodeClasses:
    """The node columns a comparison by identity reads (same meaning as in :class:`RetentionGraph`)."""

    strings: tuple[str, ...]
    """String table :attr:`node_class` indexes."""
    node_kind: npt.NDArray[np.uint8]
    """:class:`~leakhunt.graph.kinds.NodeKind` per node."""
    node_class: npt.NDArray[np.uint32]
    """Class name (string index) per node."""
    node_id: npt.NDArray[np.int64]
    """Engine id (or address) per node."""
    source: SourceInfo
    """Where the nodes came from."""

    @property
    def root_node(self) -> int:
        """Ordinal of the synthetic super root (always 0, as in :class:`RetentionGraph`)."""
        return 0

    @classmethod
    def of(cls, graph: RetentionGraph) -> NodeClasses:
        """The node columns of a whole graph."""
        return cls(graph.strings, graph.node_kind, graph.node_class, graph.node_id, graph.source)
