"""Which edges keep their targets alive, and what the roots reach over them.

The context analyses (:mod:`.contexts`, :mod:`.zombies`, :mod:`.retained_via`) reason about
plain reachability, so they first reduce every edge to *retaining* or not:

* strong kinds retain, except ``shortcut`` edges (they duplicate a real path);
* a weak-map entry's value is retained through its key's half (or its only half); the
  table's half does not retain on its own. This is the rule DevTools' dominators use, and it
  keeps the questions answerable with one dominator pass;
* edges the context table lists as held weakly by the process
  (:attr:`~leakhunt.graph.core.ContextTable.weak_holder_edges`) do not retain;
* the caller may cut more edges, and drop root rows.

Roots are the root table's non-weak rows. Everything here is array code around the existing
kernels (:func:`~leakhunt.analyzers._kernels.root_bfs`,
:func:`~leakhunt.analyzers._kernels.mark_reachable`).

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> kept = b.add_node(NodeKind.OBJECT, "Kept", node_id=3)
>>> weak = b.add_node(NodeKind.OBJECT, "Weak", node_id=5)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, kept, EdgeKind.PROPERTY, "kept")
>>> _ = b.add_edge(glob, weak, EdgeKind.WEAK, "w")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> reach = reach_from_roots(g, retaining_edges(g))
>>> (reach.distance >= 0).tolist()
[False, True, True, False]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import mark_reachable, root_bfs
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import STRONG_EDGE_KINDS, EdgeKind, RootKind, edge_kind_table

__all__ = [
    "RootReach",
    "durable_root_rows",
    "reach_from_nodes",
    "reach_from_roots",
    "retaining_edges",
]

Bools = npt.NDArray[np.bool_]
_RETAINS, _DOES_NOT = np.uint8(EdgeKind.PROPERTY), np.uint8(EdgeKind.WEAK)
_USER_TIER, _DURABLE_TIER, _TRANSIENT_TIER = 0, 1, 2


@dataclass(frozen=True, slots=True)
class RootReach:
    """What the roots reach over retaining edges (a tiered BFS, user roots first)."""

    distance: npt.NDArray[np.int32]
    """Hops from the preferred root (the rooted node has 1); -1 when not reached."""
    parent_edge: npt.NDArray[np.int64]
    """Edge each node was first reached through (a root edge for rooted nodes); -1 if none."""
    origin_row: npt.NDArray[np.int64]
    """Root-table row whose root reaches each node; -1 when not reached."""

    @property
    def alive(self) -> Bools:
        """Whether each node is reached."""
        reached: Bools = self.distance >= 0
        return reached


def retaining_edges(graph: RetentionGraph, cut: Bools | None = None) -> Bools:
    """Per edge: whether it keeps its target alive (see the module docstring).

    ``cut`` (per edge, optional) removes further edges.
    """
    table = edge_kind_table(set(STRONG_EDGE_KINDS) - {EdgeKind.SHORTCUT})
    live: Bools = table[graph.edge_kind]
    eph = graph.ephemerons
    if eph.edge.size:
        through_key = eph.from_key | (eph.entry_halves[eph.entry] == 1)
        live[eph.edge[through_key]] = True
    # A root edge retains whatever its kind (V8's user root is a shortcut), unless weak.
    roots = graph.roots
    live[roots.edge[durable_root_rows(graph)]] = True
    weak_holders = graph.contexts.weak_holder_edges
    if weak_holders is not None:
        live[weak_holders] = False
    if cut is not None:
        live &= ~cut
    return live


def durable_root_rows(graph: RetentionGraph) -> npt.NDArray[np.bool_]:
    """Per root row: whether it retains (not a weak handle, not a weak edge)."""
    roots = graph.roots
    weak = (roots.kind == RootKind.WEAK_GLOBAL_HANDLE) | (
        graph.edge_kind[roots.edge] == EdgeKind.WEAK
    )
    retains: Bools = ~weak
    return retains


def reach_from_roots(
    graph: RetentionGraph, live: Bools, root_rows: Bools | None = None
) -> RootReach:
    """Tiered BFS from the retaining root rows (or ``root_rows``) over ``live`` edges.

    User roots are searched first, then durable system roots, then stack-like roots, so
    paths read from :attr:`RootReach.parent_edge` start at the most telling root.
    """
    roots = graph.roots
    rows_mask = durable_root_rows(graph) if root_rows is None else root_rows
    rows_mask = rows_mask & live[roots.edge]
    rows = np.flatnonzero(rows_mask)
    kinds = roots.kind[rows].astype(np.int64)
    tier = np.where(kinds == RootKind.USER, _USER_TIER, _DURABLE_TIER)
    tier = np.where(
        (kinds == RootKind.STACK) | (kinds == RootKind.HANDLE_SCOPE) | (kinds == RootKind.SCOPED),
        _TRANSIENT_TIER,
        tier,
    )
    order = np.lexsort((rows, kinds, tier))
    rows, tier = rows[order], tier[order]
    kind_column = np.where(live, _RETAINS, _DOES_NOT).astype(np.uint8)
    no_edges = np.zeros(0, dtype=np.int64)
    distance, parent_edge, origin = root_bfs(
        graph.node_first_edge,
        graph.edge_target,
        kind_column,
        edge_kind_table({EdgeKind.PROPERTY}),
        roots.edge[rows].astype(np.int64),
        tier.astype(np.int32),
        no_edges,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.bool_),
        np.zeros(0, dtype=np.uint8),
    )
    origin_row = np.where(origin >= 0, rows.astype(np.int64)[np.maximum(origin, 0)], -1)
    return RootReach(distance, parent_edge, origin_row.astype(np.int64))


def reach_from_nodes(graph: RetentionGraph, live: Bools, seeds: npt.NDArray[np.integer]) -> Bools:
    """Every node reachable from ``seeds`` (included) over ``live`` edges."""
    kind_column = np.where(live, _RETAINS, _DOES_NOT).astype(np.uint8)
    marked: Bools = mark_reachable(
        graph.node_first_edge,
        graph.edge_target,
        kind_column,
        ~edge_kind_table({EdgeKind.PROPERTY}),
        np.asarray(seeds, dtype=np.int32),
    )
    return marked
