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

import dataclasses
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.paths import RootDistances
from leakhunt.analyzers.results import PathReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind
from leakhunt.render.diagram import Cluster, Diagram, DiagramEdge, DiagramNode, EdgeRole, NodeRole
from leakhunt.render.diagram_nodes import (
    Elision,
    elided_node,
    graph_edge,
    graph_node,
    visible_runs,
)

__all__ = ["merged_paths_diagram", "merged_tree_diagram"]


@dataclass(slots=True)
class _Branch:
    """One trie node: a graph node reached by one prefix of one or more paths."""

    node: int
    """Graph ordinal (-1 for a root box)."""
    edge: int
    """Edge taken from the parent (-1 for roots)."""
    targets: set[int] | None = field(default_factory=set)
    """Targets whose paths pass through here (None in a tree built from parent edges, where
    each target lies under one child only and :attr:`count` suffices)."""
    count: int = 0
    """How many targets' paths pass through here."""
    ends_here: bool = False
    """Whether some path ends here (the node is a target)."""
    children: dict[int, _Branch] = field(default_factory=dict)
    """By edge ordinal."""


def _build_trie(report: PathReport) -> dict[tuple[str, str], _Branch]:
    roots: dict[tuple[str, str], _Branch] = {}
    for path in report.paths:
        branch = roots.setdefault((path.root_kind.label, path.root_label), _Branch(-1, -1))
        _add_target(branch, path.target)
        steps = [(path.root_edge, path.nodes[0])]
        steps += list(zip(path.edges, path.nodes[1:], strict=True))
        for edge, node in steps:
            branch = branch.children.setdefault(edge, _Branch(node, edge))
            _add_target(branch, path.target)
        branch.ends_here = True
    return roots


def _add_target(branch: _Branch, target: int) -> None:
    assert branch.targets is not None
    branch.targets.add(target)
    branch.count = len(branch.targets)


def _build_tree(
    graph: RetentionGraph, distances: RootDistances, targets: npt.NDArray[np.int64]
) -> dict[tuple[str, str], _Branch]:
    """The BFS tree restricted to the targets' ancestors: every node once, O(ancestors)."""
    first_edge = graph.node_first_edge
    branches: dict[int, _Branch] = {}
    roots: dict[tuple[str, str], _Branch] = {}
    for target in targets.tolist():
        if distances.distance[target] < 0:
            continue
        node, child = int(target), None
        while True:
            existing = branches.get(node)
            branch = existing or _Branch(node, int(distances.parent_edge[node]), None)
            if child is not None:
                branch.children[child.edge] = child
            if existing is not None:
                break
            branches[node] = branch
            if distances.distance[node] <= 1:  # a rooted node: hang it under its root box
                row = int(distances.seed_rows[distances.origin[node]])
                key = (
                    RootKind(int(graph.roots.kind[row])).label,
                    graph.strings[int(graph.roots.label[row])],
                )
                roots.setdefault(key, _Branch(-1, -1, None)).children[branch.edge] = branch
                break
            child = branch
            node = int(np.searchsorted(first_edge, branch.edge, side="right")) - 1
    # Counts bottom-up: deepest first, each node adds its count to its parent.
    reached = [int(t) for t in targets.tolist() if distances.distance[t] >= 0]
    for target in reached:
        branches[target].ends_here = True
        branches[target].count += 1
    parent_of: dict[int, _Branch] = {}
    for branch in branches.values():
        for child in branch.children.values():
            parent_of[child.node] = branch
    for node in sorted(branches, key=lambda v: -int(distances.distance[v])):
        parent = parent_of.get(node)
        if parent is not None:
            parent.count += branches[node].count
    for root in roots.values():
        root.count = sum(child.count for child in root.children.values())
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
                through=branch.count,
                cluster=self.cluster(branch.node),
            )
        )
        if parent.startswith("r"):
            self.edges.append(DiagramEdge(parent, key, "", "root", EdgeRole.REFERENCE))
        else:
            self.edges.append(graph_edge(self.graph, branch.edge, parent, key))
        return key

    def add_chain(self, start: _Branch, parent: str) -> tuple[_Branch, str]:
        """Draw ``start`` and its single-child descendants; return the last one and its key.

        A run may pass through targets (a linked list of leaked items holds the next item);
        a collapsed run says how many targets it hides.
        """
        chain = [start]
        while len(chain[-1].children) == 1:
            chain.append(next(iter(chain[-1].children.values())))
        key = parent
        pending_elision = False
        position = -1
        first_target = next((i for i, branch in enumerate(chain) if branch.ends_here), 0)
        pinned = {0, first_target, len(chain) - 1}
        for item in visible_runs(len(chain), pinned, max_run=self.max_chain):
            if isinstance(item, Elision):
                run = chain[position + 1 : position + 1 + item.hidden]
                position += item.hidden
                hidden_key = self.key()
                box = elided_node(hidden_key, item.hidden)
                targets = sum(1 for branch in run if branch.ends_here)
                if targets:
                    noun = "target" if targets == 1 else "targets"
                    box = dataclasses.replace(box, subtitle=f"{targets:,} {noun} among them")
                self.nodes.append(box)
                self.edges.append(DiagramEdge(key, hidden_key, "", "", EdgeRole.ELIDED))
                self.elided_hops += item.hidden
                key, pending_elision = hidden_key, True
                continue
            position = item
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
            if all(child.targets is not None for child in folded):
                union: set[int] = set()
                for child in folded:
                    union |= child.targets or set()
                hidden = len(union)
            else:  # a tree: each target lies under one child only
                hidden = sum(child.count for child in folded)
            more = self.key()
            self.nodes.append(
                DiagramNode(more, f"+{len(folded):,} more", "", "", None, NodeRole.MORE, hidden)
            )
            self.edges.append(DiagramEdge(key, more, "", "", EdgeRole.ELIDED))
            self.folded += len(folded)

    def _order(self, branch: _Branch) -> tuple[int, int, int, int]:
        retained = 0 if self.retained is None else int(self.retained[branch.node])
        return (-branch.count, -retained, int(self.graph.node_id[branch.node]), branch.edge)


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
    limits = _Limits(max_chain, max_children, max_nodes, by_context)
    notes = [f"{len(report.targets):,} target(s), {len(report.paths):,} path(s) merged"]
    if report.unreachable:
        notes.append(f"{len(report.unreachable):,} target(s) unreachable, not drawn")
    title = title or f"Merged shortest paths from GC roots to {len(report.targets):,} target(s)"
    return _draw(graph, _build_trie(report), retained, limits, notes, title)


