"""Kernel of the retaining-path search: the tiered, ephemeron-aware root BFS."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakhunt.analyzers._kernels._types import EPHEMERON_KIND, I32, I64, U8, Bools
from leakhunt.lazy_kernel import lazy_kernel

__all__ = ["EPHEMERON_KIND", "root_bfs", "root_bfs_reference"]


def root_bfs_reference(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    traversable: Bools,
    seed_edge: I64,
    seed_tier: I32,
    eph_edge: I64,
    eph_entry: I32,
    eph_from_key: Bools,
    entry_halves: U8,
) -> tuple[I32, I64, I32]:
    """Breadth-first search from root edges in tiers, ephemeron-aware.

    Seeds are root edges, already in preference order and grouped by ascending tier. Tier
    ``t`` is searched to exhaustion before tier ``t + 1``'s seeds enter, so a node reachable
    from a preferred root keeps that root even when another root is nearer. Within a tier,
    earlier seeds win ties. A root's target gets distance 1.

    An ephemeron value is reached when the last of its entry's halves is met (its distance
    is one more than the later holder's); its parent edge is the half that leaves the key.

    Returns
    -------
    distance
        Hops from the nearest preferred root (-1 when unreached).
    parent_edge
        The edge through which each node was reached (a root edge for root targets).
    origin
        Index into the seeds of the root that reaches each node (-1 when unreached).
    """
    n = first_edge.shape[0] - 1
    distance = np.full(n, -1, dtype=np.int32)
    parent_edge = np.full(n, -1, dtype=np.int64)
    origin = np.full(n, -1, dtype=np.int32)
    met = np.zeros(entry_halves.shape[0], dtype=np.int32)
    key_edge = np.full(entry_halves.shape[0], -1, dtype=np.int64)
    key_source = np.full(entry_halves.shape[0], -1, dtype=np.int32)
    queue = np.empty(n, dtype=np.int32)
    head = tail = 0
    seed = 0
    seed_count = seed_edge.shape[0]
    while seed < seed_count:
        tier = seed_tier[seed]
        while seed < seed_count and seed_tier[seed] == tier:
            root_edge = seed_edge[seed]
            node = edge_target[root_edge]
            if distance[node] < 0:
                distance[node] = 1
                parent_edge[node] = root_edge
                origin[node] = seed
                queue[tail] = node
                tail += 1
            seed += 1
        while head < tail:
            node = queue[head]
            head += 1
            for edge in range(first_edge[node], first_edge[node + 1]):
                kind = edge_kind[edge]
                if not traversable[kind]:
                    continue
                child = edge_target[edge]
                if distance[child] >= 0:
                    continue
                via_edge = edge
                via_node = node
                if kind == EPHEMERON_KIND:
                    half = np.searchsorted(eph_edge, edge)
                    if half >= eph_edge.shape[0] or eph_edge[half] != edge:
                        continue
                    entry = eph_entry[half]
                    if eph_from_key[half]:
                        key_edge[entry] = edge
                        key_source[entry] = node
                    met[entry] += 1
                    if met[entry] < entry_halves[entry]:
                        continue
                    if key_edge[entry] >= 0:
                        via_edge = key_edge[entry]
                        via_node = key_source[entry]
                distance[child] = distance[node] + 1
                parent_edge[child] = via_edge
                origin[child] = origin[via_node]
                queue[tail] = child
                tail += 1
    return distance, parent_edge, origin


_root_bfs_compiled: Any = lazy_kernel(root_bfs_reference)


def root_bfs(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    traversable: Bools,
    seed_edge: I64,
    seed_tier: I32,
    eph_edge: I64,
    eph_entry: I32,
    eph_from_key: Bools,
    entry_halves: U8,
) -> tuple[I32, I64, I32]:
    """Compiled :func:`root_bfs_reference` (same arguments, same results)."""
    result: tuple[I32, I64, I32] = _root_bfs_compiled(
        first_edge,
        edge_target,
        edge_kind,
        traversable,
        seed_edge,
        seed_tier,
        eph_edge,
        eph_entry,
        eph_from_key,
        entry_halves,
    )
    return result


# ---------------------------------------------------------------------------------------------
# Chrome DevTools heap model: flags, distances, ownership, essential edges, Lengauer-Tarjan.
#
# These mirror the DevTools heap-snapshot worker (HeapSnapshot.ts, as bundled in npm
# heap-snapshot-toolkit 1.1.3) loop for loop, because the published numbers depend on visiting
# order in a few places (ephemeron pairing in the BFS, Lengauer-Tarjan on the fallback DFS
# trees). Every loop is iterative with an explicit stack or queue: heap graphs are deep.
# ---------------------------------------------------------------------------------------------
