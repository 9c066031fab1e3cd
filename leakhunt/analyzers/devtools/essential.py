"""Essential edges: the only edges the dominator computation may use.

An edge is not essential (DevTools ``computeIsEssentialEdge``) when

1. it is the table half of a WeakMap entry (DevTools semantics only: the key half stays, so a
   value is dominated through its key);
2. it is weak;
3. it is a self edge;
4. it leaves a node other than the root and is a shortcut;
5. it leaves a node other than the root and goes from a node without the page-owned flag into
   one with it (:mod:`leakhunt.analyzers.devtools.page_flags`).

memlab applies rules 2-5 with its own page flag.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind
>>> b = GraphBuilder()
>>> gc = b.add_node(NodeKind.SYNTHETIC, "(GC roots)", node_id=3)
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=5)
>>> _ = b.add_edge(b.root, gc, EdgeKind.ELEMENT, 1)
>>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
>>> _ = b.add_edge(gc, glob, EdgeKind.ELEMENT, 1)
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> compute_essential_edges(g).tolist()
[True, True, False]
>>> compute_essential_edges(g, Semantics.MEMLAB).tolist()
[True, True, True]

References
----------
Chrome DevTools heap snapshot worker, ``HeapSnapshot.computeIsEssentialEdge``; memlab 2.0.5,
``TraceFinder.computeDominatorsAndRetainedSizes`` (``isEssential``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import essential_edges
from leakhunt.analyzers.devtools.page_flags import compute_page_owned
from leakhunt.analyzers.devtools.terms import weak_kinds
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.graph.core import RetentionGraph

__all__ = ["compute_essential_edges"]


def compute_essential_edges(
    graph: RetentionGraph,
    semantics: Semantics = Semantics.DEVTOOLS,
    *,
    page_owned: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Which edges retain, for dominator purposes, under ``semantics``.

    Parameters
    ----------
    graph
        The heap.
    semantics
        The rule set (see the module docstring).
    page_owned
        The page-owned flag if already computed for the same ``semantics``.

    Returns
    -------
    numpy.ndarray
        One bool per edge.

    Examples
    --------
    A WeakMap value is retained through its key, not through the map's table:

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> table = b.add_node(NodeKind.ARRAY, "", node_id=3)
    >>> key = b.add_node(NodeKind.OBJECT, "Key", node_id=5)
    >>> value = b.add_node(NodeKind.OBJECT, "Value", node_id=7)
    >>> _ = b.add_ephemeron(table, key, value, "part of key")
    >>> g = b.freeze(SourceInfo("inline", "test", "none"))
    >>> [(g.node_label(int(g.edge_source()[e])), bool(ok))
    ...  for e, ok in enumerate(compute_essential_edges(g))]
    [('', False), ('Key', True)]
    """
    if page_owned is None:
        page_owned = compute_page_owned(graph, semantics)
    essential = essential_edges(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        weak_kinds(),
        page_owned,
        graph.root_node,
    )
    if semantics is Semantics.DEVTOOLS:
        eph = graph.ephemerons
        essential[eph.edge[~eph.from_key]] = False
    return essential
