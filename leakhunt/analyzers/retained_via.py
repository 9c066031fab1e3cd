""" "Retained only via X": what becomes unreachable when X's references are removed.

DevTools' named filters ("objects retained by detached DOM nodes / by the console / by event
handlers"), generalised. X is one of:

* a **node set** (a selector's matches): every edge leaving those nodes is cut;
* a **context**: every edge leaving the context's nodes is cut (what the context alone keeps
  alive outside itself: a vm sandbox made in the main realm, engine internals);
* a **root kind**: every root of that kind is dropped (what only strong global handles hold);
* an **edge class**: every edge whose name matches a regular expression is cut (e.g. edges
  named like event listeners).

One reachability pass answers each query (:func:`~leakhunt.analyzers.liveness.reach_from_roots`
with the cut applied), whatever the number of nodes in X. X's own nodes are counted apart.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=10)
>>> cache = b.add_node(NodeKind.OBJECT, "Cache", node_id=3, self_size=20)
>>> item = b.add_node(NodeKind.OBJECT, "Item", node_id=5, self_size=30)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, cache, EdgeKind.PROPERTY, "cache")
>>> _ = b.add_edge(cache, item, EdgeKind.PROPERTY, "onclick")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> report = find_retained_via(g, query_nodes(g, [cache], "class:Cache"))
>>> report.freed_objects, report.freed_size, report.own_objects
(1, 30, 1)
>>> find_retained_via(g, query_edges(g, "^on")).freed_size
30
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.liveness import (
    RootReach,
    durable_root_rows,
    reach_from_roots,
    retaining_edges,
)
from leakhunt.errors import SelectorError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind

__all__ = [
    "RetainedViaQuery",
    "RetainedViaReport",
    "find_retained_via",
    "query_context",
    "query_edges",
    "query_nodes",
    "query_root_kind",
]

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class RetainedViaQuery:
    """What X is, as the cut it stands for."""

    description: str
    """X in words (``context vm Foo @12``, ``root kind strong global handle``…)."""
    cut_edges: Bools | None
    """Edges removed (per edge), or None."""
    dropped_roots: Bools | None
    """Root rows removed (per row), or None."""
    own_nodes: npt.NDArray[np.int64]
    """X's own nodes, reported apart from what they alone keep alive."""


@dataclass(frozen=True, slots=True)
class RetainedViaReport:
    """What X alone keeps alive."""

    query: str
    """X in words."""
    freed_objects: int
    """Nodes that become unreachable without X's references (X's own nodes excluded)."""
    freed_size: int
    """Their self sizes."""
    own_objects: int
    """X's own live nodes."""
    own_size: int
    """Their self sizes."""
    top_nodes: tuple[int, ...]
    """The largest freed nodes by self size (then id)."""
    top_classes: tuple[tuple[str, int, int], ...]
    """Freed nodes grouped by class: ``(class, count, self size)``, largest first."""


def query_nodes(
    graph: RetentionGraph, nodes: Sequence[int] | npt.NDArray[np.integer], description: str
) -> RetainedViaQuery:
    """X = a set of nodes: every edge leaving them is cut."""
    own = np.unique(np.asarray(nodes, dtype=np.int64))
    cut = np.zeros(graph.edge_count, dtype=np.bool_)
    first = graph.node_first_edge
    starts, ends = first[own], first[own + 1]
    lengths = ends - starts
    if lengths.sum():
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        cut[np.arange(int(lengths.sum()), dtype=np.int64) + offsets] = True
    return RetainedViaQuery(description, cut, None, own)


def query_context(graph: RetentionGraph, context: int, name: str) -> RetainedViaQuery:
    """X = a context: every edge leaving its nodes is cut."""
    own = np.flatnonzero(graph.node_context == context)
    return query_nodes(graph, own, f"context {name}")


def query_root_kind(graph: RetentionGraph, kind: RootKind) -> RetainedViaQuery:
    """X = every root of ``kind``: those root rows are dropped."""
    dropped = graph.roots.kind == kind
    return RetainedViaQuery(f"root kind {kind.label}", None, dropped, np.zeros(0, np.int64))


def query_edges(graph: RetentionGraph, pattern: str) -> RetainedViaQuery:
    """X = every named edge whose name matches the regular expression ``pattern``."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise SelectorError(f"--edges {pattern!r}: not a regular expression: {exc}") from exc
    matching = np.array([bool(regex.search(text)) for text in graph.strings], dtype=np.bool_)
    indexed = (graph.edge_kind == EdgeKind.ELEMENT) | (graph.edge_kind == EdgeKind.HIDDEN)
    names = np.minimum(graph.edge_name, len(graph.strings) - 1)
    cut = matching[names] & ~indexed
    return RetainedViaQuery(f"edges named /{pattern}/", cut, None, np.zeros(0, np.int64))


def find_retained_via(
    graph: RetentionGraph,
    query: RetainedViaQuery,
    *,
    top: int = 20,
    baseline: RootReach | None = None,
) -> RetainedViaReport:
    """What becomes unreachable when ``query``'s references are removed (one pass).

    Parameters
    ----------
    graph
        The heap.
    query
        X, from :func:`query_nodes`, :func:`query_context`, :func:`query_root_kind` or
        :func:`query_edges`.
    top
        How many nodes and classes to list.
    baseline
        What the roots reach with nothing cut (reused from the context analysis or a cache).

    Returns
    -------
    RetainedViaReport
        Counts and sizes of what X alone keeps alive, and the largest of it.
    """
    if baseline is None:
        baseline = reach_from_roots(graph, retaining_edges(graph))
    rows = durable_root_rows(graph)
    if query.dropped_roots is not None:
        rows = rows & ~query.dropped_roots
    after = reach_from_roots(graph, retaining_edges(graph, query.cut_edges), rows)
    freed = baseline.alive & ~after.alive
    own = np.zeros(graph.node_count, dtype=np.bool_)
    own[query.own_nodes] = True
    own &= baseline.alive
    freed &= ~own
    nodes = np.flatnonzero(freed)
    sizes = graph.node_self_size[nodes]
    order = np.lexsort((graph.node_id[nodes], -sizes))[:top]
    classes, inverse = np.unique(graph.node_class[nodes], return_inverse=True)
    counts = np.bincount(inverse, minlength=classes.size)
    class_sizes = np.bincount(inverse, weights=sizes, minlength=classes.size).astype(np.int64)
    class_order = np.lexsort((classes, -class_sizes))[:top]
    return RetainedViaReport(
        query=query.description,
        freed_objects=int(nodes.size),
        freed_size=int(sizes.sum()),
        own_objects=int(np.count_nonzero(own)),
        own_size=int(graph.node_self_size[own].sum()),
        top_nodes=tuple(int(v) for v in nodes[order]),
        top_classes=tuple(
            (graph.strings[int(classes[i])], int(counts[i]), int(class_sizes[i]))
            for i in class_order
        ),
    )
