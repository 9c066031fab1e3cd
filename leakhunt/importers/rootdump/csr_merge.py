"""Merging added edges into a graph's CSR: each added edge goes after its source's own edges.

:class:`CsrMerge` places the added edges by index arithmetic and writes the merged columns with
two compiled sequential passes (:func:`place_added_edges_reference`,
:func:`interleave_edges_reference`, their plain twins); :func:`merge_csr_by_insertion` is the
former ``np.insert`` merge, kept as the reference the tests compare with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import RetentionGraph
from leakhunt.lazy_kernel import lazy_kernel

__all__ = [
    "CsrMerge",
    "interleave_edges_reference",
    "merge_csr_by_insertion",
    "place_added_edges_reference",
]

I64 = npt.NDArray[np.int64]


class CsrMerge:
    """Snapshot edges plus added edges in one CSR: each added edge goes after its source's
    own edges (new nodes' edges after all snapshot edges), added edges of one source in the
    order given.

    Only the added edges are placed by index arithmetic; the three columns are then written in
    one sequential pass by a compiled kernel (no sort, search or scatter over the snapshot's
    millions of edges).

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> a = b.add_node(NodeKind.OBJECT, "a", node_id=1)
    >>> c = b.add_node(NodeKind.OBJECT, "c", node_id=3)
    >>> _ = b.add_edge(0, a, EdgeKind.ELEMENT, 0)
    >>> _ = b.add_edge(a, c, EdgeKind.PROPERTY, "x")
    >>> g = b.freeze(SourceInfo("inline", "test", "none"))
    >>> merge = CsrMerge(g, np.array([3, a, 0]), node_count=4)
    >>> merge.first.tolist(), merge.add_to_new.tolist(), merge.old_to_new(np.array([0, 1])).tolist()
    ([0, 2, 4, 4, 5], [4, 3, 1], [0, 2])
    """

    def __init__(self, graph: RetentionGraph, add_source: I64, node_count: int) -> None:
        self._old_first = graph.node_first_edge
        self._old = (graph.edge_target, graph.edge_kind, graph.edge_name)
        order = np.argsort(add_source, kind="stable")
        self._add_order = order
        self.first: I64 = np.empty(node_count + 1, dtype=np.int64)
        """Offsets of the merged CSR."""
        self.add_to_new: I64 = np.empty(add_source.size, dtype=np.int64)
        """Merged edge ordinal of each added edge."""
        # One pass, and no other array the size of the node count (each would be fresh memory).
        _place_added_edges(self._old_first, add_source[order], order, self.first, self.add_to_new)

    def old_to_new(self, old_edges: I64) -> I64:
        """Merged ordinals of some snapshot edges."""
        sources = np.searchsorted(self._old_first, old_edges, side="right") - 1
        shift = self.first[sources] - self._old_first[sources]
        result: I64 = (old_edges + shift).astype(np.int64)
        return result

    def columns(
        self,
        add_target: npt.NDArray[np.int32],
        add_kind: npt.NDArray[np.uint8],
        add_name: npt.NDArray[np.uint32],
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
        """The merged ``edge_target``, ``edge_kind`` and ``edge_name``."""
        total = int(self.first[-1])
        target, kind, name = (np.empty(total, dtype=old.dtype) for old in self._old)
        order = self._add_order
        _interleave_edges(
            self._old_first,
            self.first,
            *self._old,
            add_target[order],
            add_kind[order],
            add_name[order],
            target,
            kind,
            name,
        )
        return target, kind, name


def place_added_edges_reference(
    old_first: I64, sorted_sources: I64, order: I64, first: I64, add_to_new: I64
) -> None:
    """Fill ``first`` (the merged offsets) and ``add_to_new`` (each added edge's merged
    ordinal): node by node, its snapshot edges (``old_first``; none for new nodes), then its
    added edges in the given order (``sorted_sources`` = the sources sorted stably,
    ``order`` = the sort's permutation)."""
    old_nodes = old_first.shape[0] - 1
    added = 0
    first[0] = 0
    for node in range(first.shape[0] - 1):
        slot = first[node]
        if node < old_nodes:
            slot += old_first[node + 1] - old_first[node]
        while added < sorted_sources.shape[0] and sorted_sources[added] == node:
            add_to_new[order[added]] = slot
            slot += 1
            added += 1
        first[node + 1] = slot


_place_added_edges = lazy_kernel(place_added_edges_reference)


def interleave_edges_reference(
    old_first: I64,
    first: I64,
    old_target: npt.NDArray[np.int32],
    old_kind: npt.NDArray[np.uint8],
    old_name: npt.NDArray[np.uint32],
    add_target: npt.NDArray[np.int32],
    add_kind: npt.NDArray[np.uint8],
    add_name: npt.NDArray[np.uint32],
    target: npt.NDArray[np.int32],
    kind: npt.NDArray[np.uint8],
    name: npt.NDArray[np.uint32],
) -> None:
    """Fill the merged columns in one pass: each node's snapshot edges (``old_first``), then its
    added edges (sorted by source) up to its merged end (``first``)."""
    old_nodes = old_first.shape[0] - 1
    added = 0
    for node in range(first.shape[0] - 1):
        own = 0
        if node < old_nodes:
            own = old_first[node + 1] - old_first[node]
            for offset in range(own):
                edge = old_first[node] + offset
                target[first[node] + offset] = old_target[edge]
                kind[first[node] + offset] = old_kind[edge]
                name[first[node] + offset] = old_name[edge]
        for slot in range(first[node] + own, first[node + 1]):
            target[slot] = add_target[added]
            kind[slot] = add_kind[added]
            name[slot] = add_name[added]
            added += 1


_interleave_edges = lazy_kernel(interleave_edges_reference)


def merge_csr_by_insertion(
    graph: RetentionGraph,
    add_source: I64,
    add_target: npt.NDArray[np.int32],
    add_kind: npt.NDArray[np.uint8],
    add_name: npt.NDArray[np.uint32],
    node_count: int,
) -> tuple[I64, I64, npt.NDArray[np.int32], npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    """Reference twin of :class:`CsrMerge` (``np.insert`` at each source's block end; the
    former implementation, kept for the parity tests): offsets, merged ordinal of every
    added edge, and the three edge columns."""
    old_first = graph.node_first_edge
    n_old = graph.node_count
    position = np.where(
        add_source < n_old, old_first[np.minimum(add_source, n_old - 1) + 1], old_first[-1]
    ).astype(np.int64)
    # By position, then source (empty blocks share a position), then given order.
    order = np.lexsort((add_source, position))
    sorted_position = position[order]
    edge_target = np.insert(graph.edge_target, sorted_position, add_target[order])
    edge_kind = np.insert(graph.edge_kind, sorted_position, add_kind[order])
    edge_name = np.insert(graph.edge_name, sorted_position, add_name[order])
    counts = np.bincount(add_source, minlength=node_count).astype(np.int64)
    counts[:n_old] += np.diff(old_first)
    first = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    rank = np.empty(add_source.size, dtype=np.int64)
    rank[order] = np.arange(add_source.size, dtype=np.int64)
    add_to_new: I64 = position + rank
    return first, add_to_new, edge_target, edge_kind, edge_name
