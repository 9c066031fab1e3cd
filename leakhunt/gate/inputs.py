"""What checks read: snapshots and their analyses, each computed at most once per run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leakhunt.analyzers.contexts import ContextAnalysis, analyze_contexts
from leakhunt.analyzers.diff import SnapshotIdentity, diff_snapshots, snapshot_identity
from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.leak_results import DiffReport, SuspectReport
from leakhunt.analyzers.paths import RootDistances, compute_root_distances
from leakhunt.analyzers.suspects import SUSPECT_KINDS, SuspectOptions, find_suspects
from leakhunt.analyzers.top import ClassColumns, compute_class_columns
from leakhunt.graph.core import RetentionGraph

__all__ = ["DiffInputs", "Earlier", "SnapshotInputs", "earlier_identity"]


class SnapshotInputs:
    """One snapshot with lazily computed, memoised analyses.

    ``tree_provider``, ``distances_provider``, ``classes_provider`` and ``contexts_provider``
    let the caller plug in cached results.
    """

    def __init__(
        self,
        graph: RetentionGraph,
        tree_provider: Callable[[], DominatorTree] | None = None,
        distances_provider: Callable[[], RootDistances] | None = None,
        classes_provider: Callable[[DominatorTree], ClassColumns] | None = None,
        suspect_kinds: tuple[str, ...] = SUSPECT_KINDS,
        contexts_provider: Callable[[], ContextAnalysis] | None = None,
    ) -> None:
        self.graph = graph
        self.path = graph.source.path
        self._tree_provider = tree_provider or (lambda: compute_dominators(graph))
        self._distances_provider = distances_provider or (lambda: compute_root_distances(graph))
        self._classes_provider = classes_provider or (
            lambda tree: compute_class_columns(graph, tree)
        )
        self._contexts_provider = contexts_provider or (lambda: analyze_contexts(graph))
        self.suspect_kinds = suspect_kinds
        self._contexts: ContextAnalysis | None = None
        self._classes: ClassColumns | None = None
        self._tree: DominatorTree | None = None
        self._distances: RootDistances | None = None
        self._suspects: SuspectReport | None = None

    def tree(self) -> DominatorTree:
        """DevTools dominator tree."""
        if self._tree is None:
            self._tree = self._tree_provider()
        return self._tree

    def distances(self) -> RootDistances:
        """Root BFS."""
        if self._distances is None:
            self._distances = self._distances_provider()
        return self._distances

    def contexts(self) -> ContextAnalysis:
        """The context analysis (root reach, gateway dominators, front doors, buckets)."""
        if self._contexts is None:
            self._contexts = self._contexts_provider()
        return self._contexts

    def classes(self) -> ClassColumns:
        """The class table (count, shallow and retained size per class)."""
        if self._classes is None:
            self._classes = self._classes_provider(self.tree())
        return self._classes

    def suspects(self) -> SuspectReport:
        """Leak suspects of :attr:`suspect_kinds` (checks filter by kind and size)."""
        if self._suspects is None:
            options = SuspectOptions(
                min_retained=0, context_min_retained=0, kinds=self.suspect_kinds
            )
            self._suspects = find_suspects(
                self.graph, self.tree(), options, distances=self.distances()
            )
        return self._suspects


Earlier = SnapshotInputs | SnapshotIdentity
"""A snapshot before the last one: full inputs, or just its identity (its graph already freed)."""


def earlier_identity(snapshot: Earlier, *, with_classes: bool) -> SnapshotIdentity:
    """The identity a diff needs from an earlier snapshot (BASE needs its class table)."""
    if isinstance(snapshot, SnapshotIdentity):
        return snapshot
    return snapshot_identity(snapshot.graph, snapshot.classes() if with_classes else None)


@dataclass(slots=True)
class DiffInputs:
    """The snapshot sequence, with the diff computed once."""

    earlier: tuple[Earlier, ...]
    """Base (and target, when a final follows)."""
    last: SnapshotInputs
    """The last snapshot: target or final; traces are taken in it."""
    _report: DiffReport | None = None

    @property
    def subject(self) -> str:
        """``base → target → final``."""
        return " → ".join([*(s.path for s in self.earlier), self.last.path])

    def report(self) -> DiffReport:
        """The diff of the sequence."""
        if self._report is None:
            base = earlier_identity(self.earlier[0], with_classes=True)
            middle = [earlier_identity(s, with_classes=False) for s in self.earlier[1:]]
            last = self.last
            tree, distances, classes = last.tree(), last.distances(), last.classes()
            if middle:
                self._report = diff_snapshots(
                    base,
                    middle[0],
                    last.graph,
                    last_tree=tree,
                    last_distances=distances,
                    last_classes=classes,
                )
            else:
                self._report = diff_snapshots(
                    base, last.graph, last_tree=tree, last_distances=distances, last_classes=classes
                )
        return self._report
