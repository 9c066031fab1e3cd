"""Zombie contexts: contexts that should be dead but are retained, each with its evidence.

A context is reported when it is still reachable and at least one kind of evidence says it
should be dead (strongest first):

(a) **engine or embedder**: the dump marks it ``disposed``, or its window's document is
    ``detached``;
(b) **user**: it matches an ``expect_dead`` pattern (and no ``expect_live`` pattern);
(c) **front-door rule**: nothing alive without it holds its front door (its context node,
    global, global proxy or sandbox link); it is reached only through back doors (objects or
    functions created inside it, cross-context wrapper targets). A context matching an
    ``expect_live`` pattern is exempt from this rule.

The main context (role ``main``) is never reported. Each zombie carries its retained size and
node count, the shortest retaining path from a GC root to the context (user roots first) with
the **crossing edge** (the last edge entering the context from outside) and its holder named,
the root kind, and the mechanism in words (:mod:`.mechanisms`). Zombies are sorted by retained
size, largest first.

Patterns: ``class:NAME`` matches a context that owns a node of class ``NAME`` (a marker
class); anything else is a shell-style pattern (``*``, ``?``, ``[…]``) matched against the
context's name, or a substring of it when it has no wildcard.

Examples
--------
>>> import pathlib
>>> from leakhunt.importers import ImportOptions, load_graph
>>> fixture = pathlib.Path(__file__).parents[2] / "fixtures/spidermonkey/embedder/embedder_realms.log.gz"
>>> g = load_graph(str(fixture), format=None, options=ImportOptions(), progress=None)
>>> report = find_zombie_contexts(g)
>>> [(z.name, z.mechanism.value) for z in report.zombies]
[('embedder://zombie-addon/', 'cross-compartment wrapper'), ('embedder://zombie-addon/frame', 'cross-compartment wrapper')]
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from leakhunt.analyzers.contexts import (
    ContextAnalysis,
    ContextReport,
    ContextRow,
    analyze_contexts,
    compute_context_report,
    front_door_nodes,
)
from leakhunt.analyzers.mechanisms import (
    Mechanism,
    recognise_mechanism,
    recognise_root_mechanism,
)
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import RootKind

__all__ = ["Evidence", "EvidenceKind", "Zombie", "ZombieReport", "find_zombie_contexts"]

_DEAD_STATES = frozenset({"disposed", "detached"})
_WILDCARDS = frozenset("*?[")


class EvidenceKind(StrEnum):
    """Where a verdict comes from, strongest first."""

    ENGINE = "engine"
    USER = "user"
    FRONT_DOOR = "front-door rule"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to call a context a zombie."""

    kind: EvidenceKind
    """Its source."""
    detail: str
    """What exactly says so, in words."""


@dataclass(frozen=True, slots=True)
class Zombie:
    """One context that should be dead but is retained."""

    context: int
    """Index into the context table."""
    name: str
    """Its unique name."""
    row: ContextRow
    """Its full accounting row."""
    evidence: tuple[Evidence, ...]
    """Why it is reported, strongest first."""
    path_nodes: tuple[int, ...]
    """Shortest retaining path from a GC root to the context's node (or global)."""
    path_edges: tuple[int, ...]
    """Edges of :attr:`path_nodes` (``path_edges[i]`` leads to ``path_nodes[i + 1]``)."""
    root_edge: int
    """The root edge holding ``path_nodes[0]``."""
    root_kind: RootKind
    """Why that root is a root."""
    root_label: str
    """The engine's name for that root."""
    crossing: int
    """Index into :attr:`path_edges` of the crossing edge: where the path passes from live
    territory into zombie territory (-1 when the root enters directly)."""
    entry: int
    """Index into :attr:`path_edges` of the last edge entering this context itself (equal to
    :attr:`crossing` unless the context is held through another zombie)."""
    holder: int
    """The node holding the context across the crossing edge (the root's target if none)."""
    holder_context: str
    """Name of the live context the holder belongs to (or of the nearest node before it that
    belongs to one), ``""`` when none."""
    mechanism: Mechanism
    """What keeps it alive."""
    mechanism_node: int
    """The node the mechanism is about (timer, emitter, map, or the holder)."""

    @property
    def crossing_edge(self) -> int:
        """The crossing edge ordinal, or -1."""
        return self.path_edges[self.crossing] if self.crossing >= 0 else -1


@dataclass(frozen=True, slots=True)
class ZombieReport:
    """All zombies of one graph and the accounting they came from."""

    zombies: tuple[Zombie, ...]
    """Sorted by retained size, largest first."""
    contexts: ContextReport
    """The per-context accounting."""
    expect_dead: tuple[str, ...]
    """The user's patterns for contexts that should be dead."""
    expect_live: tuple[str, ...]
    """The user's patterns for contexts that should be alive."""
    unmatched_patterns: tuple[str, ...]
    """Patterns that matched no context."""


def _matches(graph: RetentionGraph, row: ContextRow, pattern: str, classes: set[str]) -> bool:
    if pattern.startswith("class:"):
        return pattern[len("class:") :] in classes
    if _WILDCARDS & set(pattern):
        return fnmatch.fnmatchcase(row.name, pattern)
    return pattern in row.name


def _classes_by_context(graph: RetentionGraph, wanted: set[str]) -> list[set[str]]:
    k = len(graph.contexts)
    per: list[set[str]] = [set() for _ in range(k)]
    if not wanted:
        return per
    indices = {graph.strings.index(name) for name in wanted if name in graph.strings}
    if not indices:
        return per
    hits = np.flatnonzero(np.isin(graph.node_class, list(indices)) & (graph.node_context >= 0))
    for node in hits.tolist():
        per[int(graph.node_context[node])].add(graph.strings[int(graph.node_class[node])])
    return per


