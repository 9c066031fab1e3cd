"""``find_top_retainers``: the biggest retainers and a per-class table, from a dominator tree.

The class table follows Chrome DevTools' Summary view: per class, the number of nodes with a
non-zero (post-ownership) self size, their summed shallow size, and a retained size that counts
each instance only when no dominator-tree ancestor of the same class was already counted (so a
linked list of ``Item`` objects is not counted once per element). The smallest distance of the
class's instances is given as DevTools shows it. Unlike DevTools, classes are not split by
constructor source location and plain objects are not renamed after their properties.

Examples
--------
>>> from leakhunt.graph import GraphBuilder, NodeKind, EdgeKind, RootKind, SourceInfo
>>> from leakhunt.analyzers.dominators import compute_dominators
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=10)
>>> head = b.add_node(NodeKind.OBJECT, "Item", node_id=3, self_size=20)
>>> tail = b.add_node(NodeKind.OBJECT, "Item", node_id=5, self_size=20)
>>> _ = b.add_root(glob, RootKind.USER, "global", edge_kind=EdgeKind.SHORTCUT)
>>> _ = b.add_edge(glob, head, EdgeKind.PROPERTY, "list")
>>> _ = b.add_edge(head, tail, EdgeKind.PROPERTY, "next")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> report = find_top_retainers(g, compute_dominators(g), top=2)
>>> [(g.node_label(r.node), r.retained_size) for r in report.retainers]
[('global', 50), ('Item', 40)]
>>> [(c.class_name, c.count, c.self_size, c.retained_size) for c in report.classes]
[('global', 1, 10, 50), ('Item', 2, 40, 40)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import first_of_class_on_path
from leakhunt.analyzers.dominator_results import DominatorTree, Semantics
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import NodeKind

__all__ = [
    "ClassColumns",
    "ClassRetained",
    "Retainer",
    "TopReport",
    "class_table",
    "compute_class_columns",
    "find_top_retainers",
]


@dataclass(frozen=True, slots=True)
class Retainer:
    """One node of the dominator tree and what it retains."""

    node: int
    """Node ordinal."""
    retained_size: int
    """Bytes that would be freed with it."""
    self_size: int
    """Its own (post-ownership) size."""
    dominator: int
    """Ordinal of its immediate dominator."""
    dominated_count: int
    """Number of nodes it immediately dominates."""


@dataclass(frozen=True, slots=True)
class ClassRetained:
    """One row of the class table."""

    class_name: str
    """The class."""
    count: int
    """Instances with a non-zero self size."""
    self_size: int
    """Their summed shallow size."""
    retained_size: int
    """Retained size of the instances not dominated by another counted instance of the class."""
    min_distance: int
    """The smallest DevTools distance among the instances."""


@dataclass(frozen=True, slots=True)
class TopReport:
    """The biggest retainers and the class table of one graph."""

    semantics: Semantics
    """Which rule set produced the retained sizes."""
    total_size: int
    """The root's retained size: every byte once."""
    retainers: tuple[Retainer, ...]
    """The largest retainers, biggest first (the root and synthetic nodes left out)."""
    classes: tuple[ClassRetained, ...]
    """Classes by retained size, biggest first."""
    class_count: int
    """Classes before the top-N cut."""
    unreachable_count: int
    """Nodes the dominator DFS did not reach from the root (attached to the root)."""
    problems: tuple[str, ...]
    """The dominator analysis' reports."""
    ownership_applied: bool = False
    """Whether DevTools' shallow-size ownership step ran (see :class:`DominatorTree`)."""


@dataclass(frozen=True, slots=True, eq=False)
class ClassColumns:
    """The class table as columns, one entry per class, largest retained size first."""

    class_name: npt.NDArray[np.uint32]
    """String index of each class."""
    count: npt.NDArray[np.int64]
    """Instances with a non-zero self size."""
    self_size: npt.NDArray[np.int64]
    """Their summed shallow size."""
    retained_size: npt.NDArray[np.int64]
    """Retained size of the instances not dominated by a counted instance of the class."""
    min_distance: npt.NDArray[np.int64]
    """Smallest DevTools distance among the instances."""


