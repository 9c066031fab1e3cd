"""GraphBuilder: append nodes, edges, roots and weak-map entries, then freeze to a CSR graph.

Appends go to compact typed buffers (``array.array``), so a builder holding a million edges
costs a few bytes per edge, not a Python object each. Importers that already hold numpy
columns can use the vectorised :meth:`GraphBuilder.add_edges`.

Examples
--------
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> app = b.add_node(NodeKind.OBJECT, "App", node_id=10, self_size=32)
>>> cache = b.add_node(NodeKind.OBJECT, "Map", node_id=12, self_size=16)
>>> _ = b.add_edge(app, cache, EdgeKind.PROPERTY, "cache")
>>> _ = b.add_root(app, RootKind.USER, "global")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> g.node_count, g.edge_count, len(g.roots)
(3, 2, 1)
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from leakhunt.errors import GraphError
from leakhunt.graph.core import (
    ContextTable,
    EphemeronTable,
    RetentionGraph,
    RootTable,
    SourceInfo,
)
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind

__all__ = ["GraphBuilder", "SourceInfo", "StringTable", "csr_from_edge_sources"]

SUPER_ROOT_NAME = "(root)"


class StringTable:
    """Interns strings to dense indices.

    >>> t = StringTable()
    >>> t.intern("a"), t.intern("b"), t.intern("a")
    (0, 1, 0)
    >>> t.freeze()
    ('a', 'b')
    """

    def __init__(self, initial: Sequence[str] = ()) -> None:
        self._strings: list[str] = []
        self._index: dict[str, int] = {}
        for text in initial:
            self.intern(text)

    def intern(self, text: str) -> int:
        """Index of ``text``, adding it if new."""
        index = self._index.get(text)
        if index is None:
            index = len(self._strings)
            self._strings.append(text)
            self._index[text] = index
        return index

    def __len__(self) -> int:
        return len(self._strings)

    def freeze(self) -> tuple[str, ...]:
        """The strings in index order."""
        return tuple(self._strings)


def csr_from_edge_sources(
    source: npt.NDArray[np.integer], node_count: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Stable order that groups edges by source, and the CSR offsets of that order.

    >>> order, first = csr_from_edge_sources(np.array([2, 0, 2, 1]), 3)
    >>> order.tolist(), first.tolist()
    ([1, 3, 0, 2], [0, 1, 2, 4])
    """
    order = np.argsort(source, kind="stable").astype(np.int64, copy=False)
    counts = np.bincount(source, minlength=node_count)
    first = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    return order, first


