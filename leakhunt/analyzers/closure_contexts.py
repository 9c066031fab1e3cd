"""Closure-context leaks: a function context kept alive by closures that do not use a variable.

V8 gives all closures created by one call a single shared context. A variable that only some
closure read (often one already dead) stays in that context as long as *any* closure of the
call lives: the classic ``replaceThing`` leak. Two verdicts:

* **exact**, when the dump says which context variables each function reads (Chromium 15x
  ``scope_uses``; :class:`~leakhunt.graph.code.CapturedUseTable`): a variable of a function
  context that none of the live closures holding the context reads, whose value the context
  alone keeps (it dominates it) and which retains at least ``min_retained`` bytes;
* **heuristic**, otherwise (Node 20): a context variable whose value leads, through objects only
  it keeps, to another context with the same variables; a chain that grows by one context per
  call. The dump cannot prove the variable is unused, and the report says so.

Both run on arrays: the nearest same-shaped context above every context comes from one
vectorised climb of the dominator tree, and holders from one scan of the edge targets.

References
----------
D. Glasser, "An interesting kind of JavaScript memory leak", Meteor blog, 2013 (``replaceThing``).
Chrome DevTools ``ContextAnalyzer`` (dead closure-context fields).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["ContextRetention", "find_closure_context_leaks"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ContextRetention:
    """A context variable kept alive although no live closure reads it (or, heuristically, may not)."""

    context: int
    """The context node."""
    variable: str
    """The variable's name."""
    value: int
    """The node the variable holds."""
    holders: tuple[int, ...]
    """Closures holding the context directly."""
    heuristic: bool
    """True when the dump does not say which variables closures read."""
    chain_links: int
    """Heuristic verdicts: contexts of the same shape chained through this variable."""
    used_by_holders: tuple[str, ...]
    """Variables the holders do read (exact verdicts)."""


def _variable_edges(graph: RetentionGraph) -> tuple[I64, I64]:
    """Context-variable edges and their sources."""
    edges = np.flatnonzero(graph.edge_kind == EdgeKind.CONTEXT_VARIABLE).astype(np.int64)
    sources = (np.searchsorted(graph.node_first_edge, edges, side="right") - 1).astype(np.int64)
    return edges, sources


def _variables(graph: RetentionGraph, context: int) -> list[tuple[str, int]]:
    lo, hi = int(graph.node_first_edge[context]), int(graph.node_first_edge[context + 1])
    return [
        (graph.strings[int(graph.edge_name[e])], int(graph.edge_target[e]))
        for e in range(lo, hi)
        if int(graph.edge_kind[e]) == EdgeKind.CONTEXT_VARIABLE
    ]


def _retainers_of(graph: RetentionGraph, nodes: list[int]) -> dict[int, list[tuple[int, int]]]:
    """(source, edge kind) of every edge into ``nodes``, from one scan of the edge targets."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if not nodes:
        return found
    edges = np.flatnonzero(np.isin(graph.edge_target, np.asarray(nodes, dtype=np.int32)))
    sources = np.searchsorted(graph.node_first_edge, edges, side="right") - 1
    for edge, source in zip(edges.tolist(), sources.tolist(), strict=True):
        found[int(graph.edge_target[edge])].append((int(source), int(graph.edge_kind[edge])))
    return found


def _closures(graph: RetentionGraph, retainers: list[tuple[int, int]]) -> tuple[int, ...]:
    return tuple(sorted({s for s, _ in retainers if int(graph.node_kind[s]) == NodeKind.CLOSURE}))


def _exact(graph: RetentionGraph, tree: DominatorTree, min_retained: int) -> list[ContextRetention]:
    uses = graph.captured_uses
    covered = set(uses.covered.tolist())
    known = sorted(set(uses.contexts.tolist()))
    used: dict[int, set[str]] = defaultdict(set)
    for context, name in zip(uses.context.tolist(), uses.name.tolist(), strict=True):
        used[context].add(graph.strings[name])
    retainers = _retainers_of(graph, known)
    found = []
    for context in known:
        strong = [s for s, k in retainers[context] if EdgeKind(k).is_strong]
        if not strong or not all(s in covered or s in known for s in strong):
            continue  # someone we know nothing about may read it
        holders = _closures(graph, retainers[context])
        for name, value in _variables(graph, context):
            if name in used[context] or int(tree.idom[value]) != context:
                continue
            if int(tree.retained_size[value]) < min_retained:
                continue
            readers = tuple(sorted(used[context]))
            found.append(ContextRetention(context, name, value, holders, False, 0, readers))
    return found


def _shapes(graph: RetentionGraph, sources: I64, edges: I64) -> tuple[I64, I64]:
    """The contexts and a shape code per node (-1 for non-contexts): equal for equal variable sets."""
    contexts, first = np.unique(sources, return_index=True)
    bounds = [*first.tolist(), int(sources.size)]
    names = graph.edge_name[edges].tolist()
    codebook: dict[frozenset[int], int] = {}
    shape = np.full(graph.node_count, -1, dtype=np.int64)
    for index, context in enumerate(contexts.tolist()):
        key = frozenset(names[bounds[index] : bounds[index + 1]])
        shape[context] = codebook.setdefault(key, len(codebook))
    return contexts.astype(np.int64), shape


def _heuristic(
    graph: RetentionGraph, tree: DominatorTree, min_retained: int
) -> list[ContextRetention]:
    edges, sources = _variable_edges(graph)
    if not edges.size:
        return []
    contexts, shape = _shapes(graph, sources, edges)
    idom = tree.idom.astype(np.int64)
    # Climb from every context at once to the nearest strict dominator of the same shape.
    start, below, current = contexts, contexts.copy(), idom[contexts]
    active = current != 0
    hit = np.zeros(contexts.size, dtype=np.bool_)
    while active.any():
        index = np.flatnonzero(active)
        same = shape[current[index]] == shape[start[index]]
        hit[index[same]] = True
        moving = index[~same]
        below[moving] = current[moving]
        current[moving] = idom[current[moving]]
        active[index[same]] = False
        active[moving] = current[moving] != 0
    links: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for holder, value in zip(current[hit].tolist(), below[hit].tolist(), strict=True):
        for name, target in _variables(graph, holder):
            if target == value:
                links[(int(shape[holder]), name)].append((holder, value))
    chained = [(name, pairs) for (_, name), pairs in links.items() if len(pairs) >= 2]
    retainers = _retainers_of(graph, [c for _, pairs in chained for c, _ in pairs])
    found = []
    for name, pairs in chained:
        for context, value in pairs:
            if int(tree.retained_size[value]) < min_retained:
                continue
            holders = _closures(graph, retainers[context])
            found.append(ContextRetention(context, name, value, holders, True, len(pairs), ()))
    return found


def find_closure_context_leaks(
    graph: RetentionGraph, tree: DominatorTree, *, min_retained: int
) -> list[ContextRetention]:
    """Context variables retained for no live reader (see the module docstring)."""
    if graph.captured_uses.known:
        return _exact(graph, tree, min_retained)
    return _heuristic(graph, tree, min_retained)
