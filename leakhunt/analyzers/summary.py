"""``summarize``: counts and sizes by type, class, root kind and context.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> a = b.add_node(NodeKind.OBJECT, "App", node_id=3, self_size=24)
>>> s = b.add_node(NodeKind.STRING, "hello", node_id=5, self_size=16, class_name="(string)")
>>> _ = b.add_edge(a, s, EdgeKind.PROPERTY, "greeting")
>>> _ = b.add_root(a, RootKind.USER, "global")
>>> summary = summarize(b.freeze(SourceInfo("inline", "test", "none")))
>>> summary.nodes, summary.edges, summary.total_self_size
(3, 2, 40)
>>> [(c.class_name, c.count, c.self_size) for c in summary.classes]
[('App', 1, 24), ('(string)', 1, 16), ('(root)', 1, 0)]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.external import find_external_holders
from leakhunt.analyzers.results import (
    ClassStat,
    ContextStat,
    ExternalHolderStat,
    RootStat,
    Summary,
    TypeStat,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.options import SummaryOptions

__all__ = ["summarize"]


def _group(
    keys: npt.NDArray[np.integer], sizes: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Keys present with their counts and size sums, largest size first (then key).

    Keys are small dense integers (type or string indices), so counting is a bincount, not a
    sort of every node.
    """
    counts = np.bincount(keys)
    totals = np.bincount(keys, weights=sizes, minlength=counts.size).astype(np.int64)
    present = np.flatnonzero(counts)
    order = np.lexsort((present, -counts[present], -totals[present]))
    chosen = present[order]
    return chosen.astype(np.int64), counts[chosen].astype(np.int64), totals[chosen]


def summarize(graph: RetentionGraph, options: SummaryOptions | None = None) -> Summary:
    """Describe ``graph``: totals, per-type and per-class tables, roots and contexts."""
    options = options or SummaryOptions()
    sizes = graph.node_self_size
    type_keys, type_counts, type_sizes = _group(graph.node_type, sizes)
    class_keys, class_counts, class_sizes = _group(graph.node_class, sizes)
    top = min(options.top, class_keys.size)
    root_keys = graph.roots.kind.astype(np.int64) << 32 | graph.roots.label.astype(np.int64)
    unique_roots, root_counts = np.unique(root_keys, return_counts=True)
    roots = sorted(
        (
            RootStat(RootKind(int(key >> 32)), graph.strings[int(key & 0xFFFFFFFF)], int(count))
            for key, count in zip(unique_roots.tolist(), root_counts.tolist(), strict=True)
        ),
        key=lambda r: (r.kind, -r.count, r.label),
    )
    holders, holder_count = _external_holders(graph, options.top)
    return Summary(
        source_path=graph.source.path,
        format=graph.source.format,
        engine=graph.source.engine,
        details=graph.source.details,
        nodes=graph.node_count,
        edges=graph.edge_count,
        total_self_size=int(sizes.sum()),
        weak_edges=int(np.count_nonzero(graph.edge_kind == EdgeKind.WEAK)),
        ephemeron_entries=len(graph.ephemerons),
        types=tuple(
            TypeStat(graph.type_names[int(k)], int(c), int(s))
            for k, c, s in zip(type_keys, type_counts, type_sizes, strict=True)
        ),
        classes=tuple(
            ClassStat(graph.strings[int(k)], int(c), int(s))
            for k, c, s in zip(class_keys[:top], class_counts[:top], class_sizes[:top], strict=True)
        ),
        class_count=int(class_keys.size),
        roots=tuple(roots),
        contexts=_context_stats(graph),
        problems=graph.problems,
        external_holders=holders,
        external_holder_count=holder_count,
    )


def _external_holders(
    graph: RetentionGraph, cap: int
) -> tuple[tuple[ExternalHolderStat, ...], int]:
    if not np.any(graph.roots.kind == RootKind.REFCOUNTED):
        return (), 0
    holders = find_external_holders(graph)
    stats = tuple(
        ExternalHolderStat(
            node_id=int(graph.node_id[h.node]),
            class_name=graph.strings[int(graph.node_class[h.node])],
            name=graph.strings[int(graph.node_name[h.node])],
            unknown_references=h.unknown_references,
            owner_ids=tuple(int(graph.node_id[o]) for o in h.known_owners),
        )
        for h in holders[:cap]
    )
    return stats, len(holders)


def _context_stats(graph: RetentionGraph) -> tuple[ContextStat, ...]:
    contexts = graph.contexts
    if not len(contexts):
        return ()
    attributed = graph.node_context >= 0
    counts = np.bincount(graph.node_context[attributed], minlength=len(contexts))
    sizes = np.bincount(
        graph.node_context[attributed],
        weights=graph.node_self_size[attributed],
        minlength=len(contexts),
    )
    stats = []
    for index in range(len(contexts)):
        node = int(contexts.node[index])
        global_node = int(contexts.global_node[index])
        stats.append(
            ContextStat(
                name=contexts.name[index],
                kind=contexts.kind[index],
                node_id=int(graph.node_id[node]) if node >= 0 else None,
                global_id=int(graph.node_id[global_node]) if global_node >= 0 else None,
                attributed_nodes=int(counts[index]),
                attributed_self_size=int(sizes[index]),
            )
        )
    return tuple(stats)
