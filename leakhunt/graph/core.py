"""The retention graph: immutable numpy columns indexed by node and edge ordinal.

Layout (see ``docs/model.md``):

* nodes ``0 .. n-1``; node 0 is always the synthetic super root;
* edges grouped by source in a forward CSR: node ``v`` owns edges
  ``node_first_edge[v] .. node_first_edge[v+1]-1``;
* ``roots``: which edges are root edges, and why (:class:`~leakhunt.graph.kinds.RootKind`);
* ``ephemerons``: the weak-map entries, pairing the edges that hold a value only together;
* ``contexts``: engine contexts (V8 NativeContexts, SpiderMonkey realms) and their nodes.

Nothing writes into a graph after it is built; analyses return separate result objects.
(The one exception is explicit: an overlay told that its caller gives the snapshot's graph
up may reuse that graph's storage for the merged one, see :mod:`leakhunt.graph.room`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leakhunt.errors import GraphError
from leakhunt.graph.code import CapturedUseTable, CodeLocationTable
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind

__all__ = ["ContextTable", "EphemeronTable", "RetentionGraph", "RootTable", "SourceInfo"]

_INDEXED_KINDS = frozenset(int(kind) for kind in EdgeKind if kind.is_indexed)

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a graph came from."""

    path: str
    """The file it was read from."""
    format: str
    """Importer name, e.g. ``"v8-heapsnapshot"``."""
    engine: str
    """The engine family that wrote it (``"V8"``, ``"SpiderMonkey"``, ``"Gecko CC"``)."""
    details: tuple[tuple[str, str], ...] = ()
    """Importer-specific facts worth showing (dump number, producer, variant)."""

    @property
    def ids_are_addresses(self) -> bool:
        """Whether node ids are memory addresses (SpiderMonkey cells, cycle-collector objects),
        shown in hex, rather than object ids (V8, root dumps), shown as ``@N``.

        >>> SourceInfo("a.heap", "spidermonkey-gc-log", "SpiderMonkey").ids_are_addresses
        True
        """
        return self.engine != "V8" and self.format != "leakhunt-rootdump"


@dataclass(frozen=True, slots=True)
class RootTable:
    """Root edges: each row names an edge of the graph and why it is a root."""

    edge: I64
    """Edge ordinal of each root edge (its target is the rooted node)."""
    kind: U8
    """:class:`RootKind` of each root edge."""
    label: U32
    """String index: the engine's name for the root or its category (``"(Global handles)"``)."""

    def __len__(self) -> int:
        return int(self.edge.shape[0])


@dataclass(frozen=True, slots=True)
class EphemeronTable:
    """Weak-map entries. An entry's value is alive iff all of its halves' sources are alive.

    Every half is an edge of kind :attr:`EdgeKind.EPHEMERON` into the entry's value; the half
    leaving the key is the one paths go through.
    """

    edge: I64
    """Edge ordinals of ephemeron halves, sorted ascending."""
    entry: I32
    """Entry index of each half (parallel to :attr:`edge`)."""
    from_key: BoolArray
    """Whether the half leaves the key (otherwise it leaves the map/table)."""
    entry_halves: U8
    """Number of halves that must be reached before each entry's value is (1 or 2)."""

    def __len__(self) -> int:
        return int(self.entry_halves.shape[0])

    @staticmethod
    def empty() -> EphemeronTable:
        """A table with no entries."""
        return EphemeronTable(
            edge=np.zeros(0, np.int64),
            entry=np.zeros(0, np.int32),
            from_key=np.zeros(0, np.bool_),
            entry_halves=np.zeros(0, np.uint8),
        )


