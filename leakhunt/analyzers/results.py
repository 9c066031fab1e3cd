"""Frozen result types returned by analyzers. Renderers read them; nothing mutates them."""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.graph.kinds import RootKind

__all__ = [
    "ClassStat",
    "ContextStat",
    "ExternalHolderStat",
    "PathReport",
    "RetentionPath",
    "RootStat",
    "Summary",
    "TypeStat",
]


@dataclass(frozen=True, slots=True)
class RetentionPath:
    """One chain of strong references from a root edge to a target."""

    target: int
    """Ordinal of the retained node (the last of :attr:`nodes`)."""
    root_kind: RootKind
    """Why the first node is a root."""
    root_label: str
    """The engine's name for the root or its category."""
    root_edge: int
    """Ordinal of the root edge that holds :attr:`nodes` [0]."""
    nodes: tuple[int, ...]
    """Node ordinals from the rooted node to the target."""
    edges: tuple[int, ...]
    """Edge ordinals; ``edges[i]`` leads from ``nodes[i]`` to ``nodes[i + 1]``."""

    @property
    def length(self) -> int:
        """Number of references followed after the root edge."""
        return len(self.edges)


@dataclass(frozen=True, slots=True)
class PathReport:
    """Answers for a set of targets, all from one traversal."""

    targets: tuple[int, ...]
    """The selected node ordinals, ascending."""
    paths: tuple[RetentionPath, ...]
    """Paths, grouped by target in target order, preferred path first."""
    unreachable: tuple[int, ...]
    """Targets no strong path reaches (garbage, or held only weakly)."""
    include_weak: bool
    """Whether weak edges and roots were followed."""
    transient_only: tuple[int, ...]
    """Reachable targets whose only paths start at roots of unknown lifetime (stack, handle
    scopes, scoped roots): neither proven leaked nor proven temporary."""


@dataclass(frozen=True, slots=True)
class TypeStat:
    """Count and size of one engine node type."""

    type_name: str
    """The engine's type word."""
    count: int
    """Number of nodes."""
    self_size: int
    """Sum of their self sizes."""


@dataclass(frozen=True, slots=True)
class ClassStat:
    """Count and size of one class."""

    class_name: str
    """Class (constructor name, or a ``(group)``)."""
    count: int
    """Number of nodes."""
    self_size: int
    """Sum of their self sizes."""


@dataclass(frozen=True, slots=True)
class RootStat:
    """Root edges of one kind and label."""

    kind: RootKind
    """Root kind."""
    label: str
    """Engine category or root name."""
    count: int
    """Number of root edges."""


@dataclass(frozen=True, slots=True)
class ContextStat:
    """One engine context."""

    name: str
    """Display name."""
    kind: str
    """``context``, ``realm`` or ``compartment``."""
    node_id: int | None
    """Engine id of the node representing it, if any."""
    global_id: int | None
    """Engine id of its global object, if known."""
    attributed_nodes: int
    """Nodes the importer attributed to it."""
    attributed_self_size: int
    """Their self sizes summed."""


@dataclass(frozen=True, slots=True)
class ExternalHolderStat:
    """A node kept alive by references the dump cannot show (refcount above known references)."""

    node_id: int
    """Engine id (address) of the held node."""
    class_name: str
    """Its class."""
    name: str
    """Its name or description."""
    unknown_references: int
    """References from outside the graph."""
    owner_ids: tuple[int, ...]
    """Engine ids of the nodes that do show a reference to it."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What a heap holds, at a glance."""

    source_path: str
    """File the graph came from."""
    format: str
    """Importer name."""
    engine: str
    """Engine family."""
    details: tuple[tuple[str, str], ...]
    """Importer-specific facts."""
    nodes: int
    """Node count (including the synthetic super root)."""
    edges: int
    """Edge count."""
    total_self_size: int
    """Sum of self sizes."""
    weak_edges: int
    """Edges that do not retain."""
    ephemeron_entries: int
    """Weak-map entries."""
    types: tuple[TypeStat, ...]
    """Per engine type, largest self size first."""
    classes: tuple[ClassStat, ...]
    """Top classes by self size."""
    class_count: int
    """Number of distinct classes (before the top-N cut)."""
    roots: tuple[RootStat, ...]
    """Root edges grouped by kind and label."""
    contexts: tuple[ContextStat, ...]
    """Contexts in table order."""
    problems: tuple[str, ...]
    """Importer warnings."""
    external_holders: tuple[ExternalHolderStat, ...] = ()
    """The nodes held from outside the graph, most unknown references first (capped)."""
    external_holder_count: int = 0
    """How many there are in all."""
