"""Kernel of the exact per-context cut: for every node, the contexts whose cut frees it.

``D(x)`` is the set of contexts ``B`` such that every path from a root to ``x`` uses an edge
entering ``B`` from outside (a root edge into ``B`` counts). Cutting ``B``'s entering edges
frees exactly the nodes with ``B`` in ``D(x)``. ``D`` is the greatest fixed point of

    D(x) = ⋂ over retaining edges u→x of ( D(u) ∪ enter(u→x) ),   D(root) = ∅,

where ``enter(u→x)`` is ``{context(x)}`` when ``x`` has a context other than ``u``'s (root
edges: whenever ``x`` has a context). A FIFO worklist from the roots starts every node at
"all contexts" (unvisited) and only shrinks sets, so it reaches that fixed point; the first
visit comes along a breadth-first path, so later visits seldom shrink anything. Sets are
small in real heaps (a node dies with its own context and the few that hold it), kept sorted
in one growing pool: a node's set is written once and then only shrinks in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leakhunt.analyzers._kernels._types import I32, I64, Bools
from leakhunt.lazy_kernel import lazy_kernel


def context_cut_sets_reference(
    first_edge: I64,
    edge_target: I32,
    retains: Bools,
    node_context: I32,
    seeds: I32,
    context_count: int,
    self_size: I64,
    query_node: I64,
    query_context: I64,
) -> tuple[I64, I32, I32, I64, I64, Bools]:
    """``D(x)`` for every node reached from ``seeds``, the per-context sums, and the queries.

    Parameters
    ----------
    first_edge, edge_target
        The graph's forward CSR.
    retains
        Per edge: whether it retains (root edges excluded: the roots are ``seeds``).
    node_context
        Context of each node, -1 for none.
    seeds
        Nodes held by a root (through an entering edge when they have a context).
    context_count
        Number of contexts.
    self_size
        Bytes per node.
    query_node, query_context
        Pairs to answer: is the context in the node's set?

    Returns
    -------
    tuple
        ``start`` (per node, offset into ``pool``, -1 when not reached), ``length``, ``pool``
        (sorted context indices), retained bytes and nodes per context, and the answers.
    """
    n = first_edge.shape[0] - 1
    start = np.full(n, -1, dtype=np.int64)
    length = np.zeros(n, dtype=np.int32)
    pool = np.empty(max(16, n), dtype=np.int32)
    top = 0
    candidate = np.empty(context_count + 1, dtype=np.int32)
    queued = np.zeros(n, dtype=np.bool_)
    size = n + 1
    ring = np.empty(size, dtype=np.int32)
    head = 0
    tail = 0
    node = -1  # the roots first, then the worklist
    while True:
        if node < 0:
            lo, hi = 0, seeds.shape[0]
            source_context = -1
            source_start, source_length = 0, 0
        else:
            lo, hi = first_edge[node], first_edge[node + 1]
            source_context = node_context[node]
            source_start, source_length = start[node], length[node]
        for index in range(lo, hi):
            if node < 0:
                target = seeds[index]
            else:
                if not retains[index]:
                    continue
                target = edge_target[index]
            # candidate = D(source) ∪ enter(source→target), sorted
            entered = node_context[target]
            if entered == source_context:
                entered = -1
            count = 0
            for slot in range(source_start, source_start + source_length):
                value = pool[slot]
                if 0 <= entered < value:
                    candidate[count] = entered
                    count += 1
                    entered = -1
                elif value == entered:
                    entered = -1
                candidate[count] = value
                count += 1
            if entered >= 0:
                candidate[count] = entered
                count += 1
            changed = False
            if start[target] < 0:
                if top + count > pool.shape[0]:
                    grown = np.empty(2 * pool.shape[0] + count, dtype=np.int32)
                    grown[:top] = pool[:top]
                    pool = grown
                for slot in range(count):
                    pool[top + slot] = candidate[slot]
                start[target] = top
                length[target] = count
                top += count
                changed = True
            else:
                # D(target) ∩= candidate, in place (both sorted)
                base = start[target]
                old = length[target]
                kept = 0
                other = 0
                for slot in range(base, base + old):
                    value = pool[slot]
                    while other < count and candidate[other] < value:
                        other += 1
                    if other < count and candidate[other] == value:
                        pool[base + kept] = value
                        kept += 1
                if kept < old:
                    length[target] = kept
                    changed = True
            if changed and not queued[target]:
                queued[target] = True
                ring[tail] = target
                tail = tail + 1 if tail + 1 < size else 0
            if node >= 0:
                source_start, source_length = start[node], length[node]
        if head == tail:
            break
        node = ring[head]
        head = head + 1 if head + 1 < size else 0
        queued[node] = False
    retained_size = np.zeros(context_count, dtype=np.int64)
    retained_objects = np.zeros(context_count, dtype=np.int64)
    for x in range(n):
        for slot in range(start[x], start[x] + length[x]):
            retained_size[pool[slot]] += self_size[x]
            retained_objects[pool[slot]] += 1
    answers = np.zeros(query_node.shape[0], dtype=np.bool_)
    for q in range(query_node.shape[0]):
        x = query_node[q]
        for slot in range(start[x], start[x] + length[x]):
            if pool[slot] == query_context[q]:
                answers[q] = True
    return start, length, pool[:top].copy(), retained_size, retained_objects, answers


_context_cut_sets_compiled: Any = lazy_kernel(context_cut_sets_reference)


def context_cut_sets(
    first_edge: I64,
    edge_target: I32,
    retains: Bools,
    node_context: I32,
    seeds: I32,
    context_count: int,
    self_size: I64,
    query_node: I64,
    query_context: I64,
) -> tuple[I64, I32, I32, I64, I64, Bools]:
    """Compiled :func:`context_cut_sets_reference`."""
    result: tuple[I64, I32, I32, I64, I64, Bools] = _context_cut_sets_compiled(
        first_edge,
        edge_target,
        retains,
        node_context,
        seeds,
        context_count,
        self_size,
        query_node,
        query_context,
    )
    return result
