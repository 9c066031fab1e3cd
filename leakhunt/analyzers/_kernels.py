"""Array-in, array-out hot loops. The only module where compiled code appears.

Every kernel has a plain-Python reference twin with the same signature (``*_reference``);
``tests/unit/analyzers/test_kernels.py`` runs both on the same graphs and requires identical
output. The compiled versions use numba with an on-disk cache so a command pays the
compilation once per machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["root_bfs", "root_bfs_reference"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

EPHEMERON_KIND = 7  # EdgeKind.EPHEMERON; a literal because numba cannot read IntEnums


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


_root_bfs_compiled: Any = njit(cache=True, nogil=True)(root_bfs_reference)


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

SHORTCUT_KIND = 5  # EdgeKind.SHORTCUT
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


_mark_reachable_compiled: Any = njit(cache=True, nogil=True)(mark_reachable_reference)
_dom_state_compiled: Any = njit(cache=True, nogil=True)(dom_state_reference)
_devtools_distances_compiled: Any = njit(cache=True, nogil=True)(devtools_distances_reference)
_shallow_sizes_compiled: Any = njit(cache=True, nogil=True)(shallow_sizes_reference)
_essential_edges_compiled: Any = njit(cache=True, nogil=True)(essential_edges_reference)
_essential_retainers_compiled: Any = njit(cache=True, nogil=True)(essential_retainers_reference)
_referenced_compiled: Any = njit(cache=True, nogil=True)(referenced_reference)
_lengauer_tarjan_compiled: Any = njit(cache=True, nogil=True)(lengauer_tarjan_reference)
_accumulate_retained_compiled: Any = njit(cache=True, nogil=True)(accumulate_retained_reference)


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