@dataclass(frozen=True, slots=True)
class ContextTable:
    """Engine contexts (V8 NativeContexts, SpiderMonkey realms or compartments)."""

    node: I32
    """Node ordinal representing each context (-1 when the dump has no such node)."""
    global_node: I32
    """Node ordinal of each context's global object, or -1."""
    name: tuple[str, ...]
    """Display name (URL, realm name, or a derived label)."""
    kind: tuple[str, ...]
    """Engine-neutral kind: ``"context"``, ``"realm"``, ``"compartment"``."""
    role: tuple[str, ...] = ()
    """What each context is for, when the importer can tell: ``main``, ``iframe``,
    ``extension``, ``worker``, ``vm``, ``realm``; empty (the default) means unknown for all."""
    state: tuple[str, ...] = ()
    """Lifecycle as the engine or embedder states it: ``live``, ``disposed`` (the embedder let
    go of it), ``detached`` (a window whose document is detached) or ``unknown``; empty (the
    default) means unknown for all."""
    state_note: tuple[str, ...] = ()
    """The raw fact behind :attr:`state` or worth showing next to it, in words (may be empty)."""
    memory_limit: I64 | None = None
    """Bytes the embedder lets each context allocate (-1: no limit or not stated); None when no
    dump states any."""
    memory_used: I64 | None = None
    """Bytes the embedder counted for each context (-1: not stated); None when no dump states any."""
    front_door: I32 | None = None
    """A further node per context that holds it the way its global does (Node: the object behind a
    contextified sandbox's private symbol), or -1; None when the engine has none."""
    weak_holder_edges: I64 | None = None
    """Edges into contexts that the dump lists as strong but that the process holds weakly (Node's
    ``ContextifyContext`` wrapper link); context analyses treat them as weak."""
    wrapper_edges: I64 | None = None
    """Edges from a cross-context wrapper to its target in another context (SpiderMonkey
    cross-compartment wrappers): back doors even when they point at a global."""

    def __len__(self) -> int:
        return len(self.name)

    def role_of(self, context: int) -> str:
        """:attr:`role` of one context, ``"unknown"`` when not stated."""
        return self.role[context] if self.role else "unknown"

    def state_of(self, context: int) -> str:
        """:attr:`state` of one context, ``"unknown"`` when not stated."""
        return self.state[context] if self.state else "unknown"

    def note_of(self, context: int) -> str:
        """:attr:`state_note` of one context (``""`` when none)."""
        return self.state_note[context] if self.state_note else ""

    def limit_of(self, context: int) -> int | None:
        """Memory limit in bytes, or None when not stated."""
        if self.memory_limit is None or int(self.memory_limit[context]) < 0:
            return None
        return int(self.memory_limit[context])

    def used_of(self, context: int) -> int | None:
        """Memory the embedder counted, or None when not stated."""
        if self.memory_used is None or int(self.memory_used[context]) < 0:
            return None
        return int(self.memory_used[context])

    @staticmethod
    def empty() -> ContextTable:
        """A table with no contexts."""
        return ContextTable(np.zeros(0, np.int32), np.zeros(0, np.int32), (), ())


