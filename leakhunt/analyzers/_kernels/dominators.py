"""Kernels of the dominator computation: essential edges, Lengauer–Tarjan, retained sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakhunt.analyzers._kernels._types import I32, I64, SHORTCUT_KIND, U8, Bools
from leakhunt.lazy_kernel import lazy_kernel


def essential_edges_reference(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    page_owned: Bools,
    root: int,
) -> Bools:
    """DevTools' ``computeIsEssentialEdge`` without the WeakMap-table rule (done by the caller).

    An edge is essential unless its kind is in ``skip_kind``, it is a self edge, or it leaves a
    node other than the root and is a shortcut or goes from a non-page-owned node into a
    page-owned one.
    """
    n = first_edge.shape[0] - 1
    essential = np.zeros(edge_target.shape[0], dtype=np.bool_)
    for node in range(n):
        for edge in range(first_edge[node], first_edge[node + 1]):
            kind = edge_kind[edge]
            target = edge_target[edge]
            if skip_kind[kind] or target == node:
                continue
            if node != root:
                if kind == SHORTCUT_KIND:
                    continue
                if page_owned[target] and not page_owned[node]:
                    continue
            essential[edge] = True
    return essential


def essential_retainers_reference(
    first_edge: I64, edge_target: I32, essential: Bools
) -> tuple[I64, I32]:
    """Reverse CSR of the essential edges: for each node, the sources of its essential retainers.

    Each node's retainers are listed in *decreasing* edge order, like DevTools'
    ``buildRetainers`` (slots are filled from the end), so the Lengauer-Tarjan predecessor
    scans happen in DevTools' order.
    """
    n = first_edge.shape[0] - 1
    first_retainer = np.zeros(n + 1, dtype=np.int64)
    for edge in range(edge_target.shape[0]):
        if essential[edge]:
            first_retainer[edge_target[edge] + 1] += 1
    for node in range(n):
        first_retainer[node + 1] += first_retainer[node]
    total = first_retainer[n]
    retainer_node = np.empty(total, dtype=np.int32)
    # first_retainer[t + 1] is t's end; filling downwards leaves it at t's start, so one shift
    # restores the offsets without a second array.
    for node in range(n):
        for edge in range(first_edge[node], first_edge[node + 1]):
            if essential[edge]:
                target = edge_target[edge]
                first_retainer[target + 1] -= 1
                retainer_node[first_retainer[target + 1]] = node
    for node in range(n):
        first_retainer[node] = first_retainer[node + 1]
    first_retainer[n] = total
    return first_retainer, retainer_node


def referenced_reference(n: int, edge_target: I32, edge_kind: U8, counted_kind: Bools) -> Bools:
    """Whether each node is the target of at least one edge whose kind is in ``counted_kind``."""
    referenced = np.zeros(n, dtype=np.bool_)
    for edge in range(edge_target.shape[0]):
        if counted_kind[edge_kind[edge]]:
            referenced[edge_target[edge]] = True
    return referenced


def lengauer_tarjan_reference(
    first_edge: I64,
    edge_target: I32,
    essential: Bools,
    first_retainer: I64,
    retainer_node: I32,
    orphan_candidate: Bools,
    root: int,
) -> tuple[I32, I32, U8]:
    """Immediate dominators over the essential edges, DevTools' Lengauer-Tarjan step by step.

    Lengauer and Tarjan (1979), "simple" eval/link with iterative path compression, vertices
    numbered 1..n (0 means none), exactly as DevTools' ``calculateDominatorsAndRetainedSizes``:

    1. an iterative preorder DFS from the root over essential edges in edge order;
    2. then, in ordinal order, every unnumbered node flagged ``orphan_candidate`` gets the root
       as DFS parent and a DFS of its own;
    3. then every node still unnumbered is numbered on its own with the root as parent,
       without exploring its edges (cliques that only retain each other);
    4. semidominators in decreasing DFS number, reading predecessors from the essential reverse
       CSR (a node with none is treated as retained by the root only);
    5. ``dom[0] = dom[r] = r`` so that a vertex never taken out of a bucket falls back to the
       root.

    Returns
    -------
    idom
        Immediate dominator ordinal of each node; the root's is itself.
    order
        Node ordinals in DFS-number order (``order[0]`` is the root).
    reach
        How each node was numbered: 0 by the root's DFS, 1 as an orphan DFS start, 2 by an
        orphan's DFS, 3 on its own (step 3).
    """
    n = first_edge.shape[0] - 1
    size = n + 1
    parent = np.zeros(size, dtype=np.int32)
    ancestor = np.zeros(size, dtype=np.int32)
    vertex = np.zeros(size, dtype=np.int32)
    label = np.zeros(size, dtype=np.int32)
    semi = np.zeros(size, dtype=np.int32)
    dom = np.zeros(size, dtype=np.int32)
    # DevTools keeps an insertion-ordered Set per bucket; every vertex enters exactly one bucket
    # once, so a singly linked list with a tail pointer reproduces the same iteration order.
    bucket_head = np.zeros(size, dtype=np.int32)
    bucket_tail = np.zeros(size, dtype=np.int32)
    bucket_next = np.zeros(size, dtype=np.int32)
    compression = np.zeros(size, dtype=np.int32)
    next_edge = np.zeros(n, dtype=np.int64)
    reach = np.zeros(n, dtype=np.uint8)
    r = root + 1
    count = 0

    # Steps 1 and 2: one DFS routine, started at the root and then at each orphan.
    for start in range(-1, n):
        if start < 0:
            origin = root
        else:
            if count == n:
                break
            if semi[start + 1] != 0 or not orphan_candidate[start]:
                continue
            origin = start
            parent[start + 1] = r
        first_count = count
        next_edge[origin] = first_edge[origin]
        v = origin + 1
        while v != 0:
            if semi[v] == 0:
                count += 1
                semi[v] = count
                vertex[count] = v
                label[v] = v
            v_next = parent[v]
            v_ordinal = v - 1
            edge = next_edge[v_ordinal]
            end = first_edge[v_ordinal + 1]
            while edge < end:
                if essential[edge]:
                    w_ordinal = edge_target[edge]
                    w = w_ordinal + 1
                    if semi[w] == 0:
                        parent[w] = v
                        next_edge[w_ordinal] = first_edge[w_ordinal]
                        v_next = w
                        break
                edge += 1
            next_edge[v_ordinal] = edge
            v = v_next
        if start >= 0:
            for i in range(first_count + 1, count + 1):
                reach[vertex[i] - 1] = 2
            reach[start] = 1
    # Step 3: the rest, one by one.
    if count < n:
        for v in range(1, size):
            if semi[v] == 0:
                parent[v] = r
                count += 1
                semi[v] = count
                vertex[count] = v
                label[v] = v
                reach[v - 1] = 3

    # Step 4: semidominators and relative dominators, decreasing DFS number.
    for i in range(count, 1, -1):
        w = vertex[i]
        w_ordinal = w - 1
        orphan = True
        for slot in range(first_retainer[w_ordinal], first_retainer[w_ordinal + 1]):
            orphan = False
            u = retainer_node[slot] + 1
            if ancestor[u] != 0:
                # compress(u), iteratively: climb, then relabel on the way down.
                x = u
                depth = 0
                while ancestor[ancestor[x]] != 0:
                    depth += 1
                    compression[depth] = x
                    x = ancestor[x]
                while depth > 0:
                    y = compression[depth]
                    depth -= 1
                    if semi[label[ancestor[y]]] < semi[label[y]]:
                        label[y] = label[ancestor[y]]
                    ancestor[y] = ancestor[ancestor[y]]
                u = label[u]
            if semi[u] < semi[w]:
                semi[w] = semi[u]
        if orphan:
            semi[w] = semi[r]
        holder = vertex[semi[w]]
        bucket_next[w] = 0
        if bucket_head[holder] == 0:
            bucket_head[holder] = w
        else:
            bucket_next[bucket_tail[holder]] = w
        bucket_tail[holder] = w
        p = parent[w]
        ancestor[w] = p  # link(parent[w], w)
        v = bucket_head[p]
        while v != 0:
            u = v
            if ancestor[u] != 0:
                x = u
                depth = 0
                while ancestor[ancestor[x]] != 0:
                    depth += 1
                    compression[depth] = x
                    x = ancestor[x]
                while depth > 0:
                    y = compression[depth]
                    depth -= 1
                    if semi[label[ancestor[y]]] < semi[label[y]]:
                        label[y] = label[ancestor[y]]
                    ancestor[y] = ancestor[ancestor[y]]
                u = label[u]
            dom[v] = u if semi[u] < semi[v] else p
            v = bucket_next[v]
        bucket_head[p] = 0
        bucket_tail[p] = 0

    # Step 5: explicit immediate dominators.
    dom[0] = r
    dom[r] = r
    for i in range(2, count + 1):
        w = vertex[i]
        if dom[w] != vertex[semi[w]]:
            dom[w] = dom[dom[w]]
    idom = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    for ordinal in range(n):
        idom[ordinal] = dom[ordinal + 1] - 1
    for i in range(1, count + 1):
        order[i - 1] = vertex[i] - 1
    return idom, order, reach


def accumulate_retained_reference(idom: I32, order: I32, self_size: I64) -> I64:
    """Retained sizes: self sizes summed into immediate dominators in decreasing DFS number.

    One pass over ``order`` backwards (excluding ``order[0]``, the root), as DevTools does.
    """
    retained = self_size.astype(np.int64)
    for i in range(order.shape[0] - 1, 0, -1):
        node = order[i]
        retained[idom[node]] += retained[node]
    return retained


_essential_edges_compiled: Any = lazy_kernel(essential_edges_reference)
_essential_retainers_compiled: Any = lazy_kernel(essential_retainers_reference)
_referenced_compiled: Any = lazy_kernel(referenced_reference)
_lengauer_tarjan_compiled: Any = lazy_kernel(lengauer_tarjan_reference)
_accumulate_retained_compiled: Any = lazy_kernel(accumulate_retained_reference)


def essential_edges(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    page_owned: Bools,
    root: int,
) -> Bools:
    """Compiled :func:`essential_edges_reference`."""
    result: Bools = _essential_edges_compiled(
        first_edge, edge_target, edge_kind, skip_kind, page_owned, root
    )
    return result


def essential_retainers(first_edge: I64, edge_target: I32, essential: Bools) -> tuple[I64, I32]:
    """Compiled :func:`essential_retainers_reference`."""
    result: tuple[I64, I32] = _essential_retainers_compiled(first_edge, edge_target, essential)
    return result


def referenced(n: int, edge_target: I32, edge_kind: U8, counted_kind: Bools) -> Bools:
    """Compiled :func:`referenced_reference`."""
    result: Bools = _referenced_compiled(n, edge_target, edge_kind, counted_kind)
    return result


def lengauer_tarjan(
    first_edge: I64,
    edge_target: I32,
    essential: Bools,
    first_retainer: I64,
    retainer_node: I32,
    orphan_candidate: Bools,
    root: int,
) -> tuple[I32, I32, U8]:
    """Compiled :func:`lengauer_tarjan_reference`."""
    result: tuple[I32, I32, U8] = _lengauer_tarjan_compiled(
        first_edge, edge_target, essential, first_retainer, retainer_node, orphan_candidate, root
    )
    return result


def accumulate_retained(idom: I32, order: I32, self_size: I64) -> I64:
    """Compiled :func:`accumulate_retained_reference`."""
    result: I64 = _accumulate_retained_compiled(idom, order, self_size)
    return result
