"""Shortest retaining paths from roots, for any number of targets, from one traversal.

One breadth-first search from all root edges (:func:`compute_root_distances`) labels every
node with the edge it was first reached through; each target's preferred path is then read
backwards in O(path length). Roots are searched in tiers, like Chrome DevTools' distances:
user roots (the global object) first, then durable system roots (handles, embedder roots,
engine roots), then transient roots (stack, handle scopes). A later tier only reaches what
the earlier ones could not, so a path that starts at a transient root means that nothing
durable holds the target. Weak edges and weak roots are never followed unless asked, and a
weak-map value is reached only once both its map and its key are, through the key.

Further paths per target (``max_paths > 1``) come from a best-first search over retainers
that uses the BFS distances as its estimate. Paths of one target differ in the objects they
pass through, not only in which of several parallel references they take.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> app = b.add_node(NodeKind.OBJECT, "App", node_id=3)
>>> leak = b.add_node(NodeKind.OBJECT, "Leak", node_id=5)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, app, EdgeKind.PROPERTY, "app")
>>> _ = b.add_edge(app, leak, EdgeKind.PROPERTY, "cache")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> report = find_retaining_paths(g, [leak])
>>> path = report.paths[0]
>>> path.root_kind.label, [g.node_label(v) for v in path.nodes]
('user', ['global', 'App', 'Leak'])

References
----------
Chrome DevTools heap snapshot worker, ``HeapSnapshot.calculateDistances`` (two-pass BFS).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import root_bfs
from leakhunt.analyzers.results import PathReport, RetentionPath
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import STRONG_EDGE_KINDS, EdgeKind, RootKind, edge_kind_table
from leakhunt.graph.retainers import Retainers, build_retainers
from leakhunt.options import PathOptions

__all__ = ["RootDistances", "compute_root_distances", "find_retaining_paths"]

_ROOT_KINDS = tuple(RootKind)  # by value: cheaper than RootKind(value) per path
_USER_TIER, _DURABLE_TIER, _TRANSIENT_TIER, _WEAK_TIER = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class RootDistances:
    """The result of the tiered root BFS."""

    distance: npt.NDArray[np.int32]
    """Hops from the preferred root; the rooted node itself has 1; -1 when unreached."""
    parent_edge: npt.NDArray[np.int64]
    """Edge each node was reached through (a root edge for rooted nodes); -1 when unreached."""
    origin: npt.NDArray[np.int32]
    """Row of :attr:`seed_rows` whose root reaches the node; -1 when unreached."""
    seed_rows: npt.NDArray[np.int64]
    """Root-table rows in the order they were seeded."""
    include_weak: bool
    """Whether weak edges and weak roots were followed."""


def _traversable(include_weak: bool) -> npt.NDArray[np.bool_]:
    kinds = set(STRONG_EDGE_KINDS) - {EdgeKind.SHORTCUT}
    kinds.add(EdgeKind.EPHEMERON)
    if include_weak:
        kinds |= {EdgeKind.WEAK, EdgeKind.WEAK_CALLBACK}
    return edge_kind_table(kinds)


def _seed_order(
    graph: RetentionGraph, include_weak: bool
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    roots = graph.roots
    kinds = roots.kind.astype(np.int64)
    weak = (kinds == RootKind.WEAK_GLOBAL_HANDLE) | (graph.edge_kind[roots.edge] == EdgeKind.WEAK)
    transient = (
        (kinds == RootKind.STACK) | (kinds == RootKind.HANDLE_SCOPE) | (kinds == RootKind.SCOPED)
    )
    tier = np.where(kinds == RootKind.USER, _USER_TIER, _DURABLE_TIER)
    tier = np.where(transient, _TRANSIENT_TIER, tier)
    tier = np.where(weak, _WEAK_TIER, tier)
    keep = np.ones(len(roots), dtype=np.bool_) if include_weak else ~weak
    rows = np.flatnonzero(keep)
    order = np.lexsort((rows, kinds[rows], tier[rows]))
    rows = rows[order]
    return rows.astype(np.int64), tier[rows].astype(np.int32)


def compute_root_distances(graph: RetentionGraph, *, include_weak: bool = False) -> RootDistances:
    """Run the tiered, ephemeron-aware BFS from all root edges (see the module docstring)."""
    rows, tiers = _seed_order(graph, include_weak)
    eph = graph.ephemerons
    distance, parent_edge, origin = root_bfs(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        _traversable(include_weak),
        graph.roots.edge[rows],
        tiers,
        eph.edge,
        eph.entry,
        eph.from_key,
        eph.entry_halves,
    )
    return RootDistances(distance, parent_edge, origin, rows, include_weak)


def _preferred_paths(
    graph: RetentionGraph, distances: RootDistances, targets: npt.NDArray[np.int64]
) -> list[RetentionPath]:
    """The BFS-tree path of every target, walked for all targets at once (one step a round)."""
    if not targets.size:
        return []
    first_edge = graph.node_first_edge
    owner: list[npt.NDArray[np.int64]] = []
    step_nodes: list[npt.NDArray[np.int64]] = []
    step_edges: list[npt.NDArray[np.int64]] = []
    active = np.arange(targets.size, dtype=np.int64)
    current = targets.copy()
    while active.size:
        more = distances.distance[current] > 1
        active, current = active[more], current[more]
        if not active.size:
            break
        edges = distances.parent_edge[current]
        current = np.searchsorted(first_edge, edges, side="right").astype(np.int64) - 1
        owner.append(active)
        step_nodes.append(current)
        step_edges.append(edges)
    rows = distances.seed_rows[distances.origin[targets]]
    if owner:
        owners = np.concatenate(owner)
        order = np.argsort(owners, kind="stable")  # per target, steps from the target upwards
        all_nodes = np.concatenate(step_nodes)[order].tolist()
        all_edges = np.concatenate(step_edges)[order].tolist()
        bounds = np.searchsorted(owners[order], np.arange(targets.size + 1)).tolist()
    else:
        all_nodes, all_edges, bounds = [], [], [0] * (targets.size + 1)
    paths = []
    for index, (target, row) in enumerate(zip(targets.tolist(), rows.tolist(), strict=True)):
        lo, hi = bounds[index], bounds[index + 1]
        nodes = [*all_nodes[lo:hi][::-1], target]
        edges = all_edges[lo:hi][::-1]
        paths.append(_make_path(graph, row, int(distances.parent_edge[nodes[0]]), nodes, edges))
    return paths


def _make_path(
    graph: RetentionGraph, row: int, root_edge: int, nodes: Sequence[int], edges: Sequence[int]
) -> RetentionPath:
    return RetentionPath(
        target=nodes[-1],
        root_kind=_ROOT_KINDS[int(graph.roots.kind[row])],
        root_label=graph.strings[int(graph.roots.label[row])],
        root_edge=root_edge,
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


class _AlternativePaths:
    """Best-first search over retainers for paths beyond the preferred one."""

    def __init__(
        self, graph: RetentionGraph, distances: RootDistances, retainers: Retainers
    ) -> None:
        self.graph = graph
        self.distances = distances
        self.retainers = retainers
        self.traversable = _traversable(distances.include_weak)
        self.root_row: dict[int, int] = {}
        for row in distances.seed_rows.tolist():
            self.root_row.setdefault(int(graph.edge_target[graph.roots.edge[row]]), row)
        eph = graph.ephemerons
        self.eph_from_key = dict(zip(eph.edge.tolist(), eph.from_key.tolist(), strict=True))

    def _usable(self, edge: int, source: int) -> bool:
        kind = int(self.graph.edge_kind[edge])
        if not self.traversable[kind] or self.distances.distance[source] < 0:
            return False
        # Weak-map values are explained through their key, never through the table.
        return kind != EdgeKind.EPHEMERON or self.eph_from_key.get(edge, False)

    def search(
        self, target: int, wanted: int, limit: int, seen: set[tuple[int, ...]]
    ) -> list[RetentionPath]:
        """Up to ``wanted`` paths whose node sequences are not in ``seen`` (updated).

        Paths are told apart by the nodes they pass through: a second reference between the
        same two objects (an array holding the target twice) is not another way the target
        is retained, so it never makes a path of its own.
        """
        found: list[RetentionPath] = []
        dist = self.distances.distance
        counter = 0
        frontier: list[tuple[int, int, tuple[int, ...], tuple[int, ...]]] = [
            (int(dist[target]), 0, (target,), ())
        ]
        expansions = 0
        while frontier and len(found) < wanted and expansions < limit:
            _, _, nodes, edges = heapq.heappop(frontier)
            expansions += 1
            head = nodes[0]
            row = self.root_row.get(head)
            if row is not None and nodes not in seen:
                seen.add(nodes)
                found.append(
                    _make_path(self.graph, row, int(self.graph.roots.edge[row]), nodes, edges)
                )
            on_path = set(nodes)
            for edge in self.retainers.edges_into(head).tolist():
                source = int(self.retainers.edge_source[edge])
                if source in on_path or not self._usable(edge, source):
                    continue
                on_path.add(source)  # one edge per retainer: parallel edges add no path
                counter += 1
                cost = len(edges) + 1 + int(dist[source])
                heapq.heappush(frontier, (cost, counter, (source, *nodes), (edge, *edges)))
        return found


def find_retaining_paths(
    graph: RetentionGraph,
    targets: Sequence[int] | npt.NDArray[np.integer],
    options: PathOptions | None = None,
    *,
    distances: RootDistances | None = None,
    retainers: Retainers | None = None,
) -> PathReport:
    """Retaining paths from roots to every target, from one traversal.

    Parameters
    ----------
    graph
        The heap.
    targets
        Node ordinals to explain.
    options
        Weak handling and paths per target.
    distances, retainers
        Precomputed traversal and reverse CSR to reuse (for example from a cache).

    Returns
    -------
    PathReport
        Paths grouped by target (preferred first), the unreachable targets, and the targets
        held only through transient roots.
    """
    options = options or PathOptions()
    wanted = np.unique(np.asarray(targets, dtype=np.int64))
    if distances is None or distances.include_weak != options.include_weak:
        distances = compute_root_distances(graph, include_weak=options.include_weak)
    alternatives = None
    if options.max_paths > 1:
        retainers = retainers if retainers is not None else build_retainers(graph)
        alternatives = _AlternativePaths(graph, distances, retainers)
    reached = distances.distance[wanted] >= 0
    preferred = _preferred_paths(graph, distances, wanted[reached])
    paths: list[RetentionPath] = []
    for path in preferred:
        paths.append(path)
        if alternatives is not None:
            seen = {path.nodes}
            paths.extend(
                alternatives.search(
                    path.target, options.max_paths - 1, options.max_expansions, seen
                )
            )
    transient_only = [p.target for p in preferred if not p.root_kind.lifetime_known]
    return PathReport(
        targets=tuple(wanted.tolist()),
        paths=tuple(paths),
        unreachable=tuple(wanted[~reached].tolist()),
        include_weak=options.include_weak,
        transient_only=tuple(transient_only),
    )