@dataclass(frozen=True, slots=True, eq=False)
class RetentionGraph:
    """A heap as flat columns. See the module docstring for the layout.

    Build one with an importer or :class:`~leakhunt.graph.builder.GraphBuilder`; read it with
    :class:`~leakhunt.graph.views.NodeView` or directly through the columns.
    """

    strings: tuple[str, ...]
    """Interned strings; node names, class names, edge names and labels index into it."""
    type_names: tuple[str, ...]
    """The engine's own node type vocabulary; :attr:`node_type` indexes into it."""
    node_type: U8
    """Engine type of each node (index into :attr:`type_names`)."""
    node_kind: U8
    """:class:`NodeKind` of each node."""
    node_name: U32
    """String index of each node's name."""
    node_class: U32
    """String index of each node's class (constructor name or a ``(kind)`` group)."""
    node_id: I64
    """Engine id of each node: V8 snapshot id, or the cell address for SpiderMonkey."""
    node_self_size: I64
    """Shallow size in bytes as the engine reported (or estimated) it."""
    node_context: I32
    """Context index of each node, or -1 when not attributed."""
    node_detachedness: U8
    """0 unknown, 1 attached, 2 detached (engine's own flag; not a leak verdict)."""
    node_first_edge: I64
    """Forward CSR offsets, length ``n + 1``."""
    edge_target: I32
    """Target node ordinal of each edge."""
    edge_kind: U8
    """:class:`EdgeKind` of each edge."""
    edge_name: U32
    """String index of the edge name, or the integer index for indexed kinds."""
    roots: RootTable
    """The root edges."""
    ephemerons: EphemeronTable
    """The weak-map entries."""
    contexts: ContextTable
    """The engine contexts."""
    source: SourceInfo
    """Provenance."""
    problems: tuple[str, ...] = field(default=())
    """Recoverable oddities the importer met (capped)."""
    code_locations: CodeLocationTable = field(default_factory=CodeLocationTable.empty)
    """Source positions of functions and objects, where the dump records them."""
    captured_uses: CapturedUseTable = field(default_factory=CapturedUseTable.empty)
    """Which context variables functions read, where the dump records it."""

    @property
    def node_count(self) -> int:
        """Number of nodes, including the super root."""
        return int(self.node_kind.shape[0])

    @property
    def edge_count(self) -> int:
        """Number of edges."""
        return int(self.edge_target.shape[0])

    @property
    def root_node(self) -> int:
        """Ordinal of the synthetic super root (always 0)."""
        return 0

    def edge_source(self) -> I32:
        """Source node ordinal of every edge (computed, ``O(m)`` memory)."""
        counts = np.diff(self.node_first_edge)
        return np.repeat(np.arange(self.node_count, dtype=np.int32), counts)

    def edge_name_text(self, edge: int) -> str:
        """The edge name as text: the string, or the index for indexed kinds."""
        name = int(self.edge_name[edge])
        if int(self.edge_kind[edge]) in _INDEXED_KINDS:
            return str(name)
        return self.strings[name]

    def node_label(self, node: int) -> str:
        """The node's name."""
        return self.strings[int(self.node_name[node])]

    def validate(self) -> None:
        """Check the structural invariants; raise :class:`GraphError` on the first broken one."""
        n, m = self.node_count, self.edge_count
        node_columns: dict[str, npt.NDArray[np.generic]] = {
            "node_type": self.node_type,
            "node_name": self.node_name,
            "node_class": self.node_class,
            "node_id": self.node_id,
            "node_self_size": self.node_self_size,
            "node_context": self.node_context,
            "node_detachedness": self.node_detachedness,
        }
        for name, column in node_columns.items():
            if column.shape != (n,):
                raise GraphError(f"{name} has shape {column.shape}, expected ({n},)")
        edge_columns: dict[str, npt.NDArray[np.generic]] = {
            "edge_kind": self.edge_kind,
            "edge_name": self.edge_name,
        }
        for name, column in edge_columns.items():
            if column.shape != (m,):
                raise GraphError(f"{name} has shape {column.shape}, expected ({m},)")
        first = self.node_first_edge
        if first.shape != (n + 1,) or first[0] != 0 or first[-1] != m:
            raise GraphError("node_first_edge is not a CSR offset array over the edges")
        if n and np.any(first[1:] < first[:-1]):
            raise GraphError("node_first_edge decreases")
        if m and (self.edge_target.min() < 0 or self.edge_target.max() >= n):
            raise GraphError("edge_target out of range")
        if self.node_kind.size and self.node_kind.max() > max(NodeKind):
            raise GraphError("unknown node kind")
        if self.edge_kind.size and self.edge_kind.max() > max(EdgeKind):
            raise GraphError("unknown edge kind")
        if len(self.roots) and (self.roots.edge.min() < 0 or self.roots.edge.max() >= m):
            raise GraphError("root edge out of range")
        if len(self.roots) and self.roots.kind.max() > max(RootKind):
            raise GraphError("unknown root kind")
        eph = self.ephemerons
        if eph.edge.size:
            if np.any(np.diff(eph.edge) <= 0):
                raise GraphError("ephemeron edges are not sorted and unique")
            if np.any(self.edge_kind[eph.edge] != EdgeKind.EPHEMERON):
                raise GraphError("an ephemeron half is not an EPHEMERON edge")
