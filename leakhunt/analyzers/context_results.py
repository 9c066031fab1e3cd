"""What :mod:`.contexts` computes: one row per context, the three buckets of the live heap, and
the arrays behind them that zombies and retained-via reuse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.context_cuts import ContextCuts
from leakhunt.analyzers.liveness import RootReach
from leakhunt.graph.kinds import RootKind

__all__ = ["ContextAnalysis", "ContextBuckets", "ContextReport", "ContextRow"]


@dataclass(frozen=True, slots=True)
class ContextRow:
    """One context's accounting."""

    context: int
    """Index into the graph's context table."""
    name: str
    """Unique, self-explaining name."""
    kind: str
    """Engine-neutral kind (``context``, ``realm``, ``compartment``)."""
    role: str
    """``main``, ``window``, ``iframe``, ``extension``, ``worker``, ``vm``, ``realm`` or ``unknown``."""
    node: int
    """The context's own node, or -1."""
    global_node: int
    """Its global (proxy) node, or -1."""
    objects: int
    """Nodes attributed to it."""
    self_size: int
    """Their self sizes."""
    retained_size: int
    """Bytes freed if every retaining edge entering it from outside were cut (the context as
    one object, every other context as it is)."""
    retained_objects: int
    """Nodes freed likewise."""
    reachable: bool
    """Whether its node (or global) is reached from a root over retaining edges."""
    front_door_held: bool
    """Whether a holder alive without it holds its front door (see the module docstring)."""
    front_door_holders: tuple[int, ...]
    """Edges that hold a front door from outside (most telling first, at most 8)."""
    back_door_edges: int
    """Retaining edges entering it elsewhere than its front door, or through a wrapper."""
    root_kinds: tuple[RootKind, ...]
    """Root kinds whose roots reach its outside holders."""
    entering: tuple[tuple[str, int], ...]
    """Retaining edges entering it, counted per source (a context name, roots, unattributed)."""
    state: str
    """``live``, ``disposed``, ``attached``, ``detached`` or ``unknown`` as the dump states it."""
    state_note: str
    """The raw fact behind :attr:`state`, in words."""
    memory_limit: int | None
    """Bytes the embedder lets it allocate, when a dump says."""
    memory_used: int | None
    """Bytes the embedder counted for it, when a dump says."""

    @property
    def usage(self) -> int:
        """What counts against the limit: the embedder's own count when the dump gives one, else
        the self size leakhunt attributes to the context (QuickJS cannot count per context)."""
        return self.memory_used if self.memory_used is not None else self.self_size

    @property
    def over_limit(self) -> bool:
        """Whether :attr:`usage` exceeds the embedder's limit."""
        return self.memory_limit is not None and self.usage > self.memory_limit


@dataclass(frozen=True, slots=True)
class ContextBuckets:
    """The live heap split three ways (bytes and nodes)."""

    attributed_size: int
    """In a context, or freed by cutting one context."""
    attributed_objects: int
    """Nodes of :attr:`attributed_size`."""
    shared_size: int
    """Reached from contexts but freed by no single context's cut."""
    shared_objects: int
    """Nodes of :attr:`shared_size`."""
    unattributed_size: int
    """Reached from no context."""
    unattributed_objects: int
    """Nodes of :attr:`unattributed_size`."""


@dataclass(frozen=True, slots=True)
class ContextReport:
    """Per-context accounting of one graph."""

    rows: tuple[ContextRow, ...]
    """One row per context, in context-table order."""
    buckets: ContextBuckets
    """Attributed, shared and unattributed memory."""


@dataclass(frozen=True, slots=True)
class ContextAnalysis:
    """The arrays behind a :class:`ContextReport`, reused by zombies and retained-via."""

    live: npt.NDArray[np.bool_]
    """Retaining edges."""
    reach: RootReach
    """What the roots reach."""
    cuts: ContextCuts
    """The exact per-context cuts."""
    held: npt.NDArray[np.bool_]
    """Per context: whether its front door is held from outside."""
    holder_first: npt.NDArray[np.int64]
    """CSR offsets (length ``k + 1``) into :attr:`holder_edges` per context."""
    holder_edges: npt.NDArray[np.int64]
    """Front-door holding edges, most telling first within each context."""
    buckets: ContextBuckets
    """Attributed, shared and unattributed memory."""
    root_kind_mask: npt.NDArray[np.int64]
    """Per context: bit ``1 << kind`` set for each root kind reaching its outside holders."""
    back_edges: npt.NDArray[np.int64]
    """Per context: retaining edges entering it elsewhere than its front door."""
    entering_target: npt.NDArray[np.int32]
    """Entering-edge counts as rows: the context entered …"""
    entering_source: npt.NDArray[np.int32]
    """… the source context (-1 unattributed, -2 roots) …"""
    entering_count: npt.NDArray[np.int64]
    """… and how many retaining edges."""

    def holders_of(self, context: int) -> tuple[int, ...]:
        """The edges holding ``context``'s front door from outside."""
        lo, hi = int(self.holder_first[context]), int(self.holder_first[context + 1])
        return tuple(int(e) for e in self.holder_edges[lo:hi])
