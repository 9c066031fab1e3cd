"""Leak suspects in one snapshot: accumulation points, groups, closure contexts, detached DOM.

:func:`find_suspects` answers Eclipse MAT's "Leak Suspects" question for a JavaScript heap.
Each suspect carries its kind, retained size, holder, trace (one BFS serves every suspect),
evidence and a fingerprint (:mod:`leakhunt.analyzers.fingerprints`); suspects of one kind with
equal fingerprints are one mechanism and are merged, their retained sizes counted once where
one contains another.

* accumulation points and groups: :mod:`leakhunt.analyzers.accumulation`;
* closure-context leaks: :mod:`leakhunt.analyzers.closure_contexts`;
* detached DOM subtrees: nodes the engine flags as detached (V8 ``detachedness`` 2), reported
  at the top of each detached subtree, held through the path the BFS finds.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
>>> cache = b.add_node(NodeKind.OBJECT, "Cache", node_id=3)
>>> _ = b.add_root(glob, RootKind.USER, "global")
>>> _ = b.add_edge(glob, cache, EdgeKind.PROPERTY, "cache")
>>> for i in range(20):
...     item = b.add_node(NodeKind.OBJECT, "Item", node_id=5 + 2 * i, self_size=100)
...     _ = b.add_edge(cache, item, EdgeKind.ELEMENT, i)
>>> graph = b.freeze(SourceInfo("inline", "test", "none"))
>>> report = find_suspects(graph, options=SuspectOptions(min_retained=0))
>>> [(s.kind, s.holder, s.count, s.retained_size) for s in report.suspects]
[('accumulation point', 'Cache @3', 20, 2000)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.accumulation import find_accumulation_points, find_groups
from leakhunt.analyzers.closure_contexts import ContextRetention, find_closure_context_leaks
from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.fingerprints import normalise_edge
from leakhunt.analyzers.leak_results import Suspect, SuspectReport
from leakhunt.analyzers.paths import RootDistances, find_retaining_paths
from leakhunt.analyzers.results import RetentionPath
from leakhunt.analyzers.traces import application_mask, display_class, make_trace, trace_fingerprint
from leakhunt.errors import ConfigError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["SuspectOptions", "find_suspects"]

ACCUMULATION = "accumulation point"
GROUP = "group"
CLOSURE_CONTEXT = "closure context"
DETACHED_DOM = "detached DOM"
_EDGE_KINDS = tuple(kind.label for kind in EdgeKind)
SUSPECT_KINDS = (ACCUMULATION, GROUP, CLOSURE_CONTEXT, DETACHED_DOM)
"""Every kind of suspect, in report order."""


@dataclass(frozen=True, slots=True)
class SuspectOptions:
    """Thresholds of the suspect rules."""

    min_share: float = 0.10
    """Accumulation points and groups: retained size as a share of the heap, at least
    (Eclipse MAT's default)."""
    min_retained: int = 16 * 1024
    """…and in bytes, at least (both must hold)."""
    dominant_share: float = 0.8
    """Walk down while one child keeps this share of its parent's retained size."""
    min_instances: int = 10
    """Instances of one class needed for an accumulation point or a group."""
    class_share: float = 0.5
    """Accumulation points: share of the point's retained size in instances of one class."""
    group_share: float = 0.8
    """Groups: share of a class's instances owned by one object."""
    context_min_retained: int = 1024
    """Closure contexts: bytes an unused variable must keep alive to be reported."""
    kinds: tuple[str, ...] = (
        "accumulation point",
        "group",
        "closure context",
        "detached DOM",
    )
    """Which kinds of suspect to look for (the others cost nothing)."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.kinds) - set(SUSPECT_KINDS))
        if unknown:
            raise ConfigError(f"unknown suspect kind {unknown[0]!r}")
        for name in ("min_share", "dominant_share", "class_share", "group_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be between 0 and 1, not {value}")
        for name in ("min_retained", "min_instances", "context_min_retained"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative")


@dataclass(slots=True)
class _Draft:
    kind: str
    target: int
    holder: int
    retained: int
    title: str
    evidence: tuple[str, ...]
    heuristic: bool = False
    count: int = 1
    location_node: int = -1


def _instance_classes(graph: RetentionGraph) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """A class code per node, closures told apart by function name, and the code names."""
    closure = graph.node_kind == NodeKind.CLOSURE
    offset = len(graph.strings)
    codes = np.where(
        closure, graph.node_name.astype(np.int64) + offset, graph.node_class.astype(np.int64)
    )
    names = (*graph.strings, *(f"Function {s}".rstrip() for s in graph.strings))
    return codes, names


def _js(graph: RetentionGraph) -> npt.NDArray[np.bool_]:
    """JavaScript objects and functions (not embedder-owned natives)."""
    js: npt.NDArray[np.bool_] = (graph.node_kind == NodeKind.OBJECT) | (
        graph.node_kind == NodeKind.CLOSURE
    )
    return js


def _label(graph: RetentionGraph, node: int) -> str:
    return f"{display_class(graph, node)} @{int(graph.node_id[node])}"


def _accumulations(
    graph: RetentionGraph,
    tree: DominatorTree,
    app: npt.NDArray[np.bool_],
    floor: int,
    options: SuspectOptions,
) -> list[_Draft]:
    points = find_accumulation_points(
        *_instance_classes(graph),
        app,
        _js(graph),
        tree,
        min_retained=floor,
        dominant_share=options.dominant_share,
        min_instances=options.min_instances,
        class_share=options.class_share,
    )
    drafts = []
    for p in points:
        retained = int(tree.retained_size[p.point])
        where = "" if p.point == p.holder else f" in its backing store {_label(graph, p.point)}"
        drafts.append(
            _Draft(
                ACCUMULATION,
                p.point,
                p.holder,
                retained,
                f"{p.top_class_count} {p.top_class} objects pile up in {_label(graph, p.holder)}",
                (
                    f"the dominator-tree walk from {_label(graph, p.start)} stops at {_label(graph, p.point)}: "
                    f"no child keeps {options.dominant_share:.0%} of its retained size",
                    f"{p.children} dominated children{where}; {p.top_class_count} are {p.top_class} "
                    f"holding {p.top_class_share:.0%} of the retained size",
                ),
                count=p.top_class_count,
            )
        )
    return drafts


def _groups(
    graph: RetentionGraph,
    tree: DominatorTree,
    app: npt.NDArray[np.bool_],
    floor: int,
    options: SuspectOptions,
    taken: set[int],
) -> list[_Draft]:
    groups = find_groups(
        *_instance_classes(graph),
        app,
        _js(graph),
        tree,
        min_retained=floor,
        min_instances=options.min_instances,
        group_share=options.group_share,
    )
    return [
        _Draft(
            GROUP,
            g.owner,
            g.owner,
            g.retained_size,
            f"{g.count} of {g.total} {g.class_name} objects are owned by {_label(graph, g.owner)}",
            (
                f"{g.count / g.total:.0%} of the {g.class_name} instances have {_label(graph, g.owner)} "
                "as their nearest application-level dominator",
            ),
            count=g.count,
        )
        for g in groups
        if g.owner not in taken
    ]


def _contexts(
    graph: RetentionGraph, found: list[ContextRetention], tree: DominatorTree
) -> list[_Draft]:
    drafts = []
    for c in found:
        holders = ", ".join(_label(graph, h) for h in c.holders) or "no closure directly"
        evidence: tuple[str, ...]
        if c.heuristic:
            evidence = (
                f"{_label(graph, c.context)} keeps {_label(graph, c.value)} in variable '{c.variable}'",
                f"through it, {c.chain_links} contexts with the same variables hold one another: a chain "
                "that grows by one context per call",
                "heuristic: this snapshot does not say which variables the closures read (Node 20 "
                "writes no scope sections); check that no live closure uses the variable",
            )
        else:
            used = ", ".join(repr(u) for u in c.used_by_holders) or "none of its variables"
            evidence = (
                f"{_label(graph, c.context)} keeps {_label(graph, c.value)} in variable '{c.variable}'",
                f"the live closures holding the context ({holders}) read {used}, not '{c.variable}' "
                "(the snapshot's scope_uses section)",
            )
        drafts.append(
            _Draft(
                CLOSURE_CONTEXT,
                c.value,
                c.context,
                int(tree.retained_size[c.value]),
                f"context variable '{c.variable}' kept alive by {holders}",
                evidence,
                heuristic=c.heuristic,
                location_node=c.holders[0] if c.holders else -1,
            )
        )
    return drafts


def _detached(graph: RetentionGraph, tree: DominatorTree, floor_bytes: int) -> list[_Draft]:
    if not np.any(graph.node_detachedness == 1):
        # No node is flagged attached: there is no document (Node flags its own embedder
        # objects "detached"), so the flag says nothing about DOM trees.
        return []
    detached = graph.node_detachedness == 2
    tops = np.flatnonzero(detached & ~detached[tree.idom])
    tops = tops[tops != 0]
    return [
        _Draft(
            DETACHED_DOM,
            int(top),
            int(top),
            int(tree.retained_size[top]),
            f"detached DOM subtree {_label(graph, int(top))} is still reachable",
            (
                "the engine flags the node as detached from its document; the trace shows what holds it",
            ),
        )
        for top in tops.tolist()
        if int(tree.retained_size[top]) >= floor_bytes
    ]


def _holder_on_path(
    graph: RetentionGraph, path: RetentionPath, app: npt.NDArray[np.bool_], detached: bool
) -> int:
    for node in reversed(path.nodes[:-1]):
        if app[node] and not (detached and graph.node_detachedness[node] == 2):
            return int(node)
    return int(path.nodes[0])


def _tops(idom: npt.NDArray[np.int32], members: list[int]) -> list[int]:
    """Members no other member dominates."""
    member = set(members)
    tops = []
    for node in members:
        parent = int(idom[node])
        while parent != 0 and parent not in member:
            parent = int(idom[parent])
        if parent == 0:
            tops.append(node)
    return tops


def find_suspects(
    graph: RetentionGraph,
    tree: DominatorTree | None = None,
    options: SuspectOptions | None = None,
    *,
    distances: RootDistances | None = None,
) -> SuspectReport:
    """The leak suspects of ``graph`` (see the module docstring)."""
    options = options or SuspectOptions()
    tree = tree if tree is not None else compute_dominators(graph)
    app = application_mask(graph)
    total = int(tree.retained_size[0])
    floor = max(options.min_retained, int(options.min_share * total))
    kinds = set(options.kinds)
    drafts = _accumulations(graph, tree, app, floor, options) if ACCUMULATION in kinds else []
    if GROUP in kinds:
        drafts += _groups(graph, tree, app, floor, options, {d.holder for d in drafts})
    if CLOSURE_CONTEXT in kinds:
        # Each link of a chain may be small; the threshold applies to the merged mechanism.
        drafts += _contexts(graph, find_closure_context_leaks(graph, tree, min_retained=0), tree)
    if DETACHED_DOM in kinds:
        drafts += _detached(graph, tree, 0)
    paths = find_retaining_paths(graph, [d.target for d in drafts], distances=distances)
    path_of = {p.target: p for p in paths.paths}
    merged: dict[tuple[str, str], list[Suspect]] = defaultdict(list)
    for draft in drafts:
        path = path_of.get(draft.target)
        if path is None:
            continue
        if draft.kind == DETACHED_DOM:
            draft.holder = _holder_on_path(graph, path, app, detached=True)
        trace = make_trace(graph, path, tree.retained_size)
        suspect = Suspect(
            kind=draft.kind,
            title=draft.title,
            retained_size=draft.retained,
            holder_id=int(graph.node_id[draft.holder]),
            holder=_label(graph, draft.holder),
            evidence=draft.evidence,
            heuristic=draft.heuristic,
            fingerprint=trace_fingerprint(draft.kind, trace),
            trace=trace,
            count=draft.count,
            location=_location(graph, draft.location_node),
        )
        key = suspect.fingerprint
        if draft.kind == DETACHED_DOM:
            # Detached nodes held by one reference of one object are one finding, whatever
            # node of the subtree the reference enters by.
            key = f"{suspect.holder}\x00{_reference_from(graph, path, draft.holder)}"
        merged[(draft.kind, key)].append(suspect)
    suspects = [
        _merge(graph, tree, group, [s.trace.steps[-1].node for s in group])
        for group in merged.values()
    ]
    suspects = [
        s
        for s in suspects
        if s.kind != CLOSURE_CONTEXT or s.retained_size >= options.context_min_retained
    ]
    suspects.sort(key=lambda s: (-s.retained_size, SUSPECT_KINDS.index(s.kind), s.holder_id))
    notes = []
    if CLOSURE_CONTEXT in kinds and not graph.captured_uses.known:
        notes.append(
            "closure-context verdicts are heuristic: the snapshot does not say which variables functions read"
        )
    return SuspectReport(graph.source.path, total, tuple(suspects), tuple(notes))


def _reference_from(graph: RetentionGraph, path: RetentionPath, holder: int) -> str:
    """The normalised reference leaving ``holder`` on ``path`` (empty when it is the target)."""
    for node, edge in zip(path.nodes, path.edges, strict=False):
        if node == holder:
            return normalise_edge(
                _EDGE_KINDS[int(graph.edge_kind[edge])], graph.edge_name_text(edge)
            )
    return ""


def _merge(
    graph: RetentionGraph, tree: DominatorTree, group: list[Suspect], targets: list[int]
) -> Suspect:
    if len(group) == 1:
        return group[0]
    tops = set(_tops(tree.idom, targets))
    retained = sum(s.retained_size for s, t in zip(group, targets, strict=True) if t in tops)
    best = max(group, key=lambda s: (s.retained_size, -s.holder_id))
    count = sum(s.count for s in group)
    title = best.title
    if best.kind == CLOSURE_CONTEXT:
        title = f"{best.title} ({len(group)} contexts)"
    elif best.kind == DETACHED_DOM:
        title = f"detached DOM held by {best.holder} ({len(group)} subtree tops)"
    return replace(best, retained_size=retained, count=count, title=title)


def _location(graph: RetentionGraph, node: int) -> tuple[str, int, int] | None:
    if node < 0:
        return None
    row = graph.code_locations.row_of(node)
    if row < 0:
        return None
    table = graph.code_locations
    return graph.strings[int(table.script[row])], int(table.line[row]), int(table.column[row])
