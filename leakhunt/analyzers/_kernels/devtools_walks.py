"""Kernels of the DevTools heap model's graph walks: page flags, DOM state, distances, ownership."""

from __future__ import annotations

from typing import Any

import numpy as np

from leakhunt.analyzers._kernels._types import EPHEMERON_KIND, I32, I64, U8, Bools
from leakhunt.lazy_kernel import lazy_kernel

NO_DISTANCE = -5  # DevTools' noDistance
SYSTEM_DISTANCE_BASE = 100_000_000  # DevTools' baseSystemDistance
_UNVISITED = -1  # ownership: not reached by any owner yet
_MULTIPLE = -2  # ownership: reached from two or more owners


def mark_reachable_reference(
    first_edge: I64, edge_target: I32, edge_kind: U8, skip_kind: Bools, seeds: I32
) -> Bools:
    """Flag every node reachable from ``seeds`` over edges whose kind is not in ``skip_kind``.

    The seeds themselves are flagged. A LIFO stack, as DevTools' ``markPageOwnedNodes`` uses;
    the result does not depend on the order.
    """
    n = first_edge.shape[0] - 1
    marked = np.zeros(n, dtype=np.bool_)
    # Seeds may repeat; every other node is pushed at most once (when it is flagged).
    stack = np.empty(n + seeds.shape[0], dtype=np.int32)
    top = 0
    for i in range(seeds.shape[0]):
        node = seeds[i]
        marked[node] = True
        stack[top] = node
        top += 1
    while top > 0:
        top -= 1
        node = stack[top]
        for edge in range(first_edge[node], first_edge[node + 1]):
            child = edge_target[edge]
            if marked[child] or skip_kind[edge_kind[edge]]:
                continue
            marked[child] = True
            stack[top] = child
            top += 1
    return marked


def dom_state_reference(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    is_native: Bools,
    detachedness: U8,
) -> U8:
    """DevTools' ``propagateDOMState``: spread attached (1) / detached (2) through native nodes.

    Every node with a non-zero state is processed in ordinal order; only native ones take part
    (others are just marked visited). Attached natives pass "attached" to unvisited native
    children, then detached ones pass "detached" (edges of a kind in ``skip_kind`` are not
    followed). A node is processed once. Returns the final state of every node; native nodes
    whose state is 2 are the ones DevTools renames ``Detached <name>``.
    """
    n = first_edge.shape[0] - 1
    state = detachedness.copy()
    visited = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int32)  # each native node is pushed at most once
    top = 0
    for node in range(n):
        initial = detachedness[node]
        if initial == 0:
            continue
        visited[node] = True
        if is_native[node] and initial == 1:
            stack[top] = node
            top += 1
    # Initially detached natives wait until "attached" has spread: they are visited already,
    # so the attached walk cannot change them, and the walks only compute reachability.
    for new_state in (1, 2):
        if new_state == 2:
            for node in range(n):
                if is_native[node] and detachedness[node] == 2:
                    stack[top] = node
                    top += 1
        while top > 0:
            top -= 1
            node = stack[top]
            if new_state == 2 and state[node] == 1:
                continue
            for edge in range(first_edge[node], first_edge[node + 1]):
                if skip_kind[edge_kind[edge]]:
                    continue
                child = edge_target[edge]
                if visited[child]:
                    continue
                visited[child] = True
                if not is_native[child]:
                    continue
                state[child] = new_state
                stack[top] = child
                top += 1
    return state


def devtools_distances_reference(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    seeds: I32,
    root: int,
    eph_edge: I64,
    eph_entry: I32,
    entry_halves: U8,
    rule_node: Bools,
    rule_edge: I64,
    rule_follow: Bools,
) -> I32:
    """DevTools' ``calculateDistances``: BFS from the user roots, then from the root.

    Every node starts at ``NO_DISTANCE``. The seeds (user roots, one per root edge, repeats
    kept) get distance 1 and are searched first; then the root gets ``SYSTEM_DISTANCE_BASE``
    (0 when there are no seeds) and the search continues from it, reaching only what the user
    roots could not. For each edge, in this order: a kind in ``skip_kind`` is skipped, an already
    reached target is skipped, then

    * edges of a source flagged in ``rule_node`` that appear in ``rule_edge`` are followed iff
      ``rule_follow`` says so, with nothing else checked (the ``sloppy_function_map`` and
      ``(map descriptors)`` rules);
    * an ephemeron half (an edge listed in ``eph_edge``) is skipped until the last of its
      entry's halves is met: DevTools' "pending WeakMap edge name" set, shared by both passes,
      so the value's distance follows the later of table and key;
    * anything else is followed.
    """
    n = first_edge.shape[0] - 1
    distance = np.full(n, NO_DISTANCE, dtype=np.int32)
    queue = np.empty(n + seeds.shape[0], dtype=np.int32)
    met = np.zeros(entry_halves.shape[0], dtype=np.int32)
    rule_count = rule_edge.shape[0]
    eph_count = eph_edge.shape[0]
    for i in range(seeds.shape[0]):
        distance[seeds[i]] = 1
        queue[i] = seeds[i]
    tail = seeds.shape[0]
    for phase in range(2):
        head = 0
        if phase == 1:
            distance[root] = SYSTEM_DISTANCE_BASE if seeds.shape[0] > 0 else 0
            queue[0] = root
            tail = 1
        while head < tail:
            node = queue[head]
            head += 1
            next_distance = distance[node] + 1
            for edge in range(first_edge[node], first_edge[node + 1]):
                kind = edge_kind[edge]
                if skip_kind[kind]:
                    continue
                child = edge_target[edge]
                if distance[child] != NO_DISTANCE:
                    continue
                ruled = False
                if rule_node[node]:
                    at = np.searchsorted(rule_edge, edge)
                    if at < rule_count and rule_edge[at] == edge:
                        if not rule_follow[at]:
                            continue
                        ruled = True
                if not ruled and kind == EPHEMERON_KIND:
                    half = np.searchsorted(eph_edge, edge)
                    if half < eph_count and eph_edge[half] == edge:
                        entry = eph_entry[half]
                        met[entry] += 1
                        if met[entry] < entry_halves[entry]:
                            continue
                        met[entry] = 0
                distance[child] = next_distance
                queue[tail] = child
                tail += 1
    return distance


