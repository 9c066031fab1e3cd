"""Comparing snapshots: class growth, objects allocated between snapshots, memlab's leak method.

* **Class growth** (any engine): per class, count, shallow size and DevTools class retained size
  in the first and the last snapshot.
* **Allocated between** (V8): objects of TARGET whose id BASE does not have. V8 keeps an object's
  id for its lifetime; an id seen in both with a *different class* is a new object that reused
  the id (or address) and counts as new.
* **Three-snapshot method** (memlab's ``find-leaks``): objects allocated between BASE and TARGET
  that are still alive in FINAL (matched by id and class). Objects freed before FINAL are
  transient and never reported.

Leaked objects are reduced to *leak roots* (application-level leaked objects not owned, in the
dominator tree, by another leaked application-level object: a leaked ``Session`` is reported,
its payload array is not) and clustered by the shape of their retaining path
(:func:`~leakhunt.analyzers.traces.path_shape`), one cluster per mechanism, each with a
representative trace carrying the retained size of every hop. All targets share one BFS.

SpiderMonkey and Gecko dumps identify cells by address. Addresses are compared only between
dumps of one log file (one process); even then the collector moves cells (nursery promotion,
compaction), so a match is not proof of identity and the result says so. Dumps from different
files fall back to class growth.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> def heap(items):
...     b = GraphBuilder()
...     glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
...     _ = b.add_root(glob, RootKind.USER, "global")
...     for node_id in items:
...         item = b.add_node(NodeKind.OBJECT, "Item", node_id=node_id, self_size=16)
...         _ = b.add_edge(glob, item, EdgeKind.PROPERTY, f"item{node_id}")
...     return b.freeze(SourceInfo("inline", "test", "V8"))
>>> report = diff_snapshots(heap([3]), heap([3, 5, 7]), heap([3, 5]))
>>> report.method, report.allocated_between, report.leaked_objects
('three-snapshot', 2, 1)
>>> [(c.class_name, c.count, c.node_ids) for c in report.clusters]
[('Item', 1, (5,))]
>>> [(g.class_name, g.count_delta) for g in report.growth]
[('Item', 1)]

References
----------
memlab, ``find-leaks`` (baseline / target / final snapshots), https://facebook.github.io/memlab/
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.leak_results import ClassGrowth, DiffReport, LeakCluster
from leakhunt.analyzers.paths import RootDistances, find_retaining_paths
from leakhunt.analyzers.top import ClassColumns, compute_class_columns
from leakhunt.analyzers.traces import application_mask, make_trace, path_shape, trace_fingerprint
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import NodeKind
from leakhunt.graph.node_classes import NodeClasses

__all__ = [
    "SnapshotIdentity",
    "class_rows",
    "compute_class_growth",
    "diff_snapshots",
    "find_leak_roots",
    "match_new_objects",
    "snapshot_identity",
]

RULE = "diff cluster"
"""Rule name of diff clusters (part of their fingerprints)."""

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class SnapshotIdentity:
    """What a diff needs from a snapshot it does not trace in: ids, classes, class table.

    Holding this instead of the graph lets a caller read snapshots one at a time (the graph
    of BASE can be freed before TARGET is read).
    """

    path: str
    """The snapshot file."""
    engine: str
    """Engine family (identity rules differ)."""
    node_id: npt.NDArray[np.int64]
    """Engine id (or address) of every node."""
    node_class: npt.NDArray[np.int64]
    """Index into :attr:`class_names` of every node; -1 for nodes that are never new."""
    class_names: tuple[str, ...]
    """The class names used."""
    class_rows: tuple[tuple[str, int, int, int], ...] | None = None
    """(class, count, shallow size, retained size) rows, when the class table was computed."""
    process: str | None = None
    """The process whose addresses :attr:`node_id` holds, when the dump names it (root dumps of
    a non-moving heap such as QuickJS); two dumps of one process compare by address."""


def snapshot_identity(
    graph: RetentionGraph | NodeClasses | SnapshotIdentity, classes: ClassColumns | None = None
) -> SnapshotIdentity:
    """The :class:`SnapshotIdentity` of ``graph`` (with its class table when given).

    ``graph`` may be the :class:`~leakhunt.graph.node_classes.NodeClasses` of a snapshot (read
    without its edges): the identity is the same as the full graph's.
    """
    if isinstance(graph, SnapshotIdentity):
        return graph
    used = np.unique(graph.node_class)  # hashed, no sort of the whole column
    lookup = np.full(len(graph.strings), -1, dtype=np.int64)
    lookup[used] = np.arange(used.size, dtype=np.int64)
    codes: npt.NDArray[np.int64] = lookup[graph.node_class]
    codes[graph.node_kind == NodeKind.SYNTHETIC] = -1
    codes[graph.root_node] = -1
    rows = None
    if classes is not None:
        rows = tuple(
            (graph.strings[name], count, size, retained)
            for name, count, size, retained in zip(
                classes.class_name.tolist(),
                classes.count.tolist(),
                classes.self_size.tolist(),
                classes.retained_size.tolist(),
                strict=True,
            )
        )
    return SnapshotIdentity(
        path=graph.source.path,
        engine=graph.source.engine,
        node_id=graph.node_id,
        node_class=codes,
        class_names=tuple(graph.strings[int(u)] for u in used.tolist()),
        class_rows=rows,
        process=dict(graph.source.details).get("process"),
    )


def _codes(identity: SnapshotIdentity, codebook: dict[str, int]) -> npt.NDArray[np.int64]:
    """Class codes equal across snapshots for equal class names (-1 stays -1)."""
    lookup = np.array(
        [codebook.setdefault(name, len(codebook)) for name in identity.class_names] + [-1],
        dtype=np.int64,
    )
    codes: npt.NDArray[np.int64] = lookup[identity.node_class]  # -1 picks the trailing -1
    return codes


def _match(
    before: SnapshotIdentity, after: SnapshotIdentity
) -> tuple[npt.NDArray[np.int64], BoolArray, BoolArray]:
    """For every node of ``after``: its ordinal in ``before`` (or -1), id found, class equal."""
    codebook: dict[str, int] = {}
    before_codes = _codes(before, codebook)
    after_codes = _codes(after, codebook)
    ids = before.node_id
    if ids.size < 2 or bool(np.all(ids[1:] > ids[:-1])):
        order = np.arange(ids.size, dtype=np.int64)  # already ascending: skip the sort
    else:
        order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    position = np.searchsorted(sorted_ids, after.node_id)
    clipped = np.minimum(position, max(sorted_ids.size - 1, 0))
    found = (
        (position < sorted_ids.size) & (sorted_ids[clipped] == after.node_id)
        if sorted_ids.size
        else np.zeros(after.node_id.size, np.bool_)
    )
    ordinal = np.where(found, order[clipped] if sorted_ids.size else -1, -1).astype(np.int64)
    same_class = found & (before_codes[np.maximum(ordinal, 0)] == after_codes)
    return ordinal, found, same_class


def match_new_objects(
    before: RetentionGraph | SnapshotIdentity, after: RetentionGraph | SnapshotIdentity
) -> tuple[BoolArray, int]:
    """Nodes of ``after`` that ``before`` did not have, and how many ids were reused.

    A node is new when its id is absent from ``before`` or present with another class (the id
    or address was reused by a new object). Synthetic nodes are never new.

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import NodeKind
    >>> def heap(pairs):
    ...     b = GraphBuilder()
    ...     for node_id, cls in pairs:
    ...         _ = b.add_node(NodeKind.OBJECT, cls, node_id=node_id)
    ...     return b.freeze(SourceInfo("inline", "test", "V8"))
    >>> new, reused = match_new_objects(heap([(3, "A"), (5, "B")]), heap([(3, "A"), (5, "C"), (7, "D")]))
    >>> new.tolist(), reused
    ([False, False, True, True], 1)
    """
    later = snapshot_identity(after)
    _, found, same_class = _match(snapshot_identity(before), later)
    new = ~same_class & (later.node_class >= 0)
    return new, int(np.count_nonzero(found & ~same_class & (later.node_class >= 0)))


def find_leak_roots(
    graph: RetentionGraph, leaked: BoolArray, idom: npt.NDArray[np.int32]
) -> npt.NDArray[np.int64]:
    """Application-level leaked nodes not dominated through leaked nodes by another such node.

    Embedder-owned objects count only when the engine flags them detached (DOM nodes cut from
    their document): the rest (browser caches, runtime bindings) are the embedder's business.
    """
    native = graph.node_kind == NodeKind.NATIVE
    candidates = leaked & application_mask(graph) & (~native | (graph.node_detachedness == 2))
    roots = np.flatnonzero(candidates)
    keep = np.ones(roots.size, dtype=np.bool_)
    current = idom[roots].astype(np.int64)
    active = leaked[current] & (current != roots)
    # Climb all chains at once while they stay inside the leaked region.
    while active.any():
        owned = active & candidates[current]
        keep &= ~owned
        active &= ~owned
        parent = idom[current].astype(np.int64)
        active &= parent != current
        current = np.where(active, parent, current)
        active &= leaked[current]
    result: npt.NDArray[np.int64] = roots[keep].astype(np.int64)
    return result


ClassRows = tuple[tuple[str, int, int, int], ...]


def class_rows(
    graph: RetentionGraph, tree: DominatorTree, classes: ClassColumns | None = None
) -> ClassRows:
    """(class, count, shallow size, retained size) per class of ``graph``."""
    return _require_rows(snapshot_identity(graph, classes or compute_class_columns(graph, tree)))


def _require_rows(identity: SnapshotIdentity) -> ClassRows:
    if identity.class_rows is None:
        raise ValueError(f"{identity.path}: the identity carries no class table")
    return identity.class_rows


def compute_class_growth(first: ClassRows, last: ClassRows) -> tuple[ClassGrowth, ...]:
    """Classes whose count or retained size grew from the ``first`` class table to ``last``.

    Examples
    --------
    >>> compute_class_growth((("A", 1, 8, 8), ("B", 2, 16, 16)), (("A", 3, 24, 24), ("B", 2, 16, 16)))
    (ClassGrowth(class_name='A', count_before=1, count_after=3, self_size_before=8, self_size_after=24, retained_before=8, retained_after=24),)
    """
    rows: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for offset, table in enumerate((first, last)):
        for name, count, self_size, retained in table:
            row = rows[name]
            row[offset] += count
            row[2 + offset] += self_size
            row[4 + offset] += retained
    growth = [
        ClassGrowth(name, r[0], r[1], r[2], r[3], r[4], r[5])
        for name, r in rows.items()
        if r[1] > r[0] or r[5] > r[4]
    ]
    growth.sort(key=lambda g: (-g.retained_delta, -g.count_delta, g.class_name))
    return tuple(growth)


def _identity(
    base: SnapshotIdentity, target: SnapshotIdentity
) -> tuple[str | None, tuple[str, ...]]:
    engines = {base.engine, target.engine}
    if engines == {"V8"}:
        return "V8 node ids (stable for an object's lifetime), class checked against id reuse", ()
    if len(engines) > 1:
        return None, (
            f"snapshots from different engines ({', '.join(sorted(engines))}): only class growth is compared",
        )
    if base.process is not None and base.process == target.process:
        return (
            f"object addresses within one process ({base.process}), class checked",
            (
                "the heap does not move objects (reference counting), so an address names one "
                "object for its lifetime; a freed address reused by an object of another class "
                "counts as new",
            ),
        )
    if base.path == target.path:
        return (
            "cell addresses within one log (one process), class checked",
            (
                "addresses are not identities: the collector moves cells (nursery promotion, "
                "compaction), so a moved object looks new and a reused address can look old; "
                "treat the clusters as approximate",
            ),
        )
    return None, (
        "dumps from different files: cell addresses are not comparable across processes; "
        "only class growth is compared",
    )


def _with_rows(
    snapshot: RetentionGraph | SnapshotIdentity,
    tree: DominatorTree | None,
    classes: ClassColumns | None,
) -> SnapshotIdentity:
    if isinstance(snapshot, SnapshotIdentity):
        return snapshot
    if classes is None:
        classes = compute_class_columns(
            snapshot, tree if tree is not None else compute_dominators(snapshot)
        )
    return snapshot_identity(snapshot, classes)


def diff_snapshots(
    base: RetentionGraph | SnapshotIdentity,
    target: RetentionGraph | SnapshotIdentity,
    final: RetentionGraph | None = None,
    *,
    base_tree: DominatorTree | None = None,
    last_tree: DominatorTree | None = None,
    last_distances: RootDistances | None = None,
    base_classes: ClassColumns | None = None,
    last_classes: ClassColumns | None = None,
) -> DiffReport:
    """Compare BASE with TARGET (and FINAL): growth, new objects, leak clusters.

    Parameters
    ----------
    base, target, final
        Snapshots of one program in time order; with ``final``, memlab's three-snapshot method.
        BASE (with its class table) and, when FINAL is given, TARGET may be
        :class:`SnapshotIdentity` values, so that a caller can free each graph once read; the
        last snapshot must be a graph (traces are taken in it).
    base_tree, last_tree
        Dominator trees of ``base`` and of the last snapshot (computed when omitted).
    last_distances
        The root BFS of the last snapshot, to reuse (for example from the cache).
    base_classes, last_classes
        Class tables of ``base`` and of the last snapshot, to reuse.

    Returns
    -------
    DiffReport
        Frozen result; clusters and traces refer to the last snapshot.
    """
    last = final if final is not None else target
    if not isinstance(last, RetentionGraph):
        raise TypeError("the last snapshot must be a RetentionGraph (traces are taken in it)")
    last_tree = last_tree if last_tree is not None else compute_dominators(last)
    base_id = _with_rows(base, base_tree, base_classes)
    last_id = _with_rows(last, last_tree, last_classes)
    target_id = last_id if target is last else snapshot_identity(target)
    growth = compute_class_growth(_require_rows(base_id), _require_rows(last_id))
    sources = tuple(
        s.path for s in (base_id, target_id) + ((last_id,) if final is not None else ())
    )
    identity, notes = _identity(base_id, target_id)
    if identity is None:
        return DiffReport(
            sources, "class-growth", "none", notes, growth, 0, 0, 0, (), last.source.path
        )
    new_in_target, reused = match_new_objects(base_id, target_id)
    if final is not None:
        ordinal, _, same_class = _match(target_id, last_id)
        leaked = same_class & new_in_target[np.maximum(ordinal, 0)]
        method = "three-snapshot"
    else:
        leaked = new_in_target
        method = "allocated-between"
        notes = (
            *notes,
            "two snapshots: objects allocated between them include transient ones; give a FINAL "
            "snapshot (after the action is undone) for memlab's leak method",
        )
    roots = find_leak_roots(last, leaked, last_tree.idom)
    clusters, through_code = _cluster(last, roots, last_tree.retained_size, last_distances)
    if through_code:
        notes = (
            *notes,
            f"{through_code} new object(s) held only through compiled-code metadata (feedback, "
            "allocation-site boilerplates: JIT warm-up) are not reported as leaks",
        )
    return DiffReport(
        sources=sources,
        method=method,
        identity=identity,
        notes=notes,
        growth=growth,
        allocated_between=int(np.count_nonzero(new_in_target)),
        id_reuse=reused,
        leaked_objects=int(np.count_nonzero(leaked)),
        clusters=clusters,
        trace_source=last.source.path,
    )


def _cluster(
    graph: RetentionGraph,
    roots: npt.NDArray[np.int64],
    retained: npt.NDArray[np.int64],
    distances: RootDistances | None,
) -> tuple[tuple[LeakCluster, ...], int]:
    """Clusters by path shape, and how many roots were left out as held by code metadata."""
    report = find_retaining_paths(graph, roots, distances=distances)
    groups: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    path_of = {}
    through_code = 0
    for path in report.paths:
        if any(int(graph.node_kind[node]) == NodeKind.CODE for node in path.nodes):
            through_code += 1
            continue
        shape = path_shape(graph, path)
        groups[shape].append((int(retained[path.target]), path.target))
        path_of[path.target] = path
    clusters = []
    for shape, members in groups.items():
        members.sort(key=lambda m: (-m[0], int(graph.node_id[m[1]])))
        representative = path_of[members[0][1]]
        trace = make_trace(graph, representative, retained)
        clusters.append(
            LeakCluster(
                shape=shape,
                fingerprint=trace_fingerprint(RULE, trace),
                class_name=trace.steps[-1].class_name,
                count=len(members),
                retained_size=sum(m[0] for m in members),
                node_ids=tuple(int(graph.node_id[m[1]]) for m in members),
                trace=trace,
            )
        )
    clusters.sort(key=lambda c: (-c.retained_size, c.shape))
    return tuple(clusters), through_code