def compute_class_columns(graph: RetentionGraph, tree: DominatorTree) -> ClassColumns:
    """The class table of ``graph`` under ``tree``'s semantics, as columns."""
    sizes = tree.self_size_used
    counted_class = first_of_class_on_path(tree.idom, graph.node_class, sizes)
    present = np.flatnonzero(sizes != 0)
    classes = graph.node_class[present]
    slots = len(graph.strings)
    counts = np.bincount(classes, minlength=slots)
    shallow = np.bincount(classes, weights=sizes[present], minlength=slots)
    counted = present[counted_class[present]]
    retained = np.bincount(
        graph.node_class[counted], weights=tree.retained_size[counted], minlength=slots
    )
    min_distance = np.full(slots, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(min_distance, classes, tree.distance[present].astype(np.int64))
    keys = np.flatnonzero(counts)
    order = np.lexsort((keys, -retained[keys]))
    keys = keys[order]
    return ClassColumns(
        class_name=keys.astype(np.uint32),
        count=counts[keys].astype(np.int64),
        self_size=shallow[keys].astype(np.int64),
        retained_size=retained[keys].astype(np.int64),
        min_distance=min_distance[keys],
    )


def class_table(
    graph: RetentionGraph, tree: DominatorTree, columns: ClassColumns | None = None
) -> tuple[ClassRetained, ...]:
    """Every class's count, shallow and retained size, largest retained size first."""
    columns = columns if columns is not None else compute_class_columns(graph, tree)
    return tuple(
        ClassRetained(
            class_name=graph.strings[key],
            count=count,
            self_size=shallow,
            retained_size=retained,
            min_distance=distance,
        )
        for key, count, shallow, retained, distance in zip(
            columns.class_name.tolist(),
            columns.count.tolist(),
            columns.self_size.tolist(),
            columns.retained_size.tolist(),
            columns.min_distance.tolist(),
            strict=True,
        )
    )


def _largest(graph: RetentionGraph, tree: DominatorTree, top: int) -> npt.NDArray[np.int64]:
    candidates = np.flatnonzero(graph.node_kind != NodeKind.SYNTHETIC)
    candidates = candidates[candidates != 0]
    if top <= 0:
        return np.zeros(0, dtype=np.int64)
    if top >= candidates.size:
        chosen = candidates
    else:
        sizes = tree.retained_size[candidates]
        chosen = candidates[np.argpartition(-sizes, top - 1)[:top]]
    order = np.lexsort((graph.node_id[chosen], -tree.retained_size[chosen]))
    result: npt.NDArray[np.int64] = chosen[order].astype(np.int64)
    return result


def find_top_retainers(
    graph: RetentionGraph,
    tree: DominatorTree,
    *,
    top: int = 20,
    class_top: int = 20,
    class_columns: ClassColumns | None = None,
) -> TopReport:
    """The ``top`` largest retainers and the ``class_top`` largest classes of ``graph``.

    ``class_columns`` may come from a cache (:func:`compute_class_columns` otherwise).
    """
    chosen = _largest(graph, tree, top)
    retainers = tuple(
        Retainer(
            node=int(v),
            retained_size=int(tree.retained_size[v]),
            self_size=int(tree.self_size_used[v]),
            dominator=int(tree.idom[v]),
            dominated_count=int(np.count_nonzero(tree.idom == v)) - (1 if v == 0 else 0),
        )
        for v in chosen.tolist()
    )
    columns = class_columns if class_columns is not None else compute_class_columns(graph, tree)
    classes = class_table(
        graph,
        tree,
        ClassColumns(
            columns.class_name[:class_top],
            columns.count[:class_top],
            columns.self_size[:class_top],
            columns.retained_size[:class_top],
            columns.min_distance[:class_top],
        ),
    )
    return TopReport(
        semantics=tree.semantics,
        total_size=tree.total_size,
        retainers=retainers,
        classes=classes,
        class_count=int(columns.class_name.size),
        unreachable_count=int(tree.unreachable_nodes.size),
        problems=tree.problems,
        ownership_applied=tree.ownership_applied,
    )
