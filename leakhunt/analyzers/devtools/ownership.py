"""Shallow-size ownership: charge internal arrays to the object that owns them (DevTools).

Chrome DevTools moves the self size of backing stores into their owner before it computes
retained sizes, so a ``Map`` shows the size of its hash table. Arrays, ``hidden`` nodes and
native ``system / ExternalStringData`` start unowned; every other node owns itself. Owners
spread over non-weak edges; an unowned node reached from exactly one owner (through unowned
nodes only) gives its size to that owner, one reached from several keeps it. Sizes are never
moved onto synthetic nodes or the root. The total does not change.

DevTools skips the step when the graph has no user root (a V8 snapshot written with
``exposeInternals``, or an engine whose roots are all synthetic), and so does
:func:`compute_shallow_sizes`.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=3, self_size=100)
>>> holder = b.add_node(NodeKind.OBJECT, "Holder", node_id=5, self_size=50)
>>> store = b.add_node(NodeKind.ARRAY, "", node_id=7, self_size=40)
>>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
>>> _ = b.add_edge(glob, holder, EdgeKind.PROPERTY, "holder")
>>> _ = b.add_edge(holder, store, EdgeKind.INTERNAL, "elements")
>>> compute_shallow_sizes(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
[0, 100, 90, 0]

References
----------
Chrome DevTools heap snapshot worker, ``JSHeapSnapshot.calculateShallowSizes``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import shallow_sizes
from leakhunt.analyzers.devtools.dom_state import propagate_dom_state
from leakhunt.analyzers.devtools.page_flags import find_user_roots
from leakhunt.analyzers.devtools.terms import (
    EXTERNAL_STRING_DATA,
    nodes_named,
    string_indices,
    weak_kinds,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import NodeKind

__all__ = ["compute_shallow_sizes"]


def _starts_unowned(graph: RetentionGraph) -> npt.NDArray[np.bool_]:
    kind = graph.node_kind
    unowned: npt.NDArray[np.bool_] = (kind == NodeKind.ARRAY) | (kind == NodeKind.HIDDEN)
    names = string_indices(graph, [EXTERNAL_STRING_DATA])[EXTERNAL_STRING_DATA]
    external = (kind == NodeKind.NATIVE) & nodes_named(graph, names)
    if external.any():
        # DevTools tests the name after propagateDOMState renamed detached natives
        # "Detached <name>": those no longer match.
        external &= propagate_dom_state(graph) != 2
        unowned |= external
    return unowned


def compute_shallow_sizes(
    graph: RetentionGraph, *, user_roots: npt.NDArray[np.int32] | None = None
) -> npt.NDArray[np.int64]:
    """Per-node self sizes after DevTools' shallow-size ownership.

    Parameters
    ----------
    graph
        The heap.
    user_roots
        The graph's user roots if already known (:func:`find_user_roots`); only their number
        matters here.

    Returns
    -------
    numpy.ndarray
        A new int64 array. With no user root it is a copy of ``graph.node_self_size``.

    Examples
    --------
    Two objects share one array: nobody owns it, so its size stays put.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=3, self_size=100)
    >>> other = b.add_node(NodeKind.OBJECT, "Other", node_id=5, self_size=50)
    >>> shared = b.add_node(NodeKind.ARRAY, "", node_id=7, self_size=40)
    >>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    >>> _ = b.add_edge(glob, shared, EdgeKind.INTERNAL, "a")
    >>> _ = b.add_edge(other, shared, EdgeKind.INTERNAL, "b")
    >>> compute_shallow_sizes(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
    [0, 100, 50, 40]
    """
    if user_roots is None:
        user_roots = find_user_roots(graph)
    if user_roots.size == 0:
        return graph.node_self_size.astype(np.int64, copy=True)
    cannot_own = graph.node_kind == NodeKind.SYNTHETIC
    cannot_own[graph.root_node] = True
    return shallow_sizes(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        weak_kinds(),
        _starts_unowned(graph),
        cannot_own,
        np.ascontiguousarray(graph.node_self_size, dtype=np.int64),
    )
