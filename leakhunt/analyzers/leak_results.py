"""Frozen results of the leak analyses: traces, clusters, class growth, suspects."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ClassGrowth",
    "DiffReport",
    "LeakCluster",
    "LeakTrace",
    "Suspect",
    "SuspectReport",
    "TraceStep",
]


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One node of a retention trace, with the reference that leads to it."""

    node: int
    """Node ordinal (in the snapshot the trace was taken from)."""
    node_id: int
    """Engine id (V8 id or address)."""
    class_name: str
    """Class (constructor name, or ``Function <name>`` for closures)."""
    name: str
    """Node name (differs from the class for strings, closures, system objects)."""
    edge_kind: str
    """Kind of the reference into this node (``property``, ``element``, …); empty for the first."""
    edge_name: str
    """Name or index of that reference; the root label for the first step."""
    retained_size: int
    """Retained size of this node."""


@dataclass(frozen=True, slots=True)
class LeakTrace:
    """A retention path from a root to a leaked or suspect object."""

    root_kind: str
    """Why the first node is alive (``user``, ``strong global handle``, …)."""
    steps: tuple[TraceStep, ...]
    """From the rooted node to the object."""
    suspect_from: int
    """Index of the first step whose incoming reference is a suspect reference (fingerprinted)."""
    ids_are_addresses: bool = False
    """Whether the steps' node ids are memory addresses (shown in hex)."""


@dataclass(frozen=True, slots=True)
class LeakCluster:
    """Leaked objects that share one mechanism: the same retaining-path shape."""

    shape: tuple[str, ...]
    """The normalised path: root, then ``Class --edge-->`` per hop (indices and ids removed)."""
    fingerprint: str
    """Stable hash of the suspect references (see :mod:`leakhunt.analyzers.fingerprints`)."""
    class_name: str
    """Class of the leaked objects."""
    count: int
    """How many leaked objects follow this shape."""
    retained_size: int
    """Their retained sizes summed (in the snapshot the traces come from)."""
    node_ids: tuple[int, ...]
    """Engine ids of the leaked objects, largest retained size first."""
    trace: LeakTrace
    """The representative trace (the member with the largest retained size)."""


@dataclass(frozen=True, slots=True)
class ClassGrowth:
    """One class between the first and the last snapshot."""

    class_name: str
    """The class."""
    count_before: int
    """Objects in the first snapshot."""
    count_after: int
    """Objects in the last snapshot."""
    self_size_before: int
    """Their shallow sizes summed, first snapshot."""
    self_size_after: int
    """Same, last snapshot."""
    retained_before: int
    """DevTools class retained size, first snapshot."""
    retained_after: int
    """Same, last snapshot."""

    @property
    def count_delta(self) -> int:
        """Objects gained."""
        return self.count_after - self.count_before

    @property
    def self_size_delta(self) -> int:
        """Shallow bytes gained."""
        return self.self_size_after - self.self_size_before

    @property
    def retained_delta(self) -> int:
        """Retained bytes gained."""
        return self.retained_after - self.retained_before


@dataclass(frozen=True, slots=True)
class DiffReport:
    """What changed between two or three snapshots of one program."""

    sources: tuple[str, ...]
    """The snapshot paths: base, target and, for the three-snapshot method, final."""
    method: str
    """``three-snapshot`` (memlab's), ``allocated-between`` (two snapshots) or ``class-growth``."""
    identity: str
    """How objects were matched across snapshots, in words."""
    notes: tuple[str, ...]
    """Caveats a reader must know (moving collectors, id reuse seen, fallbacks taken)."""
    growth: tuple[ClassGrowth, ...]
    """Classes whose count or retained size grew, most retained growth first."""
    allocated_between: int
    """Objects present in target and absent from base (0 when identity is not available)."""
    id_reuse: int
    """Ids present in both with a different class (counted as new objects)."""
    leaked_objects: int
    """Objects that satisfy the method (allocated between, and alive in final when given)."""
    clusters: tuple[LeakCluster, ...]
    """Leak roots grouped by path shape, largest retained size first."""
    trace_source: str
    """Which snapshot the clusters' node ids and traces refer to."""


@dataclass(frozen=True, slots=True)
class Suspect:
    """One leak suspect in a single snapshot."""

    kind: str
    """``accumulation point``, ``group``, ``closure context`` or ``detached DOM``."""
    title: str
    """One line saying what is suspected."""
    retained_size: int
    """Bytes at stake."""
    holder_id: int
    """Engine id of the object where the memory piles up (or that keeps the leak)."""
    holder: str
    """Its class and name."""
    evidence: tuple[str, ...]
    """Why, in short sentences a reader can check."""
    heuristic: bool
    """Whether the verdict rests on a heuristic (the dump lacked the deciding facts)."""
    fingerprint: str
    """Stable hash of the suspect references."""
    trace: LeakTrace
    """Path from a root to the holder or the retained object."""
    count: int = 1
    """Instances involved (groups: members)."""
    location: tuple[str, int, int] | None = None
    """Script, zero-based line and column of the code involved (a closure), when known."""


@dataclass(frozen=True, slots=True)
class SuspectReport:
    """The leak suspects of one snapshot."""

    source: str
    """Snapshot path."""
    total_size: int
    """Total retained size of the heap (the root's)."""
    suspects: tuple[Suspect, ...]
    """Largest retained size first (ties by holder id)."""
    notes: tuple[str, ...]
    """Caveats (heuristics used, sections missing)."""