def shallow_sizes_reference(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    starts_unowned: Bools,
    cannot_own: Bools,
    self_size: I64,
) -> I64:
    """DevTools' ``calculateShallowSizes``: move the sizes of owned internals to their owner.

    Nodes flagged ``starts_unowned`` (arrays, hidden, external string data) start unowned; all
    others own themselves. Owners spread over edges whose kind is not in ``skip_kind``: an
    unowned target takes the owner, a target owned by someone else becomes "multiple" and
    spreads that instead. Then each node with a single owner other than itself gives its size
    to the owner, unless the owner is flagged ``cannot_own`` (synthetic nodes, the root).
    """
    n = first_edge.shape[0] - 1
    owner = np.empty(n, dtype=np.int32)
    unowned = 0
    for node in range(n):
        if starts_unowned[node]:
            unowned += 1
    # Self-owned nodes are pushed once; an unowned node at most twice (on taking an owner,
    # and on becoming "multiple").
    stack = np.empty(n + unowned, dtype=np.int32)
    top = 0
    for node in range(n):
        if starts_unowned[node]:
            owner[node] = _UNVISITED
        else:
            owner[node] = node
            stack[top] = node
            top += 1
    while top > 0:
        top -= 1
        node = stack[top]
        current = owner[node]
        for edge in range(first_edge[node], first_edge[node + 1]):
            if skip_kind[edge_kind[edge]]:
                continue
            target = edge_target[edge]
            held = owner[target]
            if held == _UNVISITED:
                owner[target] = current
                stack[top] = target
                top += 1
            elif held == target or held == current or held == _MULTIPLE:  # noqa: SIM109 (numba)
                continue
            else:
                owner[target] = _MULTIPLE
                stack[top] = target
                top += 1
    sizes = self_size.astype(np.int64)
    for node in range(n):
        held = owner[node]
        if held < 0 or held == node or cannot_own[held]:
            continue
        sizes[held] += sizes[node]
        sizes[node] = 0
    return sizes


_mark_reachable_compiled: Any = lazy_kernel(mark_reachable_reference)
_dom_state_compiled: Any = lazy_kernel(dom_state_reference)
_devtools_distances_compiled: Any = lazy_kernel(devtools_distances_reference)
_shallow_sizes_compiled: Any = lazy_kernel(shallow_sizes_reference)


def mark_reachable(
    first_edge: I64, edge_target: I32, edge_kind: U8, skip_kind: Bools, seeds: I32
) -> Bools:
    """Compiled :func:`mark_reachable_reference`."""
    result: Bools = _mark_reachable_compiled(first_edge, edge_target, edge_kind, skip_kind, seeds)
    return result


def dom_state(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    is_native: Bools,
    detachedness: U8,
) -> U8:
    """Compiled :func:`dom_state_reference`."""
    result: U8 = _dom_state_compiled(
        first_edge, edge_target, edge_kind, skip_kind, is_native, detachedness
    )
    return result


def devtools_distances(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    seeds: I32,
    root: int,
    eph_edge: I64,
    eph_entry: I32,
    entry_halves: U8,
    rule_node: Bools,
    rule_edge: I64,
    rule_follow: Bools,
) -> I32:
    """Compiled :func:`devtools_distances_reference`."""
    result: I32 = _devtools_distances_compiled(
        first_edge,
        edge_target,
        edge_kind,
        skip_kind,
        seeds,
        root,
        eph_edge,
        eph_entry,
        entry_halves,
        rule_node,
        rule_edge,
        rule_follow,
    )
    return result


def shallow_sizes(
    first_edge: I64,
    edge_target: I32,
    edge_kind: U8,
    skip_kind: Bools,
    starts_unowned: Bools,
    cannot_own: Bools,
    self_size: I64,
) -> I64:
    """Compiled :func:`shallow_sizes_reference`."""
    result: I64 = _shallow_sizes_compiled(
        first_edge, edge_target, edge_kind, skip_kind, starts_unowned, cannot_own, self_size
    )
    return result
