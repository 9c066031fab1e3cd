"""Cross-compartment wrappers and window proxies: how one realm holds another.

A wrapper is a ``Proxy`` cell in the holding compartment whose ``proxy target`` edge leads to
the wrapped object in another compartment. Such an edge is a *back door* into the target's
realm, even when it points straight at the realm's inner global (an embedder keeping a realm
only through a wrapper, the usual zombie compartment), unless it points at the realm's
**window proxy**: a proxy of the realm itself whose target is its global (the shell's
``ShellWindowProxy``, a browser's ``WindowProxy``). Holding a realm's window proxy is holding
its front door, as a page holds a child frame's window; the window proxy is recorded as the
context's extra front door.
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
    # The same text may be interned more than once; every copy counts.
    names = [index for index, text in enumerate(graph.strings) if text == WRAPPER_EDGE_NAME]
    if not names:
        return dataclasses.replace(graph, contexts=dataclasses.replace(contexts, role=roles))
    edges = np.flatnonzero(
        np.isin(graph.edge_name, names) & (graph.edge_kind == EdgeKind.INTERNAL)
    ).astype(np.int64)
    sources = np.searchsorted(graph.node_first_edge, edges, side="right") - 1
    targets = graph.edge_target[edges]
    source_context = graph.node_context[sources]
    target_context = graph.node_context[targets]
    crossing = edges[(target_context >= 0) & (source_context != target_context)]
    front_door = np.full(len(contexts), -1, dtype=np.int32)
    own = (source_context >= 0) & (source_context == target_context)
    own &= contexts.global_node[np.maximum(target_context, 0)] == targets
    for proxy, context in zip(sources[own].tolist(), target_context[own].tolist(), strict=True):
        if front_door[context] < 0:
            front_door[context] = proxy
    return dataclasses.replace(
        graph,
        contexts=dataclasses.replace(
            contexts,
            role=roles,
            wrapper_edges=crossing if crossing.size else None,
            front_door=front_door if np.any(front_door >= 0) else None,
        ),
    )
