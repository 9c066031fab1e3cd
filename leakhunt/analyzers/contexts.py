"""Per-context accounting: what each context owns, retains, and what holds it.

One row per context of the graph (V8 NativeContexts, SpiderMonkey realms, the contexts of an
embedder's root dump), all computed together:

* a **unique name** that explains itself (the importer's name plus, for duplicates, the role
  and id that tell them apart);
* **attributed** objects and self size (``node_context``);
* **retained size** of the context as a whole: the exact cut (:mod:`.context_cuts`, all
  contexts together);
* how it is **held**: through its *front door* (the context node, its global or global proxy,
  or the importer's extra front door such as Node's sandbox link) by a holder that is alive
  without it and is not a cross-context wrapper, or only through *back doors* (objects and
  functions created inside it, wrapper targets). "Alive without it" is exact: the holder
  survives the context's cut. A holder inside another context counts only when that
  context's front door is held in turn (a fixed point over the front-door edges);
* the **root kinds** that reach its holders, and the retaining edges entering it per source;
* the engine's or embedder's **state** when stated, and memory limit and usage when a dump
  gives them.

Three buckets split the live heap as the DevTools realm view does: *attributed* (in a
context, or freed by cutting one context), *shared* (reached from contexts, freed by no single
cut) and *unattributed* (reached from no context: engine and runtime memory).

Examples
--------
>>> import pathlib
>>> from leakhunt.importers import ImportOptions, load_graph
>>> fixture = pathlib.Path(__file__).parents[2] / "fixtures/spidermonkey/embedder/embedder_realms.log.gz"
>>> g = load_graph(str(fixture), format=None, options=ImportOptions(), progress=None)
>>> report = compute_context_report(g)
>>> [(row.name, row.front_door_held) for row in report.rows][-2:]
[('embedder://zombie-addon/', False), ('embedder://zombie-addon/frame', False)]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.context_cuts import ContextCuts, compute_context_cuts
from leakhunt.analyzers.context_results import (
    ContextAnalysis,
    ContextBuckets,
    ContextReport,
    ContextRow,
)
from leakhunt.analyzers.liveness import (
    RootReach,
    reach_from_nodes,
    reach_from_roots,
    retaining_edges,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind

__all__ = [
    "ContextAnalysis",
    "ContextBuckets",
    "ContextReport",
    "ContextRow",
    "analyze_contexts",
    "compute_context_report",
    "unique_context_names",
]

ROOTS_LABEL = "(GC roots)"
"""How entering edges that are root edges are labelled."""
UNATTRIBUTED_LABEL = "(unattributed)"
"""How entering edges from nodes of no context are labelled."""
_ROOT_KINDS = tuple(RootKind)


def unique_context_names(graph: RetentionGraph) -> tuple[str, ...]:
    """The importer's names, with role and id added where two would be equal.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> b = GraphBuilder()
    >>> _ = b.add_context(-1, -1, "https://a.test/"), b.add_context(-1, -1, "https://a.test/")
    >>> unique_context_names(b.freeze(SourceInfo("inline", "test", "none")))
    ('https://a.test/ (context #0)', 'https://a.test/ (context #1)')
    """
    contexts = graph.contexts
    counts = Counter(contexts.name)
    names = []
    for index, name in enumerate(contexts.name):
        if counts[name] == 1:
            names.append(name)
            continue
        role = contexts.role_of(index)
        role = contexts.kind[index] if role == "unknown" else role
        node, global_node = int(contexts.node[index]), int(contexts.global_node[index])
        if node >= 0:
            ident = f"@{int(graph.node_id[node])}"
        elif global_node >= 0:
            ident = f"global 0x{int(graph.node_id[global_node]):x}"
        else:
            ident = f"#{index}"
        names.append(f"{name} ({role} {ident})")
    return tuple(names)


def analyze_contexts(graph: RetentionGraph) -> ContextAnalysis:
    """Retaining edges, root reach, per-context cuts, front doors and buckets: the expensive
    part, done once (and stored in the index cache by the CLI)."""
    live = retaining_edges(graph)
    reach = reach_from_roots(graph, live)
    entering = _entering_edges(graph, live, reach)
    # One pass answers the retained sizes and, for every holder entering a context from a
    # live node, whether it dies with that context.
    asked = np.flatnonzero(~entering.is_root)
    cuts = compute_context_cuts(
        graph, live, reach, entering.source[asked], entering.target_context[asked]
    )
    holder_dies = np.zeros(entering.edge.size, dtype=np.bool_)
    holder_dies[asked] = cuts.query_dies
    partial = _Partial(live, reach, cuts, holder_dies)
    held, holders = _front_door_holders(graph, partial, entering)
    k = len(graph.contexts)
    mask = np.zeros(k, dtype=np.int64)
    for context, kinds in enumerate(_root_kinds(graph, partial, entering)):
        for kind in kinds:
            mask[context] |= 1 << kind
    labels = np.where(entering.is_root, -2, entering.source_context).astype(np.int64)
    keys = entering.target_context.astype(np.int64) * (k + 2) + (labels + 2)
    unique, counts = np.unique(keys, return_counts=True)
    back = np.bincount(entering.target_context[~entering.front], minlength=k).astype(np.int64)
    lists = [holders.get(context, [])[:8] for context in range(k)]
    first = np.zeros(k + 1, dtype=np.int64)
    np.cumsum([len(items) for items in lists], out=first[1:])
    edges = np.array([e for items in lists for e in items], dtype=np.int64)
    return ContextAnalysis(
        live,
        reach,
        cuts,
        held,
        first,
        edges,
        _buckets(graph, partial),
        mask,
        back,
        (unique // (k + 2)).astype(np.int32),
        (unique % (k + 2) - 2).astype(np.int32),
        counts.astype(np.int64),
    )


@dataclass(frozen=True, slots=True)
class _Partial:
    """The analysis before front doors and buckets are known."""

    live: npt.NDArray[np.bool_]
    reach: RootReach
    cuts: ContextCuts
    holder_dies: npt.NDArray[np.bool_]
    """Per entering edge: its (live, non-root) source dies when the target context is cut."""


def front_door_nodes(graph: RetentionGraph) -> npt.NDArray[np.int32]:
    """Per node: the context whose front door it is, or -1."""
    contexts = graph.contexts
    door = np.full(graph.node_count, -1, dtype=np.int32)
    columns = [contexts.node, contexts.global_node]
    if contexts.front_door is not None:
        columns.append(contexts.front_door)
    for column in columns:
        index = np.flatnonzero(column >= 0)
        door[column[index]] = index.astype(np.int32)
    return door


@dataclass(frozen=True, slots=True)
class _Entering:
    edge: npt.NDArray[np.int64]
    source: npt.NDArray[np.int64]
    source_context: npt.NDArray[np.int32]
    target_context: npt.NDArray[np.int32]
    is_root: npt.NDArray[np.bool_]
    root_row: npt.NDArray[np.int64]
    front: npt.NDArray[np.bool_]


def _entering_edges(
    graph: RetentionGraph, live: npt.NDArray[np.bool_], reach: RootReach
) -> _Entering:
    """Retaining edges from a live source (or a root row) into a context from outside it."""
    roots = graph.roots
    alive = reach.alive
    context = graph.node_context
    source_all = graph.edge_source()
    target_context = context[graph.edge_target]
    crossing = live & (target_context >= 0) & (context[source_all] != target_context)
    candidates = np.flatnonzero(crossing).astype(np.int64)
    sources = source_all[candidates].astype(np.int64)
    del source_all, crossing
    by_edge = np.argsort(roots.edge, kind="stable")
    sorted_edges = roots.edge[by_edge]
    rows = np.full(candidates.size, -1, dtype=np.int64)
    if len(roots):
        slot = np.minimum(np.searchsorted(sorted_edges, candidates), len(roots) - 1)
        found = sorted_edges[slot] == candidates
        rows[found] = by_edge[slot[found]]
    # Root edges leave synthetic nodes outside every context, so the source context is -1.
    source_context = np.where(rows >= 0, -1, context[sources]).astype(np.int32)
    keep = (rows >= 0) | alive[sources]
    edges, sources, rows = candidates[keep], sources[keep], rows[keep]
    doors = front_door_nodes(graph)
    front = doors[graph.edge_target[edges]] == target_context[edges]
    wrappers = graph.contexts.wrapper_edges
    if wrappers is not None:
        # A wrapper is a back door, unless it holds the context's window proxy (its extra
        # front door): a page holding a child window.
        extra = graph.contexts.front_door
        into_proxy = np.zeros(edges.size, dtype=np.bool_)
        if extra is not None:
            into_proxy = extra[target_context[edges]] == graph.edge_target[edges]
        front &= ~np.isin(edges, wrappers) | into_proxy
    return _Entering(
        edge=edges,
        source=sources,
        source_context=source_context[keep],
        target_context=target_context[edges].astype(np.int32),
        is_root=rows >= 0,
        root_row=rows,
        front=front,
    )


def origin_distance(
    analysis: _Partial | ContextAnalysis, nodes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int32]:
    """BFS distance of each node from its root (unreached last)."""
    distance = analysis.reach.distance[nodes]
    return np.where(distance < 0, np.iinfo(np.int32).max, distance).astype(np.int32)


def _front_door_holders(
    graph: RetentionGraph, analysis: _Partial, entering: _Entering
) -> tuple[npt.NDArray[np.bool_], dict[int, list[int]]]:
    """Which contexts have a front door held from outside (a fixed point), and by which edges."""
    k = len(graph.contexts)
    origin = analysis.reach.origin_row
    candidates: list[tuple[int, int, int, int]] = []  # (rank, context, source context, edge)
    front = np.flatnonzero(entering.front)
    # A holder that dies with the context it holds does not hold it from outside.
    dies = analysis.holder_dies[front]
    settled: set[int] = set()
    order = np.lexsort(
        (origin_distance(analysis, entering.source[front]), ~entering.is_root[front])
    )
    for index in front[order[~dies[order]]].tolist():
        target = int(entering.target_context[index])
        source = int(entering.source[index])
        source_context = int(entering.source_context[index])
        if target in settled and source_context < 0:
            continue  # held from outside already; more holders only lengthen the list
        # A root edge names its own row; a live holder, the row its BFS path starts at.
        row = int(entering.root_row[index]) if entering.is_root[index] else int(origin[source])
        if source_context < 0 and len([c for c in candidates if c[1] == target]) >= 7:
            settled.add(target)
        rank = 2 * (int(graph.roots.kind[row]) if row >= 0 else len(_ROOT_KINDS))
        rank += 0 if entering.is_root[index] else 1
        candidates.append((rank, target, source_context, int(entering.edge[index])))
    candidates.sort()
    held = np.zeros(k, dtype=np.bool_)
    changed = True
    while changed:
        changed = False
        for _, target, source_context, _ in candidates:
            if not held[target] and (source_context < 0 or held[source_context]):
                held[target] = changed = True
    holders: dict[int, list[int]] = {}
    for _, target, source_context, edge in candidates:
        if source_context < 0 or held[source_context]:
            holders.setdefault(target, []).append(edge)
    return held, holders


def _root_kinds(graph: RetentionGraph, analysis: _Partial, entering: _Entering) -> list[set[int]]:
    """Per context: root kinds reaching its holders that live without it."""
    k = len(graph.contexts)
    rows = np.where(entering.is_root, entering.root_row, analysis.reach.origin_row[entering.source])
    keep = rows >= 0
    keep &= entering.is_root | ~analysis.holder_dies
    kinds = graph.roots.kind[rows[keep]].astype(np.int64)
    pairs = np.unique(entering.target_context[keep].astype(np.int64) * 256 + kinds)
    per: list[set[int]] = [set() for _ in range(k)]
    for target, kind in zip((pairs // 256).tolist(), (pairs % 256).tolist(), strict=True):
        per[target].add(kind)
    return per


def _entering_counts(
    names: tuple[str, ...], analysis: ContextAnalysis, k: int
) -> list[tuple[tuple[str, int], ...]]:
    per: list[list[tuple[str, int]]] = [[] for _ in range(k)]
    for target, label, count in zip(
        analysis.entering_target.tolist(),
        analysis.entering_source.tolist(),
        analysis.entering_count.tolist(),
        strict=True,
    ):
        text = ROOTS_LABEL if label == -2 else UNATTRIBUTED_LABEL if label == -1 else names[label]
        per[target].append((text, int(count)))
    return [tuple(sorted(items, key=lambda item: (-item[1], item[0]))) for items in per]


def _buckets(graph: RetentionGraph, analysis: _Partial) -> ContextBuckets:
    alive = analysis.reach.alive
    size = graph.node_self_size
    in_context = (graph.node_context >= 0) | analysis.cuts.freed_by_one
    attributed = alive & in_context
    seeds = np.flatnonzero(alive & (graph.node_context >= 0))
    from_contexts = reach_from_nodes(graph, analysis.live, seeds) if seeds.size else attributed
    shared = alive & ~in_context & from_contexts
    rest = alive & ~attributed & ~shared
    return ContextBuckets(
        attributed_size=int(size[attributed].sum()),
        attributed_objects=int(np.count_nonzero(attributed)),
        shared_size=int(size[shared].sum()),
        shared_objects=int(np.count_nonzero(shared)),
        unattributed_size=int(size[rest].sum()),
        unattributed_objects=int(np.count_nonzero(rest)),
    )


def compute_context_report(
    graph: RetentionGraph, analysis: ContextAnalysis | None = None
) -> ContextReport:
    """Per-context accounting (see the module docstring); one pass for all contexts.

    Parameters
    ----------
    graph
        The heap.
    analysis
        The result of :func:`analyze_contexts` to reuse (for example from the index cache).

    Returns
    -------
    ContextReport
        Rows in context-table order and the three buckets.
    """
    analysis = analysis if analysis is not None else analyze_contexts(graph)
    contexts = graph.contexts
    k = len(contexts)
    names = unique_context_names(graph)
    held = analysis.held
    counts = _entering_counts(names, analysis, k)
    attributed = graph.node_context >= 0
    objects = np.bincount(graph.node_context[attributed], minlength=k)
    self_sizes = np.bincount(
        graph.node_context[attributed], weights=graph.node_self_size[attributed], minlength=k
    )
    back = analysis.back_edges
    alive = analysis.reach.alive
    rows = []
    for index in range(k):
        node, global_node = int(contexts.node[index]), int(contexts.global_node[index])
        anchor = node if node >= 0 else global_node
        rows.append(
            ContextRow(
                context=index,
                name=names[index],
                kind=contexts.kind[index],
                role=contexts.role_of(index),
                node=node,
                global_node=global_node,
                objects=int(objects[index]),
                self_size=int(self_sizes[index]),
                retained_size=int(analysis.cuts.retained_size[index]),
                retained_objects=int(analysis.cuts.retained_objects[index]),
                reachable=bool(anchor >= 0 and alive[anchor]),
                front_door_held=bool(held[index]),
                front_door_holders=analysis.holders_of(index),
                back_door_edges=int(back[index]),
                root_kinds=tuple(
                    kind for kind in _ROOT_KINDS if int(analysis.root_kind_mask[index]) >> kind & 1
                ),
                entering=counts[index],
                state=contexts.state_of(index),
                state_note=contexts.note_of(index),
                memory_limit=contexts.limit_of(index),
                memory_used=contexts.used_of(index),
            )
        )
    return ContextReport(rows=tuple(rows), buckets=analysis.buckets)
