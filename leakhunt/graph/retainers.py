"""The reverse CSR: for each node, the edges that point to it.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> x = b.add_node(NodeKind.OBJECT, "x", node_id=1)
>>> y = b.add_node(NodeKind.OBJECT, "y", node_id=2)
>>> _ = b.add_edge(x, y, EdgeKind.PROPERTY, "a")
>>> _ = b.add_edge(b.root, y, EdgeKind.PROPERTY, "b")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> r = build_retainers(g)
>>> [g.edge_name_text(int(e)) for e in r.edges_into(y)]
['b', 'a']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.graph.builder import csr_from_edge_sources
from leakhunt.graph.core import RetentionGraph

__all__ = ["Retainers", "build_retainers"]


@dataclass(frozen=True, slots=True)
class Retainers:
    """Reverse CSR over a graph's edges."""

    node_first_retainer: npt.NDArray[np.int64]
    """Offsets into :attr:`retainer_edge`, length ``n + 1``."""
    retainer_edge: npt.NDArray[np.int64]
    """Edge ordinals grouped by target, each group in edge order."""
    edge_source: npt.NDArray[np.int32]
    """Source node of every edge (indexed by edge ordinal)."""

    def edges_into(self, node: int) -> npt.NDArray[np.int64]:
        """Ordinals of the edges that point at ``node``."""
        first = self.node_first_retainer
        return self.retainer_edge[int(first[node]) : int(first[node + 1])]


def build_retainers(graph: RetentionGraph) -> Retainers:
    """Compute the reverse CSR of ``graph`` (one stable sort of the edge targets)."""
    order, first = csr_from_edge_sources(graph.edge_target, graph.node_count)
    return Retainers(first, order, graph.edge_source())
