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
from leakhunt.graph.retainers import Retainers

__all__ = ["ContextRetention", "find_closure_context_leaks"]


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


def _variables(graph: RetentionGraph, context: int) -> list[tuple[str, int]]:
    lo, hi = int(graph.node_first_edge[context]), int(graph.node_first_edge[context + 1])
    return [
        (graph.strings[int(graph.edge_name[e])], int(graph.edge_target[e]))
        for e in range(lo, hi)
        if int(graph.edge_kind[e]) == EdgeKind.CONTEXT_VARIABLE
    ]


def _holders(graph: RetentionGraph, retainers: Retainers, node: int) -> list[int]:
    sources = retainers.edge_source[retainers.edges_into(node)]
    return sorted({int(s) for s in sources.tolist() if int(graph.node_kind[s]) == NodeKind.CLOSURE})


def _contexts(graph: RetentionGraph) -> npt.NDArray[np.int64]:
    variable_edges = np.flatnonzero(graph.edge_kind == EdgeKind.CONTEXT_VARIABLE)
    sources = np.searchsorted(graph.node_first_edge, variable_edges, side="right") - 1
    return np.unique(sources).astype(np.int64)


def _exact(
    graph: RetentionGraph, tree: DominatorTree, retainers: Retainers, min_retained: int
) -> list[ContextRetention]:
    uses = graph.captured_uses
    covered = set(uses.covered.tolist())
    known = set(uses.contexts.tolist())
    used: dict[int, set[str]] = defaultdict(set)
    for context, name in zip(uses.context.tolist(), uses.name.tolist(), strict=True):
        used[context].add(graph.strings[name])
    found = []
    for context in sorted(known):
        sources = retainers.edge_source[retainers.edges_into(context)].tolist()
        kinds = graph.edge_kind[retainers.edges_into(context)].tolist()
        strong = [s for s, k in zip(sources, kinds, strict=True) if EdgeKind(k).is_strong]
        if not strong or not all(s in covered or s in known for s in strong):
            continue  # someone we know nothing about may read it
        holders = tuple(_holders(graph, retainers, context))
        for name, value in _variables(graph, context):
            if name in used[context] or int(tree.idom[value]) != context:
                continue
            if int(tree.retained_size[value]) < min_retained:
                continue
            found.append(
                ContextRetention(
                    context, name, value, holders, False, 0, tuple(sorted(used[context]))
                )
            )
    return found


def _heuristic(
    graph: RetentionGraph, tree: DominatorTree, retainers: Retainers, min_retained: int
) -> list[ContextRetention]:
    contexts = _contexts(graph)
    variables = {c: _variables(graph, c) for c in contexts.tolist()}
    shape = {c: tuple(sorted(name for name, _ in v)) for c, v in variables.items()}
    is_context = np.zeros(graph.node_count, dtype=np.bool_)
    is_context[contexts] = True
    idom = tree.idom
    links: dict[tuple[tuple[str, ...], str], list[tuple[int, int]]] = defaultdict(list)
    for context in contexts.tolist():
        # Climb the dominator tree to the nearest context of the same shape.
        below, node = context, int(idom[context])
        while node != 0 and not (is_context[node] and shape.get(node) == shape[context]):
            below, node = node, int(idom[node])
        if node == 0:
            continue
        for name, value in variables[node]:
            if value == below:
                links[(shape[node], name)].append((node, value))
    found = []
    for (_, name), pairs in links.items():
        if len(pairs) < 2:
            continue
        for context, value in pairs:
            if int(tree.retained_size[value]) < min_retained:
                continue
            holders = tuple(_holders(graph, retainers, context))
            found.append(ContextRetention(context, name, value, holders, True, len(pairs), ()))
    return found


def find_closure_context_leaks(
    graph: RetentionGraph, tree: DominatorTree, retainers: Retainers, *, min_retained: int
) -> list[ContextRetention]:
    """Context variables retained for no live reader (see the module docstring)."""
    if graph.captured_uses.known:
        return _exact(graph, tree, retainers, min_retained)
    return _heuristic(graph, tree, retainers, min_retained)
