"""Attached/detached state of embedder (DOM) nodes, propagated as Chrome DevTools does.

Engines mark some native nodes attached (1) or detached (2) (``node_detachedness``). DevTools
spreads that state to the native nodes they reach (attached first, then detached; not through
``hidden`` or weak edges, and never through non-native nodes) and renames detached natives
``Detached <name>``. The state is not a leak verdict (Node marks every weakly held wrapper
detached); it matters to the heap model because the renamed nodes no longer match names that
other rules test, such as ``system / ExternalStringData`` in shallow-size ownership.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> div = b.add_node(NodeKind.NATIVE, "HTMLDivElement", node_id=2, detachedness=2)
>>> text = b.add_node(NodeKind.NATIVE, "Text", node_id=4)
>>> obj = b.add_node(NodeKind.OBJECT, "Object", node_id=5)
>>> _ = b.add_edge(div, text, EdgeKind.ELEMENT, 0)
>>> _ = b.add_edge(div, obj, EdgeKind.PROPERTY, "expando")
>>> propagate_dom_state(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
[0, 2, 2, 0]

References
----------
Chrome DevTools heap snapshot worker, ``HeapSnapshot.propagateDOMState``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import dom_state
from leakhunt.analyzers.devtools.terms import weak_kinds
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["propagate_dom_state"]


def propagate_dom_state(graph: RetentionGraph) -> npt.NDArray[np.uint8]:
    """Each node's DOM state after DevTools' propagation: 0 unknown, 1 attached, 2 detached.

    Parameters
    ----------
    graph
        The heap; its ``node_detachedness`` column holds the engine's own states.

    Returns
    -------
    numpy.ndarray
        uint8 per node. Native nodes may gain a state from native ancestors; other nodes keep
        the engine's value. Native nodes with state 2 are the ones DevTools shows as
        ``Detached <name>``.

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> doc = b.add_node(NodeKind.NATIVE, "HTMLDocument", node_id=2, detachedness=1)
    >>> span = b.add_node(NodeKind.NATIVE, "HTMLSpanElement", node_id=4)
    >>> _ = b.add_edge(doc, span, EdgeKind.HIDDEN, 0)
    >>> propagate_dom_state(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
    [0, 1, 0]
    """
    detachedness = graph.node_detachedness
    if not detachedness.any():
        return np.zeros(graph.node_count, dtype=np.uint8)
    skip = weak_kinds()
    skip[EdgeKind.HIDDEN] = True
    return dom_state(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        skip,
        graph.node_kind == NodeKind.NATIVE,
        np.ascontiguousarray(detachedness, dtype=np.uint8),
    )
