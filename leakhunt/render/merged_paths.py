"""Eclipse MAT's "merge shortest paths to GC roots" as a :class:`~leakhunt.render.diagram.Diagram`.

The paths of a :class:`~leakhunt.analyzers.results.PathReport` are merged into a tree (a
trie keyed by root, then by the edge taken at each step), so a prefix shared by many targets
is drawn once and every box says how many targets lie beyond it. Roots sit on the top rank.
Long single-child chains collapse into "… N more hops"; a node's children beyond
``max_children`` (and everything beyond ``max_nodes`` boxes, breadth first) fold into one
"+N more" box.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> from leakhunt.analyzers.paths import find_retaining_paths
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> cache = b.add_node(NodeKind.OBJECT, "Cache", node_id=3)
>>> leaks = [b.add_node(NodeKind.OBJECT, "Leak", node_id=5 + 2 * i) for i in range(3)]
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, cache, EdgeKind.PROPERTY, "cache")
>>> for i, leak in enumerate(leaks):
...     _ = b.add_edge(cache, leak, EdgeKind.ELEMENT, i)
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> d = merged_paths_diagram(g, find_retaining_paths(g, leaks), max_children=2)
>>> [(n.title, n.through) for n in d.nodes]
[('user root', 3), ('global', 3), ('Cache', 3), ('Leak', 1), ('Leak', 1), ('+1 more', 1)]
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.results import PathReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.diagram import Cluster, Diagram, DiagramEdge, DiagramNode, EdgeRole, NodeRole
from leakhunt.render.diagram_nodes import (
    Elision,
    elided_node,
    graph_edge,
    graph_node,
    visible_runs,
)

__all__ = ["merged_paths_diagram"]


@dataclass(slots=True)
class _Branch:
    """One trie node: a graph node reached by one prefix of one or more paths."""

    node: int
    """Graph ordinal (-1 for a root box)."""
    edge: int
    """Edge taken from the parent (-1 for roots)."""
    targets: set[int] = field(default_factory=set)
    """Targets whose paths pass through here."""
    ends_here: bool = False
    """Whether some path ends here (the node is a target)."""
    children: dict[int, _Branch] = field(default_factory=dict)
    """By edge ordinal."""


def _build_trie(report: PathReport) -> dict[tuple[str, str], _Branch]:
    roots: dict[tuple[str, str], _Branch] = {}
    for path in report.paths:
        branch = roots.setdefault((path.root_kind.label, path.root_label), _Branch(-1, -1))
        branch.targets.add(path.target)
        steps = [(path.root_edge, path.nodes[0])]
        steps += list(zip(path.edges, path.nodes[1:], strict=True))
        for edge, node in steps:
            branch = branch.children.setdefault(edge, _Branch(node, edge))
            branch.targets.add(path.target)
        branch.ends_here = True
    return roots


class _Emitter:
    """Turns the trie into diagram parts, breadth first, within the size limits."""

    def __init__(
        self,
        graph: RetentionGraph,
        retained: npt.NDArray[np.int64] | None,
        *,
        max_chain: int,
        max_children: int,
        max_nodes: int,
        by_context: bool,
    ) -> None:
        self.graph = graph
        self.retained = retained
        self.max_chain = max_chain
        self.max_children = max_children
        self.max_nodes = max_nodes
        self.by_context = by_context
        self.nodes: list[DiagramNode] = []
        self.edges: list[DiagramEdge] = []
        self.contexts: list[int] = []
        self.elided_hops = 0
        self.folded = 0

    def key(self) -> str:
        return f"n{len(self.nodes)}"

    def cluster(self, node: int) -> str | None:
        if not self.by_context:
            return None
        context = int(self.graph.node_context[node])
        if context < 0:
            return None
        if context not in self.contexts:
            self.contexts.append(context)
        return f"cluster_c{context}"

    def add_branch(self, branch: _Branch, parent: str) -> str:
        key = self.key()
        self.nodes.append(
            graph_node(
                self.graph,
                branch.node,
                key,
                retained=self.retained,
                target=branch.ends_here,
                through=len(branch.targets),
                cluster=self.cluster(branch.node),
            )
        )
        if parent.startswith("r"):
            self.edges.append(DiagramEdge(parent, key, "", "root", EdgeRole.REFERENCE))
        else:
            self.edges.append(graph_edge(self.graph, branch.edge, parent, key))
        return key

    def add_chain(self, start: _Branch, parent: str) -> tuple[_Branch, str]:
        """Draw ``start`` and its single-child descendants; return the last one and its key."""
        chain = [start]
        while len(chain[-1].children) == 1 and not chain[-1].ends_here:
            chain.append(next(iter(chain[-1].children.values())))
        key = parent
        pending_elision = False
        for item in _runs(len(chain), self.max_chain):
            if isinstance(item, Elision):
                hidden_key = self.key()
                self.nodes.append(elided_node(hidden_key, item.hidden))
                self.edges.append(DiagramEdge(key, hidden_key, "", "", EdgeRole.ELIDED))
                self.elided_hops += item.hidden
                key, pending_elision = hidden_key, True
                continue
            branch = chain[item]
            new_key = self.add_branch(branch, key)
            if pending_elision:
                last = self.edges.pop()
                self.edges.append(DiagramEdge(key, new_key, last.label, last.kind, EdgeRole.ELIDED))
                pending_elision = False
            key = new_key
        return chain[-1], key

    def add_children(self, branch: _Branch, key: str, queue: deque[tuple[_Branch, str]]) -> None:
        ordered = sorted(branch.children.values(), key=self._order)
        room = max(0, min(self.max_children, self.max_nodes - len(self.nodes)))
        shown, folded = ordered[:room], ordered[room:]
        for child in shown:
            queue.append(self.add_chain(child, key))
        if folded:
            targets: set[int] = set()
            for child in folded:
                targets |= child.targets
            more = self.key()
            self.nodes.append(
                DiagramNode(
                    more, f"+{len(folded):,} more", "", "", None, NodeRole.MORE, len(targets)
                )
            )
            self.edges.append(DiagramEdge(key, more, "", "", EdgeRole.ELIDED))
            self.folded += len(folded)

    def _order(self, branch: _Branch) -> tuple[int, int, int, int]:
        retained = 0 if self.retained is None else int(self.retained[branch.node])
        return (-len(branch.targets), -retained, int(self.graph.node_id[branch.node]), branch.edge)


def _runs(length: int, max_chain: int) -> list[int | Elision]:
    return visible_runs(length, {0, length - 1}, max_run=max_chain)


def merged_paths_diagram(
    graph: RetentionGraph,
    report: PathReport,
    retained: npt.NDArray[np.int64] | None = None,
    *,
    max_chain: int = 8,
    max_children: int = 8,
    max_nodes: int = 120,
    by_context: bool = False,
    title: str | None = None,
) -> Diagram:
    """The merged shortest paths of ``report`` as one tree diagram.

    Parameters
    ----------
    graph
        The heap the paths were found in.
    report
        Paths from :func:`~leakhunt.analyzers.paths.find_retaining_paths`.
    retained
        Retained size per node ordinal (``DominatorTree.retained_size``), shown in each box.
    max_chain
        Single-child runs longer than this collapse to "… N more hops".
    max_children
        Children drawn per node; the rest fold into "+N more".
    max_nodes
        Boxes drawn in all (breadth first); the rest fold into "+N more".
    by_context
        Draw nodes inside one frame per engine context they are attributed to.
    title
        Caption; a default names the number of targets.

    Returns
    -------
    Diagram
        Kind ``paths``.
    """
    emitter = _Emitter(
        graph,
        retained,
        max_chain=max_chain,
        max_children=max_children,
        max_nodes=max_nodes,
        by_context=by_context,
    )
    queue: deque[tuple[_Branch, str]] = deque()
    for index, ((kind, label), branch) in enumerate(sorted(_build_trie(report).items())):
        key = f"r{index}"
        emitter.nodes.append(
            DiagramNode(key, f"{kind} root", label, "", None, NodeRole.ROOT, len(branch.targets))
        )
        queue.append((branch, key))
    while queue:
        branch, key = queue.popleft()
        emitter.add_children(branch, key, queue)
    clusters = tuple(
        Cluster(f"cluster_c{c}", graph.contexts.name[c]) for c in sorted(emitter.contexts)
    )
    notes = [f"{len(report.targets):,} target(s), {len(report.paths):,} path(s) merged"]
    if report.unreachable:
        notes.append(f"{len(report.unreachable):,} target(s) unreachable, not drawn")
    if emitter.elided_hops:
        notes.append(f"{emitter.elided_hops:,} hop(s) collapsed")
    if emitter.folded:
        notes.append(f"{emitter.folded:,} branch(es) folded into +N more")
    return Diagram(
        kind="paths",
        title=title or f"Merged shortest paths from GC roots to {len(report.targets):,} target(s)",
        nodes=tuple(emitter.nodes),
        edges=tuple(emitter.edges),
        clusters=clusters,
        notes=tuple(notes),
    )