def merged_tree_diagram(
    graph: RetentionGraph,
    distances: RootDistances,
    targets: Sequence[int] | npt.NDArray[np.integer],
    retained: npt.NDArray[np.int64] | None = None,
    *,
    max_chain: int = 8,
    max_children: int = 8,
    max_nodes: int = 120,
    by_context: bool = False,
    title: str | None = None,
) -> Diagram:
    """The same diagram as :func:`merged_paths_diagram`, straight from the search's parent edges.

    Each target's shortest path is the chain of parent edges of
    :func:`~leakhunt.analyzers.paths.compute_root_distances`, so the merged paths are the
    search tree cut down to the targets' ancestors: built in time proportional to the
    ancestors, not to the summed path lengths (100,000 targets at the end of one long list
    share one chain). Same parameters as :func:`merged_paths_diagram`.
    """
    wanted = np.unique(np.asarray(targets, dtype=np.int64))
    reached = int(np.count_nonzero(distances.distance[wanted] >= 0))
    limits = _Limits(max_chain, max_children, max_nodes, by_context)
    notes = [f"{wanted.size:,} target(s), shortest paths merged"]
    if reached < wanted.size:
        notes.append(f"{wanted.size - reached:,} target(s) unreachable, not drawn")
    title = title or f"Merged shortest paths from GC roots to {wanted.size:,} target(s)"
    return _draw(graph, _build_tree(graph, distances, wanted), retained, limits, notes, title)


@dataclass(frozen=True, slots=True)
class _Limits:
    max_chain: int
    max_children: int
    max_nodes: int
    by_context: bool


def _draw(
    graph: RetentionGraph,
    roots: dict[tuple[str, str], _Branch],
    retained: npt.NDArray[np.int64] | None,
    limits: _Limits,
    notes: list[str],
    title: str,
) -> Diagram:
    emitter = _Emitter(
        graph,
        retained,
        max_chain=limits.max_chain,
        max_children=limits.max_children,
        max_nodes=limits.max_nodes,
        by_context=limits.by_context,
    )
    queue: deque[tuple[_Branch, str]] = deque()
    for index, ((kind, label), branch) in enumerate(sorted(roots.items())):
        key = f"r{index}"
        emitter.nodes.append(
            DiagramNode(key, f"{kind} root", label, "", None, NodeRole.ROOT, branch.count)
        )
        queue.append((branch, key))
    while queue:
        branch, key = queue.popleft()
        emitter.add_children(branch, key, queue)
    clusters = tuple(
        Cluster(f"cluster_c{c}", graph.contexts.name[c]) for c in sorted(emitter.contexts)
    )
    if emitter.elided_hops:
        notes.append(f"{emitter.elided_hops:,} hop(s) collapsed")
    if emitter.folded:
        notes.append(f"{emitter.folded:,} branch(es) folded into +N more")
    return Diagram(
        kind="paths",
        title=title,
        nodes=tuple(emitter.nodes),
        edges=tuple(emitter.edges),
        clusters=clusters,
        notes=tuple(notes),
    )
