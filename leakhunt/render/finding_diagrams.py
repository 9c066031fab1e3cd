"""Diagrams of single findings: a zombie context, a GC-invisible cycle, a representative path.

Each adapter takes plain inputs (a :class:`~leakhunt.analyzers.results.RetentionPath`, edge
lists, context indices) so any analyzer's result plugs in with a few lines.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> entry = b.add_node(NodeKind.NATIVE, "node::CompiledFnEntry", node_id=3)
>>> wrapper = b.add_node(NodeKind.OBJECT, "CompiledFnEntry", node_id=5)
>>> fn = b.add_node(NodeKind.CLOSURE, "compiled", node_id=7)
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> d = cycle_diagram(g, [entry, wrapper, fn], [
...     CycleEdge(entry, wrapper, "object", EdgeKind.NATIVE_HANDLE),
...     CycleEdge(wrapper, fn, "fn", EdgeKind.PROPERTY),
...     CycleEdge(fn, entry, "fn_", EdgeKind.WEAK_CALLBACK)])
>>> [(n.title, n.role.value) for n in d.nodes]
[('node::CompiledFnEntry', 'native'), ('CompiledFnEntry', 'object'), ('compiled', 'object')]
>>> [e.role.value for e in d.edges]
['strong handle', 'reference', 'weak callback']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.results import RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind
from leakhunt.render.chain import Hop, chain_diagram
from leakhunt.render.diagram import Diagram, DiagramEdge, DiagramNode, EdgeRole, NodeRole
from leakhunt.render.diagram_nodes import edge_role, graph_node, node_ident

__all__ = [
    "CycleEdge",
    "CycleRoot",
    "cycle_diagram",
    "cycle_edges_from_graph",
    "graph_hops",
    "path_diagram",
    "zombie_context_diagram",
]


class CycleEdge(NamedTuple):
    """One reference of a cycle, possibly one the heap dump cannot show (an embedder handle)."""

    source: int
    """Source node ordinal."""
    target: int
    """Target node ordinal."""
    name: str
    """Edge name."""
    kind: EdgeKind
    """Edge kind: ``WEAK_CALLBACK``, ``NATIVE_HANDLE`` and ``HOST_OPTIONS`` are drawn apart."""


class CycleRoot(NamedTuple):
    """A root holding one member of a cycle."""

    kind: str
    """Root kind words (``embedder``)."""
    label: str
    """The root's label."""
    member: int
    """Node ordinal it holds."""


def cycle_edges_from_graph(graph: RetentionGraph, edges: Sequence[int]) -> list[CycleEdge]:
    """:class:`CycleEdge` rows for edge ordinals of ``graph``."""
    first = graph.node_first_edge
    return [
        CycleEdge(
            int(np.searchsorted(first, edge, side="right")) - 1,
            int(graph.edge_target[edge]),
            graph.edge_name_text(edge),
            EdgeKind(int(graph.edge_kind[edge])),
        )
        for edge in edges
    ]


def cycle_diagram(
    graph: RetentionGraph,
    members: Sequence[int],
    edges: Sequence[CycleEdge],
    retained: npt.NDArray[np.int64] | None = None,
    *,
    roots: Sequence[CycleRoot] = (),
    max_nodes: int = 60,
    title: str | None = None,
) -> Diagram:
    """A cycle across the collectable boundary: native objects apart, handles styled by kind.

    Strong handles are bold, weak callbacks dashed with a diamond end (as the Node.js ``vm``
    write-up draws them). Members beyond ``max_nodes`` fold into one "+N more" box.
    """
    shown = list(dict.fromkeys(members))[:max_nodes]
    keys = {member: f"m{index}" for index, member in enumerate(shown)}
    nodes = [
        DiagramNode(f"r{index}", f"{root.kind} root", root.label, "", None, NodeRole.ROOT)
        for index, root in enumerate(roots)
        if root.member in keys
    ]
    nodes += [graph_node(graph, member, keys[member], retained=retained) for member in shown]
    diagram_edges = [
        DiagramEdge(f"r{index}", keys[root.member], "", "root", EdgeRole.REFERENCE)
        for index, root in enumerate(roots)
        if root.member in keys
    ]
    diagram_edges += [
        DiagramEdge(keys[e.source], keys[e.target], e.name, e.kind.label, edge_role(e.kind))
        for e in edges
        if e.source in keys and e.target in keys
    ]
    hidden = len(set(members)) - len(shown)
    if hidden:
        nodes.append(DiagramNode("more", f"+{hidden:,} more", "members", "", None, NodeRole.MORE))
    return Diagram(
        kind="cycle",
        title=title or f"Cycle of {len(set(members)):,} object(s) the collector cannot see through",
        nodes=tuple(nodes),
        edges=tuple(diagram_edges),
    )