class GraphBuilder:
    """Accumulates a graph; :meth:`freeze` returns the immutable :class:`RetentionGraph`.

    Node 0, the synthetic super root, exists from the start. Root edges leave it.
    """

    def __init__(self, root_name: str = SUPER_ROOT_NAME) -> None:
        self.strings = StringTable([""])
        self._types = StringTable()
        self._node_type = array("B")
        self._node_kind = array("B")
        self._node_name = array("I")
        self._node_class = array("I")
        self._node_id = array("q")
        self._node_size = array("q")
        self._node_context = array("i")
        self._node_detached = array("B")
        self._edge_source = array("i")
        self._edge_target = array("i")
        self._edge_kind = array("B")
        self._edge_name = array("I")
        self._root_edge = array("q")
        self._root_kind = array("B")
        self._root_label = array("I")
        self._eph_edge = array("q")
        self._eph_entry = array("i")
        self._eph_from_key = array("B")
        self._eph_halves = array("B")
        self._contexts: list[tuple[int, int, str, str]] = []
        self._problems: list[str] = []
        self.root = self.add_node(NodeKind.SYNTHETIC, root_name, node_id=0, self_size=0)

    @property
    def node_count(self) -> int:
        """Nodes added so far, including the super root."""
        return len(self._node_kind)

    @property
    def edge_count(self) -> int:
        """Edges added so far."""
        return len(self._edge_target)

    def add_node(
        self,
        kind: NodeKind,
        name: str,
        *,
        node_id: int,
        self_size: int = 0,
        type_name: str | None = None,
        class_name: str | None = None,
        context: int = -1,
        detachedness: int = 0,
    ) -> int:
        """Append a node; return its ordinal. ``type_name`` defaults to the kind's name."""
        ordinal = len(self._node_kind)
        self._node_kind.append(int(kind))
        self._node_type.append(self._types.intern(type_name or kind.name.lower()))
        self._node_name.append(self.strings.intern(name))
        self._node_class.append(self.strings.intern(class_name if class_name is not None else name))
        self._node_id.append(node_id)
        self._node_size.append(self_size)
        self._node_context.append(context)
        self._node_detached.append(detachedness)
        return ordinal

    def add_edge(self, source: int, target: int, kind: EdgeKind, name: str | int) -> int:
        """Append an edge; return its pre-freeze index. Indexed kinds take an int name."""
        index = len(self._edge_target)
        self._edge_source.append(source)
        self._edge_target.append(target)
        self._edge_kind.append(int(kind))
        self._edge_name.append(name if isinstance(name, int) else self.strings.intern(name))
        return index

    def add_edges(
        self,
        source: npt.NDArray[np.integer],
        target: npt.NDArray[np.integer],
        kind: npt.NDArray[np.integer],
        name: npt.NDArray[np.integer],
    ) -> None:
        """Append many edges at once; ``name`` holds string indices or element indices."""
        self._edge_source.frombytes(np.ascontiguousarray(source, np.int32).tobytes())
        self._edge_target.frombytes(np.ascontiguousarray(target, np.int32).tobytes())
        self._edge_kind.frombytes(np.ascontiguousarray(kind, np.uint8).tobytes())
        self._edge_name.frombytes(np.ascontiguousarray(name, np.uint32).tobytes())

    def add_root(
        self,
        target: int,
        kind: RootKind,
        label: str,
        *,
        edge_kind: EdgeKind = EdgeKind.INTERNAL,
        source: int | None = None,
    ) -> int:
        """Add a root edge ``source → target`` (from the super root by default)."""
        edge = self.add_edge(self.root if source is None else source, target, edge_kind, label)
        self._root_edge.append(edge)
        self._root_kind.append(int(kind))
        self._root_label.append(self.strings.intern(label))
        return edge

    def add_ephemeron(self, table: int | None, key: int, value: int, name: str) -> int:
        """Add a weak-map entry; the value is held iff ``key`` (and ``table``, if any) are.

        Adds one EPHEMERON edge per holder and returns the entry index.
        """
        entry = len(self._eph_halves)
        halves = 0
        for source, from_key in ((table, False), (key, True)):
            if source is None:
                continue
            self._eph_edge.append(self.add_edge(source, value, EdgeKind.EPHEMERON, name))
            self._eph_entry.append(entry)
            self._eph_from_key.append(from_key)
            halves += 1
        self._eph_halves.append(halves)
        return entry

    def add_context(self, node: int, global_node: int, name: str, kind: str = "context") -> int:
        """Add a context; return its index."""
        self._contexts.append((node, global_node, name, kind))
        return len(self._contexts) - 1

    def add_problem(self, problem: str, cap: int = 100) -> None:
        """Record a recoverable oddity (the first ``cap`` are kept)."""
        if len(self._problems) < cap:
            self._problems.append(problem)

    def freeze(self, source: SourceInfo) -> RetentionGraph:
        """Group edges by source (stable) and return the immutable graph."""
        n = self.node_count
        src = np.frombuffer(self._edge_source, dtype=np.int32)
        tgt = np.frombuffer(self._edge_target, dtype=np.int32)
        if src.size and (src.min() < 0 or src.max() >= n or tgt.min() < 0 or tgt.max() >= n):
            raise GraphError("an edge refers to a node that was never added")
        order, first = csr_from_edge_sources(src, n)
        new_position = np.empty_like(order)
        new_position[order] = np.arange(order.size, dtype=np.int64)
        eph_old = np.frombuffer(self._eph_edge, dtype=np.int64)
        eph_new = new_position[eph_old] if eph_old.size else eph_old.copy()
        eph_order = np.argsort(eph_new, kind="stable")
        ctx = self._contexts
        graph = RetentionGraph(
            strings=self.strings.freeze(),
            type_names=self._types.freeze(),
            node_type=np.frombuffer(self._node_type, np.uint8).copy(),
            node_kind=np.frombuffer(self._node_kind, np.uint8).copy(),
            node_name=np.frombuffer(self._node_name, np.uint32).copy(),
            node_class=np.frombuffer(self._node_class, np.uint32).copy(),
            node_id=np.frombuffer(self._node_id, np.int64).copy(),
            node_self_size=np.frombuffer(self._node_size, np.int64).copy(),
            node_context=np.frombuffer(self._node_context, np.int32).copy(),
            node_detachedness=np.frombuffer(self._node_detached, np.uint8).copy(),
            node_first_edge=first,
            edge_target=tgt[order],
            edge_kind=np.frombuffer(self._edge_kind, np.uint8)[order],
            edge_name=np.frombuffer(self._edge_name, np.uint32)[order],
            roots=RootTable(
                edge=new_position[np.frombuffer(self._root_edge, np.int64)],
                kind=np.frombuffer(self._root_kind, np.uint8).copy(),
                label=np.frombuffer(self._root_label, np.uint32).copy(),
            ),
            ephemerons=EphemeronTable(
                edge=eph_new[eph_order],
                entry=np.frombuffer(self._eph_entry, np.int32)[eph_order],
                from_key=np.frombuffer(self._eph_from_key, np.uint8)[eph_order].astype(bool),
                entry_halves=np.frombuffer(self._eph_halves, np.uint8).copy(),
            ),
            contexts=ContextTable(
                node=np.array([c[0] for c in ctx], dtype=np.int32),
                global_node=np.array([c[1] for c in ctx], dtype=np.int32),
                name=tuple(c[2] for c in ctx),
                kind=tuple(c[3] for c in ctx),
            ),
            source=source,
            problems=tuple(self._problems),
        )
        graph.validate()
        return graph
