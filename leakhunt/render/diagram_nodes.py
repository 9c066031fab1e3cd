"""Building blocks shared by the diagram adapters: graph nodes and edges as diagram parts.

Examples
--------
>>> edge_role(EdgeKind.WEAK_CALLBACK), edge_role(EdgeKind.NATIVE_HANDLE)
(<EdgeRole.WEAK_CALLBACK: 'weak callback'>, <EdgeRole.STRONG_HANDLE: 'strong handle'>)
>>> visible_runs(10, {0, 9}, max_run=4)
[0, 1, 2, Elision(hidden=4), 7, 8, 9]
>>> visible_runs(5, {0, 4}, max_run=4)
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind
from leakhunt.render.diagram import DiagramEdge, DiagramNode, EdgeRole, NodeRole

__all__ = [
    "Elision",
    "edge_role",
    "elided_node",
    "graph_edge",
    "graph_node",
    "node_ident",
    "visible_runs",
]

_KEEP_EACH_SIDE = 2
"""Nodes kept on each side of a collapsed run, so the reader sees where it starts and ends."""


@dataclass(frozen=True, slots=True)
class Elision:
    """A run of consecutive path nodes replaced by one "… N more hops" box."""

    hidden: int
    """How many nodes the run holds."""


def visible_runs(length: int, pinned: Set[int], *, max_run: int) -> list[int | Elision]:
    """Positions ``0 … length-1`` to draw, with unpinned runs longer than ``max_run`` elided.

    A run between two pinned positions keeps its first and last two nodes; the rest become
    one :class:`Elision`.
    """
    result: list[int | Elision] = []
    run: list[int] = []

    def flush() -> None:
        if len(run) > max(max_run, 2 * _KEEP_EACH_SIDE + 1):
            result.extend(run[:_KEEP_EACH_SIDE])
            result.append(Elision(len(run) - 2 * _KEEP_EACH_SIDE))
            result.extend(run[-_KEEP_EACH_SIDE:])
        else:
            result.extend(run)
        run.clear()

    for position in range(length):
        if position in pinned:
            flush()
            result.append(position)
        else:
            run.append(position)
    flush()
    return result


def edge_role(kind: EdgeKind) -> EdgeRole:
    """How an edge of ``kind`` is drawn when nothing else singles it out."""
    if kind is EdgeKind.WEAK:
        return EdgeRole.WEAK
    if kind is EdgeKind.WEAK_CALLBACK:
        return EdgeRole.WEAK_CALLBACK
    if kind in (EdgeKind.NATIVE_HANDLE, EdgeKind.HOST_OPTIONS):
        return EdgeRole.STRONG_HANDLE
    return EdgeRole.REFERENCE


def node_ident(graph: RetentionGraph, node: int) -> str:
    """The id as users type it in selectors: ``0xADDR`` where ids are addresses (SpiderMonkey,
    cycle collector), ``@ID`` otherwise (V8, root dumps such as QuickJS's)."""
    value = int(graph.node_id[node])
    return f"0x{value:x}" if graph.source.ids_are_addresses else f"@{value}"


def graph_node(
    graph: RetentionGraph,
    node: int,
    key: str,
    *,
    retained: npt.NDArray[np.int64] | None = None,
    target: bool = False,
    through: int | None = None,
    cluster: str | None = None,
) -> DiagramNode:
    """The box for graph node ``node``: class, name (when it says more), id, retained size."""
    class_name = graph.strings[int(graph.node_class[node])]
    name = graph.strings[int(graph.node_name[node])]
    native = int(graph.node_kind[node]) == NodeKind.NATIVE
    role = NodeRole.TARGET if target else NodeRole.NATIVE if native else NodeRole.OBJECT
    return DiagramNode(
        key=key,
        title=class_name,
        subtitle="" if name == class_name else name,
        ident=node_ident(graph, node),
        retained_size=None if retained is None else int(retained[node]),
        role=role,
        through=through,
        cluster=cluster,
    )


def graph_edge(
    graph: RetentionGraph, edge: int, source: str, target: str, *, role: EdgeRole | None = None
) -> DiagramEdge:
    """The arrow for graph edge ``edge`` between two drawn boxes."""
    kind = EdgeKind(int(graph.edge_kind[edge]))
    return DiagramEdge(
        source=source,
        target=target,
        label=graph.edge_name_text(edge),
        kind=kind.label,
        role=role if role is not None else edge_role(kind),
    )


def elided_node(key: str, hidden: int, cluster: str | None = None) -> DiagramNode:
    """The "… N more hops" box."""
    noun = "hop" if hidden == 1 else "hops"
    return DiagramNode(
        key, f"… {hidden:,} more {noun}", "", "", None, NodeRole.ELIDED, None, cluster
    )
