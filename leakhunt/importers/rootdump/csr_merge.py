"""Merging added edges into a graph's CSR: each added edge goes after its source's own edges.

:func:`merge_csr` places the added edges by index arithmetic and writes the merged columns with
compiled sequential passes: into new arrays (:func:`place_added_edges_reference`,
:func:`interleave_edges_reference`, their plain twins), or, when the caller gives up the graph
and its columns have room after them (:mod:`leakhunt.graph.room`), in place
(:func:`merge_in_place_reference`): then no snapshot-sized memory is touched for the first time.
:func:`merge_csr_by_insertion` is the former ``np.insert`` merge, kept as the reference the
tests compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.room import grown
from leakhunt.lazy_kernel import lazy_kernel

__all__ = [
    "MergedCsr",
    "interleave_edges_reference",
    "merge_csr",
    "merge_csr_by_insertion",
    "merge_in_place_reference",
    "place_added_edges_reference",
]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class MergedCsr:
    """The merged CSR: offsets, the three edge columns, and where edges went."""

    first: I64
    """Offsets of the merged CSR."""
    target: I32
    kind: U8
    name: U32
    add_to_new: I64
    """Merged edge ordinal of each added edge."""
    moved: tuple[I64, ...]
    """Merged ordinals of the snapshot edges the caller asked about (``old_edges``)."""
    in_place: bool
    """Whether the graph's own storage was reused (its edge columns are then rewritten)."""


def merge_csr(
    graph: RetentionGraph,
    add_source: I64,
    add_target: I32,
    add_kind: U8,
    add_name: U32,
    node_count: int,
    *,
    old_edges: Sequence[I64] = (),
    consume: bool = False,
) -> MergedCsr:
    """Snapshot edges plus added edges in one CSR: each added edge goes after its source's
    own edges (new nodes' edges after all snapshot edges), added edges of one source in the
    order given; ``old_edges`` (arrays of snapshot edge ordinals) are translated.

    Only the added edges are placed by index arithmetic; the columns are then written in one
    sequential pass by a compiled kernel (no sort, search or scatter over the snapshot's
    millions of edges). With ``consume``, the caller gives ``graph`` up: when its offsets and
    edge columns have room for the result, the result is written into their storage (the
    snapshot's edges move up, from the last one down) and ``graph`` must not be read again.

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
    >>> added = np.array([3, a, 0])
    >>> merged = merge_csr(
    ...     g, added, np.array([a, c, a], np.int32), np.zeros(3, np.uint8),
    ...     np.zeros(3, np.uint32), 4, old_edges=[np.array([0, 1])])
    >>> merged.first.tolist(), merged.add_to_new.tolist(), merged.moved[0].tolist()
    ([0, 2, 4, 4, 5], [4, 3, 1], [0, 2])
    >>> merged.target.tolist(), merged.in_place
    ([1, 1, 2, 2, 1], False)
    """
    old_first = graph.node_first_edge
    order = np.argsort(add_source, kind="stable")
    sorted_sources = add_source[order]
    # An edge of source s moves up by the added edges of the sources before s.
    moved = tuple(
        (edges + np.searchsorted(sorted_sources, _sources(old_first, edges), side="left")).astype(
            np.int64
        )
        for edges in old_edges
    )
    add_to_new: I64 = np.empty(add_source.size, dtype=np.int64)
    total = graph.edge_count + add_source.size
    storage = _storage_with_room(graph, node_count + 1, total) if consume else None
    if storage is not None:
        first, target, kind, name = storage
        _merge_in_place(
            first,
            graph.node_count,
            sorted_sources,
            order,
            add_target,
            add_kind,
            add_name,
            target,
            kind,
            name,
            add_to_new,
        )
        return MergedCsr(first, target, kind, name, add_to_new, moved, in_place=True)
    first = np.empty(node_count + 1, dtype=np.int64)
    # One pass, and no other array the size of the node count (each would be fresh memory).
    _place_added_edges(old_first, sorted_sources, order, first, add_to_new)
    old = (graph.edge_target, graph.edge_kind, graph.edge_name)
    target, kind, name = (np.empty(total, dtype=column.dtype) for column in old)
    _interleave_edges(
        old_first,
        first,
        *old,
        add_target[order],
        add_kind[order],
        add_name[order],
        target,
        kind,
        name,
    )
    return MergedCsr(first, target, kind, name, add_to_new, moved, in_place=False)


def _storage_with_room(
    graph: RetentionGraph, offsets: int, edges: int
) -> tuple[I64, I32, U8, U32] | None:
    """The graph's offsets and edge columns grown to the merged lengths in their own storage,
    or None when any of them lacks the room."""
    first = grown(graph.node_first_edge, offsets)
    target = grown(graph.edge_target, edges)
    kind = grown(graph.edge_kind, edges)
    name = grown(graph.edge_name, edges)
    if first is None or target is None or kind is None or name is None:
        return None
    return first, target, kind, name


def _sources(first: I64, edges: I64) -> I64:
    """The source node of each edge."""
    result: I64 = (np.searchsorted(first, edges, side="right") - 1).astype(np.int64)
    return result


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


def merge_in_place_reference(
    first: I64,
    old_nodes: int,
    sorted_sources: I64,
    order: I64,
    add_target: I32,
    add_kind: U8,
    add_name: U32,
    target: I32,
    kind: U8,
    name: U32,
    add_to_new: I64,
) -> None:
    """The merge written over the snapshot's own columns: ``first`` holds the snapshot's
    offsets in its first ``old_nodes + 1`` elements, ``target``/``kind``/``name`` its edges at
    their start; both have room for the result. Walking from the last node down, each node's
    added edges (``sorted_sources``, ``order`` as for :func:`place_added_edges_reference`;
    the ``add_*`` columns in the given order) go to the top of what is left, then its own
    edges move up under them. A node's edges never move down, so nothing is overwritten
    before it is read; below the lowest source of an added edge nothing moves at all."""
    node_count = first.shape[0] - 1
    added = sorted_sources.shape[0] - 1
    old_end = first[old_nodes]  # end of the snapshot edges of the nodes below the current one
    write = old_end + sorted_sources.shape[0]
    first[node_count] = write
    for node in range(node_count - 1, -1, -1):
        while added >= 0 and sorted_sources[added] == node:
            write -= 1
            given = order[added]
            target[write] = add_target[given]
            kind[write] = add_kind[given]
            name[write] = add_name[given]
            add_to_new[given] = write
            added -= 1
        if node < old_nodes:
            if write == old_end:
                return  # no added edge below: the rest keeps its place and its offsets
            old_start = first[node]
            shift = write - old_end
            for edge in range(old_end - 1, old_start - 1, -1):
                target[edge + shift] = target[edge]
                kind[edge + shift] = kind[edge]
                name[edge + shift] = name[edge]
            write -= old_end - old_start
            old_end = old_start
        first[node] = write


_merge_in_place = lazy_kernel(merge_in_place_reference)


def merge_csr_by_insertion(
    graph: RetentionGraph,
    add_source: I64,
    add_target: npt.NDArray[np.int32],
    add_kind: npt.NDArray[np.uint8],
    add_name: npt.NDArray[np.uint32],
    node_count: int,
) -> tuple[I64, I64, npt.NDArray[np.int32], npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    """Reference twin of :func:`merge_csr` (``np.insert`` at each source's block end; the
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
