"""Chrome DevTools' node distances: two breadth-first searches, user roots first.

Every node starts at -5 ("no distance"). User roots get 1 and a BFS runs from them; then the
root gets 100,000,000 (0 if there is no user root) and a second BFS from it labels what the
first could not reach ("system" distances). Both skip weak edges, plus three V8-specific
filters:

* the ``sloppy_function_map`` edge of a ``hidden`` node named ``system / NativeContext``;
* out of an ``array`` node named ``(map descriptors)``, edges whose index (JavaScript
  ``parseInt`` of the name) is at least 2 and leaves 1 modulo 3; all other edges of such a node
  are followed without the next rule;
* WeakMap entries: the first half met is skipped and the second followed (DevTools' set of
  pending pair-edge names, shared by both passes), so the value's distance follows the later
  of table and key. The graph pairs the halves already (``graph.ephemerons``).

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=3)
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=5)
>>> cache = b.add_node(NodeKind.OBJECT, "Cache", node_id=7)
>>> _ = b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
>>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
>>> _ = b.add_edge(gc, cache, EdgeKind.ELEMENT, 1)
>>> compute_devtools_distances(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
[100000000, 100000001, 1, 100000002]

References
----------
Chrome DevTools heap snapshot worker, ``HeapSnapshot.calculateDistances`` and
``JSHeapSnapshot.calculateDistances`` (its filter).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import NO_DISTANCE, SYSTEM_DISTANCE_BASE, devtools_distances
from leakhunt.analyzers.devtools.page_flags import find_user_roots
from leakhunt.analyzers.devtools.terms import (
    MAP_DESCRIPTORS,
    NATIVE_CONTEXT,
    SLOPPY_FUNCTION_MAP,
    nodes_named,
    string_indices,
    weak_kinds,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["NO_DISTANCE", "SYSTEM_DISTANCE_BASE", "compute_devtools_distances", "js_parse_int"]

# ECMAScript WhiteSpace and LineTerminator code points (what parseInt skips).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_INT = re.compile(f"[{_JS_SPACE}]*([+-]?[0-9]+)")


def js_parse_int(text: str) -> int | None:
    """JavaScript ``parseInt(text, 10)``, which DevTools applies to descriptor-array edge names.

    Parameters
    ----------
    text
        The edge name.

    Returns
    -------
    int or None
        The leading decimal integer after ECMAScript white space and an optional sign; None
        where JavaScript gives ``NaN``.

    Examples
    --------
    >>> js_parse_int(" 12abc"), js_parse_int("-4"), js_parse_int("x1")
    (12, -4, None)
    """
    match = _JS_INT.match(text)
    return int(match.group(1)) if match else None


def _follows_map_descriptor_slot(index: int | None) -> bool:
    # DevTools: `index < 2 || index % 3 !== 1`; NaN fails both tests, so the edge is followed.
    # For index >= 2 Python's % agrees with JavaScript's.
    return index is None or index < 2 or index % 3 != 1


def _edge_rules(
    graph: RetentionGraph,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Nodes with per-edge rules, the ruled edges (ascending) and whether each is followed."""
    names = string_indices(graph, [NATIVE_CONTEXT, MAP_DESCRIPTORS, SLOPPY_FUNCTION_MAP])
    kind = graph.node_kind
    contexts = (kind == NodeKind.HIDDEN) & nodes_named(graph, names[NATIVE_CONTEXT])
    descriptors = (kind == NodeKind.ARRAY) & nodes_named(graph, names[MAP_DESCRIPTORS])
    sloppy = set(names[SLOPPY_FUNCTION_MAP].tolist())
    first = graph.node_first_edge
    edges: list[int] = []
    follow: list[bool] = []
    parsed: dict[int, int | None] = {}
    for node in np.flatnonzero(contexts | descriptors).tolist():
        is_descriptor_array = bool(descriptors[node])
        for edge in range(int(first[node]), int(first[node + 1])):
            edge_kind = EdgeKind(int(graph.edge_kind[edge]))
            name = int(graph.edge_name[edge])
            if is_descriptor_array:
                if edge_kind.is_indexed:
                    index: int | None = name
                else:
                    if name not in parsed:
                        parsed[name] = js_parse_int(graph.strings[name])
                    index = parsed[name]
                edges.append(edge)
                follow.append(_follows_map_descriptor_slot(index))
            elif not edge_kind.is_indexed and name in sloppy:
                edges.append(edge)
                follow.append(False)
    return (
        contexts | descriptors,
        np.array(edges, dtype=np.int64),
        np.array(follow, dtype=np.bool_),
    )


def compute_devtools_distances(
    graph: RetentionGraph, *, user_roots: npt.NDArray[np.int32] | None = None
) -> npt.NDArray[np.int32]:
    """DevTools' ``nodeDistances`` for every node.

    Parameters
    ----------
    graph
        The heap.
    user_roots
        Seeds of the first pass if already known (as :func:`find_user_roots` returns them).

    Returns
    -------
    numpy.ndarray
        int32 per node: 1 for user roots, ``k + 1`` for nodes ``k`` hops below them;
        ``SYSTEM_DISTANCE_BASE + k`` for nodes reached only from the root (the root itself
        gets ``SYSTEM_DISTANCE_BASE``, or 0 when there is no user root); ``NO_DISTANCE`` (-5)
        when unreached.

    Examples
    --------
    A WeakMap value is one hop below the later of its table and key:

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=3)
    >>> table = b.add_node(NodeKind.ARRAY, "", node_id=5)
    >>> holder = b.add_node(NodeKind.OBJECT, "Holder", node_id=7)
    >>> key = b.add_node(NodeKind.OBJECT, "Key", node_id=9)
    >>> value = b.add_node(NodeKind.OBJECT, "Value", node_id=11)
    >>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    >>> _ = b.add_edge(glob, table, EdgeKind.INTERNAL, "table")
    >>> _ = b.add_edge(glob, holder, EdgeKind.PROPERTY, "holder")
    >>> _ = b.add_edge(holder, key, EdgeKind.PROPERTY, "key")
    >>> _ = b.add_ephemeron(table, key, value, "part of key")
    >>> compute_devtools_distances(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
    [100000000, 1, 2, 2, 3, 4]
    """
    if user_roots is None:
        user_roots = find_user_roots(graph)
    eph = graph.ephemerons
    rule_node, rule_edge, rule_follow = _edge_rules(graph)
    return devtools_distances(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        weak_kinds(),
        np.ascontiguousarray(user_roots, dtype=np.int32),
        graph.root_node,
        eph.edge,
        eph.entry,
        eph.entry_halves,
        rule_node,
        rule_edge,
        rule_follow,
    )
