"""Read-only views of single nodes and edges, for people, tests and renderers.

Kernels never create views; they read the columns of :class:`RetentionGraph` directly.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> a = b.add_node(NodeKind.OBJECT, "App", node_id=3, self_size=24)
>>> c = b.add_node(NodeKind.CLOSURE, "onTick", node_id=5, self_size=32)
>>> _ = b.add_edge(a, c, EdgeKind.PROPERTY, "listener")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> node = NodeView(g, a)
>>> node.name, node.id, node.kind.name, [e.name for e in node.edges()]
('App', 3, 'OBJECT', ['listener'])
>>> next(node.edges()).target.name
'onTick'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["EdgeView", "NodeView"]


@dataclass(frozen=True, slots=True)
class NodeView:
    """One node of a graph, read on demand."""

    graph: RetentionGraph
    """The graph the node belongs to."""
    ordinal: int
    """The node's ordinal."""

    @property
    def id(self) -> int:
        """Engine id (V8 node id, SpiderMonkey address)."""
        return int(self.graph.node_id[self.ordinal])

    @property
    def name(self) -> str:
        """The node's name."""
        return self.graph.strings[int(self.graph.node_name[self.ordinal])]

    @property
    def class_name(self) -> str:
        """The class the node is grouped under."""
        return self.graph.strings[int(self.graph.node_class[self.ordinal])]

    @property
    def kind(self) -> NodeKind:
        """Engine-neutral kind."""
        return NodeKind(int(self.graph.node_kind[self.ordinal]))

    @property
    def type_name(self) -> str:
        """The engine's own type word."""
        return self.graph.type_names[int(self.graph.node_type[self.ordinal])]

    @property
    def self_size(self) -> int:
        """Shallow size in bytes, as reported."""
        return int(self.graph.node_self_size[self.ordinal])

    @property
    def context(self) -> int:
        """Context index, or -1."""
        return int(self.graph.node_context[self.ordinal])

    @property
    def edge_count(self) -> int:
        """Number of outgoing edges."""
        first = self.graph.node_first_edge
        return int(first[self.ordinal + 1] - first[self.ordinal])

    def edges(self) -> Iterator[EdgeView]:
        """Outgoing edges in graph order."""
        first = self.graph.node_first_edge
        for edge in range(int(first[self.ordinal]), int(first[self.ordinal + 1])):
            yield EdgeView(self.graph, edge, self.ordinal)

    def __repr__(self) -> str:
        return f"<{self.class_name} {self.name!r} @{self.id} ({self.type_name})>"


@dataclass(frozen=True, slots=True)
class EdgeView:
    """One edge of a graph."""

    graph: RetentionGraph
    """The graph the edge belongs to."""
    ordinal: int
    """The edge's ordinal."""
    source_ordinal: int
    """Ordinal of the node the edge leaves."""

    @property
    def kind(self) -> EdgeKind:
        """Engine-neutral kind."""
        return EdgeKind(int(self.graph.edge_kind[self.ordinal]))

    @property
    def name(self) -> str:
        """Edge name, or the index as text for indexed kinds."""
        return self.graph.edge_name_text(self.ordinal)

    @property
    def source(self) -> NodeView:
        """The node the edge leaves."""
        return NodeView(self.graph, self.source_ordinal)

    @property
    def target(self) -> NodeView:
        """The node the edge points to."""
        return NodeView(self.graph, int(self.graph.edge_target[self.ordinal]))

    def __repr__(self) -> str:
        return f"<{self.kind.name.lower()} edge {self.name!r}>"