def graph_hops(
    graph: RetentionGraph,
    path: RetentionPath,
    sizes: Sequence[int | None],
    *,
    contexts: bool = False,
) -> list[Hop]:
    """The hops of a graph path, for :func:`~leakhunt.render.chain.chain_diagram`."""
    hops = []
    for index, node in enumerate(path.nodes):
        edge = path.edges[index - 1] if index else -1
        context = int(graph.node_context[node])
        hops.append(
            Hop(
                class_name=graph.strings[int(graph.node_class[node])],
                name=graph.strings[int(graph.node_name[node])],
                ident=node_ident(graph, node),
                retained_size=sizes[index],
                edge_name=graph.edge_name_text(edge) if index else "",
                edge_kind=EdgeKind(int(graph.edge_kind[edge])).label if index else "",
                native=int(graph.node_kind[node]) == NodeKind.NATIVE,
                context=_context_caption(graph, context) if contexts and context >= 0 else None,
            )
        )
    return hops


def _sizes(path: RetentionPath, retained: npt.NDArray[np.int64] | None) -> list[int | None]:
    return [None if retained is None else int(retained[v]) for v in path.nodes]


def zombie_context_diagram(
    graph: RetentionGraph,
    path: RetentionPath,
    crossing: int,
    zombie_contexts: Sequence[int],
    retained: npt.NDArray[np.int64] | None = None,
    *,
    max_chain: int = 8,
    title: str | None = None,
) -> Diagram:
    """A path into a dead context: one frame per context, the crossing reference highlighted.

    Parameters
    ----------
    graph
        The heap.
    path
        A retaining path that ends in (or passes through) the zombie context.
    crossing
        Index into ``path.edges`` of the reference that crosses from live code into the
        zombie context, or -1 when the root holds the context directly.
    zombie_contexts
        Context indices (``graph.contexts``) to draw as the finding; other contexts met on
        the path are drawn as plain frames.
    retained
        Retained size per node ordinal.
    max_chain
        Runs longer than this between pinned hops collapse to "… N more hops".
    title
        Caption.
    """
    if not -1 <= crossing < len(path.edges):
        raise ValueError(f"crossing {crossing} is not an edge index of a {path.length}-edge path")
    names = [_context_caption(graph, c) for c in zombie_contexts]
    return chain_diagram(
        "zombie",
        title or f"Zombie {', '.join(names)}: what keeps it alive",
        path.root_kind.label,
        path.root_label,
        graph_hops(graph, path, _sizes(path, retained), contexts=True),
        crossing=crossing + 1 if crossing >= 0 else None,
        highlighted_contexts=names,
        max_chain=max_chain,
    )


def _context_caption(graph: RetentionGraph, context: int) -> str:
    return f"{graph.contexts.kind[context]} {graph.contexts.name[context]}"


def path_diagram(
    graph: RetentionGraph,
    path: RetentionPath,
    hop_retained: Sequence[int] | None = None,
    retained: npt.NDArray[np.int64] | None = None,
    *,
    max_chain: int = 8,
    title: str | None = None,
) -> Diagram:
    """One retaining path with a retained size per hop (a diff cluster's representative path).

    ``hop_retained`` gives the size shown at each node of ``path.nodes`` (for example the
    growth a diff attributes to it); otherwise ``retained`` per node ordinal is used.
    """
    if hop_retained is not None and len(hop_retained) != len(path.nodes):
        raise ValueError("hop_retained needs one size per node of the path")
    sizes: list[int | None] = (
        list(hop_retained) if hop_retained is not None else _sizes(path, retained)
    )
    return chain_diagram(
        "path",
        title or f"Retaining path ({path.length:,} references)",
        path.root_kind.label,
        path.root_label,
        graph_hops(graph, path, sizes),
        max_chain=max_chain,
    )
