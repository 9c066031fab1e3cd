"""Retained size of every context as a whole: the exact cut, for all contexts together.

A context's retained size is what would be freed if every retaining edge entering it from
outside (from another context, from a node of no context, or from a root) were cut: the
context treated as one object, every other context left as it is. Cutting and re-running a
reachability pass per context would cost one pass per context; instead one monotone dataflow
computes, for every node ``x``, the set ``D(x)`` of contexts whose cut frees it: the greatest
fixed point of ``D(x) = ⋂ (D(u) ∪ enter(u→x))`` over the retaining edges ``u→x``, where
``enter`` is ``x``'s context when the edge enters it from outside. Sets are small (a node dies
with its own context and the few contexts that hold that one), so 1,000 contexts cost about
what 3 do; a chain of contexts each held only by the previous one costs its length per node.

The compiled worklist is :func:`~leakhunt.analyzers._kernels.context_cuts.context_cut_sets`.
The same pass answers "does this node die with that context?" for any list of pairs (the
holders of front doors) and marks every node some single cut frees (the *attributed* bucket).

Examples
--------
Two contexts; ``b`` is held only by ``a``'s object, ``b``'s helper only by ``b``:

>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> bld = GraphBuilder()
>>> _ = bld.add_context(-1, 1, "a", "realm"), bld.add_context(-1, 3, "b", "realm")
>>> a = bld.add_node(NodeKind.OBJECT, "A", node_id=1, self_size=10, context=0)
>>> a_obj = bld.add_node(NodeKind.OBJECT, "AObj", node_id=3, self_size=5, context=0)
>>> b = bld.add_node(NodeKind.OBJECT, "B", node_id=5, self_size=7, context=1)
>>> helper = bld.add_node(NodeKind.OBJECT, "Helper", node_id=7, self_size=3)
>>> _ = bld.add_root(a, RootKind.USER, "global")
>>> _ = bld.add_edge(a, a_obj, EdgeKind.PROPERTY, "x")
>>> _ = bld.add_edge(a_obj, b, EdgeKind.PROPERTY, "b")
>>> _ = bld.add_edge(b, helper, EdgeKind.PROPERTY, "h")
>>> g = bld.freeze(SourceInfo("inline", "test", "none"))
>>> from leakhunt.analyzers.liveness import reach_from_roots, retaining_edges
>>> live = retaining_edges(g)
>>> cuts = compute_context_cuts(g, live, reach_from_roots(g, live), np.array([a_obj]), np.array([1]))
>>> cuts.retained_size.tolist(), cuts.retained_objects.tolist(), cuts.query_dies.tolist()
([25, 10], [4, 2], [False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import context_cut_sets
from leakhunt.analyzers.liveness import RootReach, durable_root_rows
from leakhunt.graph.core import RetentionGraph

__all__ = ["ContextCuts", "compute_context_cuts"]


@dataclass(frozen=True, slots=True)
class ContextCuts:
    """Per-context retained sizes, per-node "some cut frees it", answers to the queries."""

    retained_size: npt.NDArray[np.int64]
    """Per context: bytes freed if its entering edges were cut (self sizes as reported)."""
    retained_objects: npt.NDArray[np.int64]
    """Nodes freed likewise."""
    freed_by_one: npt.NDArray[np.bool_]
    """Per node: whether cutting some single context frees it."""
    query_dies: npt.NDArray[np.bool_]
    """Per query pair: whether cutting the context frees the (live) node."""


def compute_context_cuts(
    graph: RetentionGraph,
    live: npt.NDArray[np.bool_],
    reach: RootReach,
    query_nodes: npt.NDArray[np.integer],
    query_contexts: npt.NDArray[np.integer],
) -> ContextCuts:
    """The exact cut of every context in one pass (see the module docstring).

    Parameters
    ----------
    graph
        The heap, with its context table and ``node_context``.
    live
        Retaining edges (:func:`~leakhunt.analyzers.liveness.retaining_edges`); root edges
        retain only as the durable root rows' seeds.
    reach
        What the roots reach over ``live`` (:func:`~leakhunt.analyzers.liveness.reach_from_roots`).
    query_nodes, query_contexts
        Pairs to answer: does cutting the context free the node?

    Returns
    -------
    ContextCuts
        Retained size and node count per context, per node whether one cut frees it, and the
        answers.
    """
    roots = graph.roots
    rows = durable_root_rows(graph) & live[roots.edge]
    seeds = graph.edge_target[roots.edge[rows]].astype(np.int32)
    retains = live.copy()
    retains[roots.edge] = False
    _, length, _, retained, objects, dies = context_cut_sets(
        graph.node_first_edge,
        graph.edge_target,
        retains,
        graph.node_context,
        seeds,
        len(graph.contexts),
        graph.node_self_size.astype(np.int64),
        np.asarray(query_nodes, dtype=np.int64),
        np.asarray(query_contexts, dtype=np.int64),
    )
    return ContextCuts(retained, objects, (length > 0) & reach.alive, dies)
