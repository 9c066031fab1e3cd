"""Retention traces for leak reports: steps with retained sizes, path shapes, suspect references.

A *path shape* is the retaining path with everything instance-specific removed (indices, ids,
numbers): leaked objects with one shape leak through one mechanism. The *suspect references*
(LeakCanary's term) are the end of the path that explains the leak: from the second-to-last
application-level object before the leaked one down to it (for ``service.cache.entries →
Map table → [i] → CachedResponse``: ``ResponseCache.entries``, ``Map.table``, ``[x]``). The root
side of a path varies with unrelated code and is left out of fingerprints.

Engine-internal objects are recognised by kind (arrays, code, shapes, …) and, among objects,
by class: a parenthesised group such as ``(system)`` or a ``system / …`` name (V8 names its
internal objects that way, SpiderMonkey's importer gives them non-object kinds).

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> from leakhunt.analyzers.paths import find_retaining_paths
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> cache = b.add_node(NodeKind.OBJECT, "Cache", node_id=3)
>>> table = b.add_node(NodeKind.ARRAY, "(array)", node_id=5)
>>> item = b.add_node(NodeKind.OBJECT, "Item", node_id=7, self_size=10)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, cache, EdgeKind.PROPERTY, "cache")
>>> _ = b.add_edge(cache, table, EdgeKind.INTERNAL, "table")
>>> _ = b.add_edge(table, item, EdgeKind.ELEMENT, 4)
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> path = find_retaining_paths(g, [item]).paths[0]
>>> path_shape(g, path)
('user global', 'global --.cache-->', 'Cache --table (internal)-->', '(array) --[x]-->', 'Item')
>>> suspect_start(g, path)
1
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.fingerprints import fingerprint, normalise_edge, normalise_name
from leakhunt.analyzers.leak_results import LeakTrace, TraceStep
from leakhunt.analyzers.results import RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = [
    "display_class",
    "is_application_node",
    "make_trace",
    "path_shape",
    "suspect_start",
    "trace_fingerprint",
]

_APPLICATION_KINDS = frozenset(
    {NodeKind.OBJECT, NodeKind.CLOSURE, NodeKind.REGEXP, NodeKind.NATIVE}
)
_EDGE_KIND_NAMES = tuple(kind.label for kind in EdgeKind)
APPLICATION_LEVELS = 2
"""Application-level owners kept in the suspect references (LeakCanary keeps one; one more
names the field that holds the container, which is what tells two caches apart)."""


def display_class(graph: RetentionGraph, node: int) -> str:
    """The class for reports: ``Function <name>`` for closures, else the class name."""
    if int(graph.node_kind[node]) == NodeKind.CLOSURE:
        return f"Function {graph.strings[int(graph.node_name[node])]}".rstrip()
    return graph.strings[int(graph.node_class[node])]


def is_application_node(graph: RetentionGraph, node: int) -> bool:
    """Whether the node is a program's object rather than an engine internal."""
    if int(graph.node_kind[node]) not in _APPLICATION_KINDS:
        return False
    name = graph.strings[int(graph.node_class[node])]
    return not (name.startswith("(") or name.startswith("system /"))


def application_mask(graph: RetentionGraph) -> npt.NDArray[np.bool_]:
    """:func:`is_application_node` for every node at once."""
    kinds = np.zeros(256, dtype=np.bool_)
    for kind in _APPLICATION_KINDS:
        kinds[kind] = True
    # Only the strings used as class names matter: test those, not the whole table.
    used = np.unique(graph.node_class)
    internal_class = np.zeros(len(graph.strings), dtype=np.bool_)
    internal_class[used] = [graph.strings[i].startswith(("(", "system /")) for i in used.tolist()]
    mask: npt.NDArray[np.bool_] = kinds[graph.node_kind] & ~internal_class[graph.node_class]
    return mask


def _edge_kind(graph: RetentionGraph, edge: int) -> str:
    return _EDGE_KIND_NAMES[int(graph.edge_kind[edge])]


def path_shape(graph: RetentionGraph, path: RetentionPath) -> tuple[str, ...]:
    """The normalised path: root kind and label, ``Class --edge-->`` per hop, the target's class."""
    shape = [f"{path.root_kind.label} {normalise_name(path.root_label)}".rstrip()]
    for node, edge in zip(path.nodes, path.edges, strict=False):
        edge_text = normalise_edge(_edge_kind(graph, edge), graph.edge_name_text(edge))
        shape.append(f"{normalise_name(display_class(graph, node))} --{edge_text}-->")
    shape.append(normalise_name(display_class(graph, path.nodes[-1])))
    return tuple(shape)


def suspect_start(
    graph: RetentionGraph, path: RetentionPath, levels: int = APPLICATION_LEVELS
) -> int:
    """Index of the first node whose incoming reference is a suspect reference.

    Walks back from the target over engine-internal holders until ``levels`` application-level
    holders have been passed; the references below the last of them are the suspects.
    """
    seen = 0
    start = len(path.nodes) - 1
    for index in range(len(path.nodes) - 2, -1, -1):
        start = index + 1
        if is_application_node(graph, path.nodes[index]):
            seen += 1
            if seen >= levels:
                break
        start = index
    return max(start, 1) if len(path.nodes) > 1 else 0


def make_trace(
    graph: RetentionGraph,
    path: RetentionPath,
    retained_size: npt.NDArray[np.int64],
    suspect_from: int | None = None,
) -> LeakTrace:
    """A :class:`LeakTrace` for ``path`` with the retained size of every node."""
    steps = []
    for index, node in enumerate(path.nodes):
        if index == 0:
            edge_kind, edge_name = "", path.root_label
        else:
            edge = path.edges[index - 1]
            edge_kind, edge_name = _edge_kind(graph, edge), graph.edge_name_text(edge)
        steps.append(
            TraceStep(
                node=node,
                node_id=int(graph.node_id[node]),
                class_name=display_class(graph, node),
                name=graph.strings[int(graph.node_name[node])],
                edge_kind=edge_kind,
                edge_name=edge_name,
                retained_size=int(retained_size[node]),
            )
        )
    start = suspect_start(graph, path) if suspect_from is None else suspect_from
    return LeakTrace(
        root_kind=path.root_kind.label,
        steps=tuple(steps),
        suspect_from=start,
        ids_are_addresses=graph.source.ids_are_addresses,
    )


def trace_fingerprint(rule: str, trace: LeakTrace) -> str:
    """The fingerprint of ``trace``'s suspect references plus the leaked object's class."""
    steps = trace.steps
    references = [
        (steps[i - 1].class_name, steps[i].edge_kind, steps[i].edge_name)
        for i in range(max(trace.suspect_from, 1), len(steps))
    ]
    references.append((steps[-1].class_name, "target", ""))
    return fingerprint(rule, references)
