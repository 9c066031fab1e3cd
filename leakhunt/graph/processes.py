"""What an embedder says about a process: isolate groups, isolates and their contexts.

Heap dumps describe one heap; an embedder knows how heaps are arranged. A process has isolate
groups (each one pointer-compression cage), a group has isolates (V8 isolates, QuickJS runtimes),
an isolate has contexts with the limits the embedder enforces. Importers of root dumps fill these
records; the isolate-group roll-up reads them. Sizes are bytes; ``None`` means "not given".

Examples
--------
>>> ctx = ContextFacts("c1", "tenant-a", "live", memory_limit=1 << 20, memory_used=4096)
>>> iso = IsolateFacts("rt", contexts=(ctx,), heap_statistics=(("malloc_size", 65536),))
>>> iso.heap_size
65536
>>> ProcessTree((ProcessFacts(groups=(GroupFacts("default", isolates=(iso,)),)),)).isolate("rt").id
'rt'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ContextFacts", "GroupFacts", "IsolateFacts", "ProcessFacts", "ProcessTree"]

_HEAP_SIZE_COUNTERS = ("total_heap_size", "used_heap_size", "malloc_size")
"""Counters that give an isolate's heap size, in order of preference."""


@dataclass(frozen=True, slots=True)
class ContextFacts:
    """One context (V8 Context, QuickJS JSContext, realm) as the embedder describes it."""

    id: str
    """Unique within its isolate."""
    name: str
    """For people; empty when not given."""
    state: str
    """``"live"`` or ``"disposed"`` (the embedder let go of it)."""
    memory_limit: int | None = None
    """Bytes the embedder lets it allocate; None when unlimited or not given."""
    memory_used: int | None = None
    """Bytes the embedder counted for it."""
    node_id: int | None = None
    """Heap node id of the context itself."""
    global_node_id: int | None = None
    """Heap node id of its global object."""


@dataclass(frozen=True, slots=True)
class IsolateFacts:
    """One isolate (or runtime) and its heap statistics."""

    id: str
    """Unique within the dump."""
    name: str = ""
    """For people."""
    thread: str = ""
    """Thread id as text, when given."""
    snapshot: str | None = None
    """Path of its heap snapshot, relative to the dump that names it."""
    dump: str | None = None
    """Path of its root dump (manifests), relative to the manifest."""
    heap_statistics: tuple[tuple[str, int], ...] = ()
    """Counters as the embedder read them, in file order."""
    contexts: tuple[ContextFacts, ...] = ()
    """Its contexts."""

    def statistic(self, name: str) -> int | None:
        """One counter, or None."""
        for key, value in self.heap_statistics:
            if key == name:
                return value
        return None

    @property
    def heap_size(self) -> int | None:
        """Committed heap bytes: ``total_heap_size``, else ``used_heap_size``, else QuickJS
        ``malloc_size``; None when the embedder gave none of them."""
        for name in _HEAP_SIZE_COUNTERS:
            value = self.statistic(name)
            if value is not None:
                return value
        return None


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """An isolate group: the isolates sharing one pointer cage."""

    id: str
    """Unique within the dump (``"default"`` for V8's implicit group)."""
    name: str = ""
    """For people."""
    pointer_cage_size: int | None = None
    """Bytes the cage holds; None when there is no cage."""
    sandbox_size: int | None = None
    """Bytes reserved for the group's sandbox, if any."""
    isolates: tuple[IsolateFacts, ...] = ()
    """Its isolates."""


@dataclass(frozen=True, slots=True)
class ProcessFacts:
    """One operating-system process."""

    pid: int | None = None
    """Process id, when given."""
    name: str = ""
    """Program name."""
    groups: tuple[GroupFacts, ...] = ()
    """Its isolate groups."""


@dataclass(frozen=True, slots=True)
class ProcessTree:
    """Every process a dump describes."""

    processes: tuple[ProcessFacts, ...] = ()
    """In file order."""

    def isolates(self) -> tuple[IsolateFacts, ...]:
        """Every isolate, in file order."""
        return tuple(i for p in self.processes for g in p.groups for i in g.isolates)

    def isolate(self, isolate_id: str) -> IsolateFacts | None:
        """The isolate with this id, or None."""
        for candidate in self.isolates():
            if candidate.id == isolate_id:
                return candidate
        return None
