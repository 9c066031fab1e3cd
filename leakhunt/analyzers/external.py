"""Nodes held from outside the graph: refcounted roots with unknown references.

A refcounted node whose reference count exceeds the references the dump can show (its
*known* references, one per edge into it from another node of the graph) is alive because
of something the dump does not contain: a C++ member the collector does not traverse, a
stack variable, a leaked reference. That is where a leak hides. Importers mark such nodes
as :attr:`~leakhunt.graph.kinds.RootKind.REFCOUNTED` roots whose label starts with
``"K unknown references"`` (see :func:`parse_unknown_references`); this module reads them
back and lists each with its known owners, the nodes that do show a reference to it.

This is the neutral form of amccreight's ``find_roots.py`` root explanation ("is a ref
counted object with K unknown edge(s)", then its known edges).

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> window = b.add_node(NodeKind.NATIVE, "Window", node_id=0x1000)
>>> doc = b.add_node(NodeKind.NATIVE, "Document", node_id=0x2000)
>>> _ = b.add_edge(window, doc, EdgeKind.PROPERTY, "mDoc")
>>> _ = b.add_edge(doc, window, EdgeKind.PROPERTY, "mWindow")
>>> _ = b.add_root(window, RootKind.REFCOUNTED, "2 unknown references")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> [(hex(int(g.node_id[h.node])), h.unknown_references, [g.node_label(o) for o in h.known_owners])
...  for h in find_external_holders(g)]
[('0x1000', 2, ['Document'])]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.graph.retainers import Retainers, build_retainers

__all__ = ["ExternalHolder", "find_external_holders", "parse_unknown_references"]

_UNKNOWN = re.compile(r"(\d+) unknown references?(?:,|$)")


@dataclass(frozen=True, slots=True)
class ExternalHolder:
    """A node kept alive, at least in part, by references from outside the graph."""

    node: int
    """Ordinal of the held node."""
    unknown_references: int
    """References the graph cannot show (refcount minus known references)."""
    known_owners: tuple[int, ...]
    """Ordinals of the nodes with an edge to :attr:`node`, each once, in edge order."""
    known_edges: tuple[int, ...]
    """Ordinals of those edges (the known references; an owner may hold several)."""
    root_label: str
    """The root label the importer gave the node."""


def parse_unknown_references(label: str) -> int | None:
    """The unknown-reference count in a refcounted root label, or None if it has none.

    >>> parse_unknown_references("2 unknown references"), parse_unknown_references("1 unknown reference")
    (2, 1)
    >>> parse_unknown_references("0 unknown references, incremental root")
    0
    >>> parse_unknown_references("marked live by the GC") is None
    True
    """
    match = _UNKNOWN.match(label)
    return int(match.group(1)) if match else None


def _known_edges(graph: RetentionGraph, retainers: Retainers, node: int) -> list[int]:
    """Edges into ``node`` from graph nodes: not root edges, not weak-map halves."""
    edges = retainers.edges_into(node)
    sources = retainers.edge_source[edges]
    keep = (sources != graph.root_node) & (graph.edge_kind[edges] != EdgeKind.EPHEMERON)
    return [int(e) for e in edges[keep].tolist()]


def find_external_holders(
    graph: RetentionGraph,
    *,
    include_fully_known: bool = False,
    retainers: Retainers | None = None,
) -> tuple[ExternalHolder, ...]:
    """Refcounted roots with references from outside the graph, and their known owners.

    Parameters
    ----------
    graph
        The heap (from an importer that reports refcounts, such as the Firefox CC log).
    include_fully_known
        Also list refcounted roots with 0 unknown references (for example nodes that are
        roots only because an incremental collection touched them).
    retainers
        A precomputed reverse CSR to reuse.

    Returns
    -------
    tuple of ExternalHolder
        Most unknown references first, then by engine id (``node_id``); one entry per node.

    Notes
    -----
    The count comes from the root label (``"K unknown references"``), which is how importers
    record it today; graphs without refcounted roots give an empty tuple.

    References
    ----------
    A. McCreight, ``heapgraph/cc/find_roots.py`` (root explanation and known edges).
    """
    rows = np.flatnonzero(graph.roots.kind == RootKind.REFCOUNTED)
    best: dict[int, tuple[int, str]] = {}
    for row in rows.tolist():
        label = graph.strings[int(graph.roots.label[row])]
        count = parse_unknown_references(label)
        if count is None or (count == 0 and not include_fully_known):
            continue
        node = int(graph.edge_target[graph.roots.edge[row]])
        if node not in best or best[node][0] < count:
            best[node] = (count, label)
    if not best:
        return ()
    retainers = retainers if retainers is not None else build_retainers(graph)
    holders = []
    for node, (count, label) in best.items():
        edges = _known_edges(graph, retainers, node)
        owners = dict.fromkeys(int(retainers.edge_source[e]) for e in edges)
        holders.append(ExternalHolder(node, count, tuple(owners), tuple(edges), label))
    holders.sort(key=lambda h: (-h.unknown_references, int(graph.node_id[h.node])))
    return tuple(holders)
