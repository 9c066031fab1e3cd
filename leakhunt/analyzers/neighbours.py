"""``find_neighbours``: one node's references out and in, a page at a time.

The two lists are Chrome DevTools' *Containment* (what the node references, in the order the
engine wrote its edges) and *Retainers* (what references the node, closest to a root first:
by the retainer's distance, then edge order, as DevTools sorts its Retainers view).

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> app = b.add_node(NodeKind.OBJECT, "App", node_id=3)
>>> leak = b.add_node(NodeKind.OBJECT, "Leak", node_id=5)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, app, EdgeKind.PROPERTY, "app")
>>> _ = b.add_edge(app, leak, EdgeKind.PROPERTY, "cache")
>>> _ = b.add_edge(app, leak, EdgeKind.PROPERTY, "again")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> found = find_neighbours(g, app)
>>> [g.edge_name_text(e) for e in found.outgoing], found.outgoing_total
(['cache', 'again'], 2)
>>> [(g.node_label(int(g.edge_source()[e])), g.edge_name_text(e)) for e in found.incoming]
[('global', 'app')]
>>> find_neighbours(g, app, limit=1, offset=1).outgoing == (found.outgoing[1],)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.errors import ConfigError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.retainers import Retainers, build_retainers

__all__ = ["Neighbours", "NodeReport", "find_neighbours"]


@dataclass(frozen=True, slots=True)
class Neighbours:
    """A page of one node's outgoing and incoming edges."""

    node: int
    """The node's ordinal."""
    outgoing: tuple[int, ...]
    """Edge ordinals leaving the node (this page), in the engine's order."""
    outgoing_total: int
    """All edges leaving the node."""
    incoming: tuple[int, ...]
    """Edge ordinals entering the node (this page), closest retainer first."""
    incoming_sources: tuple[int, ...]
    """The source node of each edge of :attr:`incoming`."""
    incoming_total: int
    """All edges entering the node."""
    offset: int
    """Edges skipped at the start of each list."""
    limit: int
    """Most edges of each list on this page."""


@dataclass(frozen=True, slots=True)
class NodeReport:
    """What ``leakhunt show`` presents: pages of neighbours under one dominator tree."""

    pages: tuple[Neighbours, ...]
    """One page per node shown."""
    tree: DominatorTree
    """Retained sizes, distances and dominators of the graph."""


def find_neighbours(
    graph: RetentionGraph,
    node: int,
    *,
    limit: int = 50,
    offset: int = 0,
    distance: npt.NDArray[np.integer] | None = None,
    retainers: Retainers | None = None,
) -> Neighbours:
    """The edges out of and into ``node``, ``limit`` of each from ``offset`` on.

    ``distance`` (per node, such as :attr:`DominatorTree.distance`; negative when unreached)
    orders the retainers closest first; without it they come in edge order.
    """
    if limit < 1 or offset < 0:
        raise ConfigError(f"limit must be at least 1 and offset not negative ({limit}, {offset})")
    first, stop = int(graph.node_first_edge[node]), int(graph.node_first_edge[node + 1])
    outgoing = range(first, stop)[offset : offset + limit]
    retainers = retainers if retainers is not None else build_retainers(graph)
    edges = retainers.edges_into(node).astype(np.int64)
    sources = retainers.edge_source[edges].astype(np.int64)
    if distance is not None and edges.size:
        reach = distance[sources].astype(np.int64)
        reach = np.where(reach < 0, np.iinfo(np.int64).max, reach)
        order = np.lexsort((edges, reach))
        edges, sources = edges[order], sources[order]
    page = slice(offset, offset + limit)
    return Neighbours(
        node=node,
        outgoing=tuple(outgoing),
        outgoing_total=stop - first,
        incoming=tuple(edges[page].tolist()),
        incoming_sources=tuple(sources[page].tolist()),
        incoming_total=int(edges.size),
        offset=offset,
        limit=limit,
    )
