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

from collections.abc import Sequence, Set
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.results import RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.diagram import Cluster, Diagram, DiagramEdge, DiagramNode, EdgeRole, NodeRole
from leakhunt.render.diagram_nodes import (
    Elision,
    edge_kind_words,
    edge_role,
    elided_node,
    graph_edge,
    graph_node,
    visible_runs,
)

__all__ = [
    "CycleEdge",
    "CycleRoot",
    "cycle_diagram",
    "cycle_edges_from_graph",
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
        DiagramEdge(
            keys[e.source], keys[e.target], e.name, edge_kind_words(e.kind), edge_role(e.kind)
        )
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


def _cluster_of(graph: RetentionGraph, node: int) -> str | None:
    context = int(graph.node_context[node])
    return None if context < 0 else f"cluster_c{context}"


def _path_parts(
    graph: RetentionGraph,
    path: RetentionPath,
    sizes: Sequence[int | None],
    *,
    pinned: Set[int],
    max_chain: int,
    crossing: int | None,
    clustered: bool,
) -> tuple[list[DiagramNode], list[DiagramEdge], int]:
    """Boxes and arrows of one path, root first; returns them and the hops collapsed."""
    nodes = [
        DiagramNode("r0", f"{path.root_kind.label} root", path.root_label, "", None, NodeRole.ROOT)
    ]
    edges: list[DiagramEdge] = []
    previous, after_elision, collapsed = "r0", False, 0
    last = len(path.nodes) - 1
    for item in visible_runs(len(path.nodes), pinned, max_run=max_chain):
        if isinstance(item, Elision):
            key = f"e{len(nodes)}"
            nodes.append(elided_node(key, item.hidden))
            edges.append(DiagramEdge(previous, key, "", "", EdgeRole.ELIDED))
            previous, after_elision, collapsed = key, True, collapsed + item.hidden
            continue
        node = path.nodes[item]
        key = f"n{item}"
        cluster = _cluster_of(graph, node) if clustered else None
        nodes.append(graph_node(graph, node, key, target=item == last, cluster=cluster))
        nodes[-1] = _with_size(nodes[-1], sizes[item])
        if item == 0:
            edges.append(DiagramEdge(previous, key, "", "root", EdgeRole.REFERENCE))
        else:
            hop = path.edges[item - 1]
            role = EdgeRole.CROSSING if crossing == item - 1 else None
            role = EdgeRole.ELIDED if after_elision else role
            edges.append(graph_edge(graph, hop, previous, key, role=role))
        previous, after_elision = key, False
    return nodes, edges, collapsed


def _with_size(node: DiagramNode, size: int | None) -> DiagramNode:
    return DiagramNode(
        node.key, node.title, node.subtitle, node.ident, size, node.role, node.through, node.cluster
    )


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
        zombie context.
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
    if not 0 <= crossing < len(path.edges):
        raise ValueError(f"crossing {crossing} is not an edge index of a {path.length}-edge path")
    pinned = {0, crossing, crossing + 1, len(path.nodes) - 1}
    nodes, edges, collapsed = _path_parts(
        graph,
        path,
        _sizes(path, retained),
        pinned=pinned,
        max_chain=max_chain,
        crossing=crossing,
        clustered=True,
    )
    used = sorted({int(n.cluster.removeprefix("cluster_c")) for n in nodes if n.cluster})
    used = sorted(set(used) | set(zombie_contexts))
    zombies = set(zombie_contexts)
    clusters = tuple(
        Cluster(f"cluster_c{c}", _context_caption(graph, c, c in zombies), c in zombies)
        for c in used
    )
    names = ", ".join(graph.contexts.name[c] for c in zombie_contexts)
    notes = [f"{collapsed:,} hop(s) collapsed"] if collapsed else []
    return Diagram(
        kind="zombie",
        title=title or f"Zombie context {names}: what keeps it alive",
        nodes=tuple(nodes),
        edges=tuple(edges),
        clusters=clusters,
        notes=tuple(notes),
    )


def _context_caption(graph: RetentionGraph, context: int, zombie: bool) -> str:
    kind = graph.contexts.kind[context]
    state = "zombie " if zombie else ""
    return f"{state}{kind} {graph.contexts.name[context]}"


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
    nodes, edges, collapsed = _path_parts(
        graph,
        path,
        sizes,
        pinned={0, len(path.nodes) - 1},
        max_chain=max_chain,
        crossing=None,
        clustered=False,
    )
    notes = [f"{collapsed:,} hop(s) collapsed"] if collapsed else []
    return Diagram(
        kind="path",
        title=title or f"Retaining path ({path.length:,} references)",
        nodes=tuple(nodes),
        edges=tuple(edges),
        notes=tuple(notes),
    )
