"""What reading a root dump gives: natives, nodes, edges and roots in the dump's own vocabulary
(native ids, snapshot node ids, edge kind words), with the process tree; frozen.

Examples
--------
>>> member_pointer("/natives", 3, "id"), member_pointer("/native_columns", 3, "id")
('/natives/3/id', '/native_columns/id/3')
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leakhunt.graph.processes import ProcessTree

__all__ = ["DumpEdges", "DumpNatives", "DumpNodes", "DumpRoot", "RootDump", "member_pointer"]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class DumpNatives:
    """Native objects, in file order (after dropping duplicates under ``lenient``)."""

    ids: tuple[str, ...]
    classes: tuple[str, ...]
    names: tuple[str, ...]
    """The ``name`` member, or the id when absent."""
    sizes: I64
    isolates: tuple[str | None, ...]
    contexts: tuple[str | None, ...]
    addresses: tuple[str | None, ...]
    records: tuple[int, ...]
    """Index of each native in the file's ``natives`` array (or row of ``native_columns``)."""
    pointer_base: str = "/natives"
    """``/natives`` (records) or ``/native_columns`` (columns)."""

    def __len__(self) -> int:
        return len(self.ids)

    def pointer(self, index: int, member: str) -> str:
        """JSON pointer of one member (``id``, ``isolate``, ``context``) of native ``index``."""
        return member_pointer(self.pointer_base, self.records[index], member)


def member_pointer(base: str, record: int, member: str) -> str:
    """JSON pointer of one member of record ``record`` of a record array (``/natives``) or of
    row ``record`` of a columnar form (``/native_columns``)."""
    if base.endswith("_columns"):
        return f"{base}/{member}/{record}"
    return f"{base}/{record}/{member}"


@dataclass(frozen=True, slots=True)
class DumpNodes:
    """Standalone JS nodes, in file order."""

    ids: I64
    classes: tuple[str, ...]
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    sizes: I64
    contexts: tuple[str | None, ...]
    isolates: tuple[str | None, ...]
    addresses: I64 | None = None
    """Each node's ``address`` as an integer, -1 where absent; None when no node has one."""

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, slots=True)
class DumpEdges:
    """Edges as columns. A reference is (is_native, value): a native index or a JS node id."""

    kind: U8
    """Code of the edge kind (index into :data:`~.schema.EDGE_KINDS`)."""
    from_native: BoolArray
    from_value: I64
    to_native: BoolArray
    to_value: I64
    has_key: BoolArray
    key_native: BoolArray
    key_value: I64
    name_code: npt.NDArray[np.int32]
    """Index of each edge's ``name`` into :attr:`name_values`."""
    name_values: tuple[str | int | None, ...]
    """The distinct names (None: no name given)."""
    isolate_code: npt.NDArray[np.int32]
    """Index of each edge's ``isolate`` into :attr:`isolate_values` (0: none given)."""
    isolate_values: tuple[str | None, ...]
    records: I64
    """Index of each edge in the file's ``edges`` array (or row of ``edge_columns``)."""
    pointer_base: str = "/edges"
    """``/edges`` (records) or ``/edge_columns`` (columns)."""

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def pointer(self, row: int, member: str) -> str:
        """JSON pointer of one member (``from``, ``to``, ``key``, ``isolate``) of edge ``row``."""
        record = int(self.records[row])
        if self.pointer_base == "/edge_columns":
            return f"/edge_columns/{member}/{record}"
        return f"/edges/{record}/{member}"

    def name(self, row: int) -> str | int | None:
        """The name of edge ``row``."""
        return self.name_values[int(self.name_code[row])]

    def isolate(self, row: int) -> str | None:
        """The ``isolate`` of edge ``row``."""
        return self.isolate_values[int(self.isolate_code[row])]


@dataclass(frozen=True, slots=True)
class DumpRoot:
    """One root record."""

    kind: str
    to_native: bool
    to_value: int
    name: str
    unseen_references: int
    record: int


@dataclass(frozen=True, slots=True)
class RootDump:
    """A validated root dump."""

    path: str
    graph: str
    """``"overlay"``, ``"standalone"`` or ``"manifest"``."""
    producer: tuple[tuple[str, str], ...]
    processes: ProcessTree
    natives: DumpNatives
    nodes: DumpNodes
    edges: DumpEdges
    roots: tuple[DumpRoot, ...]
    warnings: tuple[str, ...] = field(default=())
    """Problems dropped under ``lenient``, each ``"FILE: /POINTER: PROBLEM (record dropped)"``."""

    def isolate_of_native(self, index: int) -> str | None:
        """The isolate a native belongs to (its own, or the dump's only isolate)."""
        own = self.natives.isolates[index]
        return own if own is not None else self.only_isolate()

    def only_isolate(self) -> str | None:
        """The id of the dump's single isolate, or None when it describes zero or several."""
        isolates = self.processes.isolates()
        return isolates[0].id if len(isolates) == 1 else None
