"""Scoped roots that hold a realm's global are the embedder's durable roots.

``exact-*`` roots are ``JS::Rooted`` handles: they live as long as the C++ scope that declared
them. The dump cannot tell that scope, so they map to :attr:`RootKind.SCOPED` (lifetime
unknown). One case is known: an embedder keeps its realms' globals rooted for as long as it
uses the realms (a shell or embedder's ``main`` declares ``JS::RootedObject global``), so an
``exact-*`` root whose target is a realm's global is an :attr:`RootKind.EMBEDDER` root. Its
label keeps the engine's name.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind

__all__ = ["promote_rooted_globals"]


def promote_rooted_globals(graph: RetentionGraph) -> RetentionGraph:
    """The graph with scoped roots at realm globals re-kinded as embedder roots.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import NodeKind
    >>> b = GraphBuilder()
    >>> glob = b.add_node(NodeKind.OBJECT, "EmbedderGlobal", node_id=16)
    >>> temp = b.add_node(NodeKind.OBJECT, "Object", node_id=32)
    >>> _ = b.add_root(glob, RootKind.SCOPED, "exact-Object")
    >>> _ = b.add_root(temp, RootKind.SCOPED, "exact-Object")
    >>> _ = b.add_context(-1, glob, "embedder://main/", "realm")
    >>> g = promote_rooted_globals(b.freeze(SourceInfo("inline", "test", "none")))
    >>> [RootKind(int(k)).label for k in g.roots.kind]
    ['embedder', 'scoped']
    """
    roots = graph.roots
    globals_ = graph.contexts.global_node
    globals_ = globals_[globals_ >= 0]
    if not len(roots) or not globals_.size:
        return graph
    scoped = roots.kind == RootKind.SCOPED
    at_global = np.isin(graph.edge_target[roots.edge], globals_)
    promote = scoped & at_global
    if not np.any(promote):
        return graph
    kinds = roots.kind.copy()
    kinds[promote] = RootKind.EMBEDDER
    return dataclasses.replace(graph, roots=dataclasses.replace(roots, kind=kinds))