def _evidence(
    row: ContextRow, dead: bool, live: bool, dead_patterns: list[str]
) -> tuple[Evidence, ...]:
    found: list[Evidence] = []
    if row.state in _DEAD_STATES:
        detail = row.state_note or f"the dump marks it {row.state}"
        found.append(Evidence(EvidenceKind.ENGINE, f"{row.state}: {detail}"))
    if dead and not live:
        found.append(
            Evidence(EvidenceKind.USER, "matches --expect-dead " + ", ".join(dead_patterns))
        )
    if not row.front_door_held and not live:
        found.append(
            Evidence(
                EvidenceKind.FRONT_DOOR,
                "nothing alive without it holds its front door (its global, global proxy or "
                "sandbox); only objects created inside it are held from outside",
            )
        )
    return tuple(found)


def _path_to(
    graph: RetentionGraph, analysis: ContextAnalysis, target: int
) -> tuple[list[int], list[int]]:
    reach = analysis.reach
    first = graph.node_first_edge
    nodes, edges = [target], []
    node = target
    while reach.distance[node] > 1:
        edge = int(reach.parent_edge[node])
        node = int(np.searchsorted(first, edge, side="right")) - 1
        nodes.append(node)
        edges.append(edge)
    return nodes[::-1], edges[::-1]


def _describe(
    graph: RetentionGraph,
    analysis: ContextAnalysis,
    row: ContextRow,
    names: Sequence[str],
    doors: frozenset[int],
    evidence: tuple[Evidence, ...],
    zombie_contexts: frozenset[int],
) -> Zombie:
    anchor = row.node if row.node >= 0 else row.global_node
    nodes, edges = _path_to(graph, analysis, anchor)
    context = graph.node_context
    entry = crossing = -1
    for index in range(len(edges) - 1, -1, -1):
        if context[nodes[index]] != row.context and context[nodes[index + 1]] == row.context:
            entry = index
            break
    for index in range(len(edges)):
        if int(context[nodes[index + 1]]) in zombie_contexts and (
            int(context[nodes[index]]) not in zombie_contexts
        ):
            crossing = index
            break
    crossing = crossing if crossing >= 0 else entry
    row_index = int(analysis.reach.origin_row[anchor])
    root_edge = int(analysis.reach.parent_edge[nodes[0]])
    holder = nodes[crossing] if crossing >= 0 else nodes[0]
    holder_context = ""
    for index in range(crossing if crossing >= 0 else 0, -1, -1):
        owner = int(context[nodes[index]])
        if owner >= 0 and owner not in zombie_contexts:
            holder_context = names[owner]
            break
    if crossing >= 0:
        mechanism, at = recognise_mechanism(graph, nodes, edges, crossing, doors)
        mechanism_node = nodes[at]
    else:
        label = graph.strings[int(graph.roots.label[row_index])]
        mechanism, mechanism_node = recognise_root_mechanism(graph, label, nodes[0]), nodes[0]
    return Zombie(
        context=row.context,
        name=row.name,
        row=row,
        evidence=evidence,
        path_nodes=tuple(nodes),
        path_edges=tuple(edges),
        root_edge=root_edge,
        root_kind=RootKind(int(graph.roots.kind[row_index])),
        root_label=graph.strings[int(graph.roots.label[row_index])],
        crossing=crossing,
        entry=entry,
        holder=holder,
        holder_context=holder_context,
        mechanism=mechanism,
        mechanism_node=mechanism_node,
    )


def find_zombie_contexts(
    graph: RetentionGraph,
    *,
    expect_dead: Sequence[str] = (),
    expect_live: Sequence[str] = (),
    analysis: ContextAnalysis | None = None,
) -> ZombieReport:
    """Contexts that should be dead but are retained (see the module docstring).

    Parameters
    ----------
    graph
        The heap.
    expect_dead, expect_live
        The user's patterns (``class:NAME``, shell patterns or substrings of names).
    analysis
        A precomputed :func:`~leakhunt.analyzers.contexts.analyze_contexts` result.

    Returns
    -------
    ZombieReport
        Zombies by retained size, and the accounting of every context.
    """
    analysis = analysis if analysis is not None else analyze_contexts(graph)
    report = compute_context_report(graph, analysis)
    patterns = [*expect_dead, *expect_live]
    wanted = {p[len("class:") :] for p in patterns if p.startswith("class:")}
    classes = _classes_by_context(graph, wanted)
    names = [row.name for row in report.rows]
    door_of = front_door_nodes(graph)
    used: set[str] = set()
    verdicts: list[tuple[ContextRow, tuple[Evidence, ...]]] = []
    for row in report.rows:
        dead_hits = [p for p in expect_dead if _matches(graph, row, p, classes[row.context])]
        live_hits = [p for p in expect_live if _matches(graph, row, p, classes[row.context])]
        used.update(dead_hits, live_hits)
        if not row.reachable or row.role == "main":
            continue
        evidence = _evidence(row, bool(dead_hits), bool(live_hits), dead_hits)
        if not evidence:
            continue
        verdicts.append((row, evidence))
    zombie_contexts = frozenset(row.context for row, _ in verdicts)
    zombies = [
        _describe(
            graph,
            analysis,
            row,
            names,
            frozenset(np.flatnonzero(door_of == row.context).tolist()),
            evidence,
            zombie_contexts,
        )
        for row, evidence in verdicts
    ]
    zombies.sort(key=lambda z: (-z.row.retained_size, int(graph.node_id[z.path_nodes[-1]])))
    return ZombieReport(
        zombies=tuple(zombies),
        contexts=report,
        expect_dead=tuple(expect_dead),
        expect_live=tuple(expect_live),
        unmatched_patterns=tuple(p for p in patterns if p not in used),
    )
