"""Cross-compartment wrappers: the edges that let one realm hold another realm's objects.

A wrapper is a ``Proxy`` cell in the holding compartment whose ``proxy target`` edge leads to
the wrapped object in another compartment. Such an edge is a *back door* into the target's
realm even when it points at the realm's global: the realm is kept only because some other
realm kept a wrapper, which is how zombie compartments are usually held.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind

__all__ = ["WRAPPER_EDGE_NAME", "mark_wrapper_edges"]

WRAPPER_EDGE_NAME = "proxy target"
"""The edge name ``js::DumpHeap`` gives a proxy's link to its target."""


def mark_wrapper_edges(graph: RetentionGraph) -> RetentionGraph:
    """The graph with :attr:`ContextTable.wrapper_edges` and realm roles filled in.

    Only ``proxy target`` edges whose source and target belong to different contexts count.
    """
    contexts = graph.contexts
    if not len(contexts):
        return graph
    roles = tuple("realm" for _ in range(len(contexts)))
    try:
        name = graph.strings.index(WRAPPER_EDGE_NAME)
    except ValueError:
        return dataclasses.replace(graph, contexts=dataclasses.replace(contexts, role=roles))
    edges = np.flatnonzero(
        (graph.edge_name == name) & (graph.edge_kind == EdgeKind.INTERNAL)
    ).astype(np.int64)
    sources = np.searchsorted(graph.node_first_edge, edges, side="right") - 1
    source_context = graph.node_context[sources]
    target_context = graph.node_context[graph.edge_target[edges]]
    crossing = edges[(target_context >= 0) & (source_context != target_context)]
    return dataclasses.replace(
        graph,
        contexts=dataclasses.replace(
            contexts, role=roles, wrapper_edges=crossing if crossing.size else None
        ),
    )
