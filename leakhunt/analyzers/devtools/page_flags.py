"""User roots and the page-owned flag, as Chrome DevTools and memlab derive them.

**User roots** (DevTools ``JSHeapSnapshot.isUserRoot``): the direct children of the root that
are not synthetic, or are the synthetic ``(Document DOM trees)``. A Node snapshot has one,
``global``; an ``exposeInternals`` snapshot, or a graph whose root only has synthetic
children, has none.

**Page-owned flag**: everything reachable over non-weak edges from a set of seeds. DevTools
seeds from the root's ``shortcut`` children and ``element`` children that are
``(Document DOM trees)`` (the page side); memlab seeds the other way, from every other child
(the GC-roots side). The flag only feeds the essential-edge rule "an edge from a node without
the flag into a node with it does not retain".

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
>>> find_user_roots(g).tolist()
[2]
>>> compute_page_owned(g).tolist()
[False, False, True]
>>> compute_page_owned(g, Semantics.MEMLAB).tolist()
[False, True, True]

References
----------
Chrome DevTools heap snapshot worker, ``JSHeapSnapshot.markPageOwnedNodes``; memlab 2.0.5,
``TraceFinder.flagReachableNodesFromWindow``.
"""

from __future__ import annotations

from typing import assert_never

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import mark_reachable
from leakhunt.analyzers.devtools.terms import DOCUMENT_DOM_TREES, string_indices, weak_kinds
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["compute_page_owned", "find_user_roots"]


def _root_children(graph: RetentionGraph) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    root = graph.root_node
    edges = slice(int(graph.node_first_edge[root]), int(graph.node_first_edge[root + 1]))
    return graph.edge_target[edges], graph.edge_kind[edges]


def _is_dom_trees_root(
    graph: RetentionGraph, nodes: npt.NDArray[np.int32]
) -> npt.NDArray[np.bool_]:
    names = string_indices(graph, [DOCUMENT_DOM_TREES])[DOCUMENT_DOM_TREES]
    synthetic = graph.node_kind[nodes] == NodeKind.SYNTHETIC
    named: npt.NDArray[np.bool_] = synthetic & np.isin(graph.node_name[nodes], names)
    return named


def find_user_roots(graph: RetentionGraph) -> npt.NDArray[np.int32]:
    """The user roots: one entry per root edge whose target qualifies, in edge order.

    Parameters
    ----------
    graph
        Any retention graph (the rule only looks at node kinds and one name).

    Returns
    -------
    numpy.ndarray
        int32 node ordinals; repeats are kept, since DevTools seeds its distance search with
        each of them. Empty when the graph has no user root.

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import NodeKind, RootKind
    >>> b = GraphBuilder()
    >>> app = b.add_node(NodeKind.OBJECT, "App", node_id=3)
    >>> cat = b.add_node(NodeKind.SYNTHETIC, "(Stack roots)", node_id=4)
    >>> _ = b.add_root(app, RootKind.USER, "global")
    >>> _ = b.add_root(cat, RootKind.ENGINE, "(Stack roots)")
    >>> find_user_roots(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
    [1]
    """
    children, _ = _root_children(graph)
    user = (graph.node_kind[children] != NodeKind.SYNTHETIC) | _is_dom_trees_root(graph, children)
    roots: npt.NDArray[np.int32] = children[user].astype(np.int32)
    return roots


def _seeds(graph: RetentionGraph, semantics: Semantics) -> npt.NDArray[np.int32]:
    children, kinds = _root_children(graph)
    element = kinds == EdgeKind.ELEMENT
    dom_trees = _is_dom_trees_root(graph, children)
    if semantics is Semantics.DEVTOOLS:
        chosen = (element & dom_trees) | (kinds == EdgeKind.SHORTCUT)
    elif semantics is Semantics.MEMLAB:
        chosen = ~(element & dom_trees) & (kinds != EdgeKind.SHORTCUT)
    else:
        assert_never(semantics)
    seeds: npt.NDArray[np.int32] = children[chosen].astype(np.int32)
    return seeds


def compute_page_owned(
    graph: RetentionGraph, semantics: Semantics = Semantics.DEVTOOLS
) -> npt.NDArray[np.bool_]:
    """The page-owned flag of every node, seeded as ``semantics`` says.

    Parameters
    ----------
    graph
        The heap.
    semantics
        :attr:`Semantics.DEVTOOLS` seeds from the root's shortcut children and its element
        children named ``(Document DOM trees)``; :attr:`Semantics.MEMLAB` from all the other
        children of the root.

    Returns
    -------
    numpy.ndarray
        One bool per node: reachable from a seed over edges that are not weak.

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import EdgeKind, NodeKind
    >>> b = GraphBuilder()
    >>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=3)
    >>> ref = b.add_node(NodeKind.OBJECT, "WeakRef", node_id=5)
    >>> target = b.add_node(NodeKind.OBJECT, "Target", node_id=7)
    >>> _ = b.add_edge(b.root, glob, EdgeKind.SHORTCUT, "2")
    >>> _ = b.add_edge(glob, ref, EdgeKind.PROPERTY, "ref")
    >>> _ = b.add_edge(ref, target, EdgeKind.WEAK, "target")
    >>> compute_page_owned(b.freeze(SourceInfo("inline", "test", "none"))).tolist()
    [False, True, True, False]
    """
    return mark_reachable(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        weak_kinds(),
        _seeds(graph, semantics),
    )
