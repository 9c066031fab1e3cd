"""Gate checks over contexts and the collector's blind spots: zombie contexts, pinned cycles.

Each is one :data:`~leakhunt.gate.checks.SnapshotCheck`. Neither applies the policy's
``min-retained``: a zombie context or a pinned cycle is a defect whatever it holds today (each
new context or call adds another); fingerprints hash the references that
make the finding (class and edge names, ids and indices normalised), so a zombie held the same
way in the next build is the same finding.
"""

from __future__ import annotations

from leakhunt.analyzers.cycles import PinnedCycle, find_pinned_cycles
from leakhunt.analyzers.fingerprints import fingerprint
from leakhunt.analyzers.results import RetentionPath
from leakhunt.analyzers.traces import make_trace
from leakhunt.analyzers.zombies import find_zombie_contexts
from leakhunt.gate.findings import Finding
from leakhunt.gate.inputs import SnapshotInputs
from leakhunt.gate.policy import GatePolicy
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind

__all__ = ["check_invisible_cycles", "check_zombie_contexts"]


def _reference(graph: RetentionGraph, edge: int, owner: int) -> tuple[str, str, str]:
    kind = EdgeKind(int(graph.edge_kind[edge])).name.lower()
    owner_class = graph.strings[int(graph.node_class[owner])]
    return owner_class, kind, graph.edge_name_text(edge)


def check_zombie_contexts(inputs: SnapshotInputs, _policy: GatePolicy) -> list[Finding]:
    """No context that should be dead may be retained (``leakhunt zombies``)."""
    graph = inputs.graph
    if not len(graph.contexts):
        return []
    report = find_zombie_contexts(graph, analysis=inputs.contexts())
    tree = inputs.tree()
    findings = []
    for zombie in report.zombies:
        references = []
        if zombie.crossing >= 0 and zombie.holder >= 0:
            references.append(_reference(graph, zombie.crossing, zombie.holder))
        path = RetentionPath(
            zombie.path_nodes[-1],
            zombie.root_kind,
            zombie.root_label,
            zombie.root_edge,
            zombie.path_nodes,
            zombie.path_edges,
        )
        findings.append(
            Finding(
                check="zombie-contexts",
                rule_id="leakhunt/zombie-context",
                subject=inputs.path,
                title=(
                    f"zombie context {zombie.name} retains {zombie.row.retained_size:,} B "
                    f"({zombie.mechanism.value}, held from {zombie.holder_context})"
                ),
                fingerprint=fingerprint(
                    f"zombie-context\x00{zombie.row.kind}\x00{zombie.mechanism.value}", references
                ),
                retained_size=zombie.row.retained_size,
                count=zombie.row.retained_objects,
                evidence=tuple(f"{e.kind.value}: {e.detail}" for e in zombie.evidence),
                trace=make_trace(graph, path, tree.retained_size, suspect_from=zombie.holder)
                if zombie.path_nodes
                else None,
            )
        )
    return findings


def check_invisible_cycles(inputs: SnapshotInputs, _policy: GatePolicy) -> list[Finding]:
    """No cycle may be kept alive only by a handle or by references the dump cannot see."""
    graph = inputs.graph
    report = find_pinned_cycles(graph)
    findings = []
    for cycle in report.cycles:
        references = []
        for index, edge in enumerate(cycle.edges):
            owner = cycle.members[index % len(cycle.members)]
            references.append(_reference(graph, edge, owner))
        findings.append(
            Finding(
                check="invisible-cycles",
                rule_id="leakhunt/invisible-cycle",
                subject=inputs.path,
                title=(
                    f"cycle of {len(cycle.members)} node(s) pinned by {_pin_text(graph, cycle)} "
                    f"keeps {cycle.retained_size:,} B alive"
                ),
                fingerprint=fingerprint(f"invisible-cycle\x00{cycle.pin}", references),
                retained_size=cycle.retained_size,
                count=cycle.retained_count,
                evidence=(_loop_text(graph, cycle), cycle.hint),
            )
        )
    return findings


def _node_text(graph: RetentionGraph, node: int) -> str:
    """Class and name (``CompiledFnEntry "fn #5"``), or the class alone when they agree."""
    class_name = graph.strings[int(graph.node_class[node])]
    name = graph.node_label(node)
    return class_name if not name or name == class_name else f'{class_name} "{name}"'


def _pin_text(graph: RetentionGraph, cycle: PinnedCycle) -> str:
    """The pin and its node: which handle of which owner, or whose unseen references."""
    owner = _node_text(graph, cycle.pin_node)
    if cycle.handle_edge >= 0:
        return f"the strong global handle {graph.edge_name_text(cycle.handle_edge)} of {owner}"
    return f"{cycle.unseen_references} reference(s) the dump cannot see on {owner}"


def _loop_text(graph: RetentionGraph, cycle: PinnedCycle) -> str:
    """The loop hop by hop, each edge with its name and kind, back to where it starts."""
    hops = [_node_text(graph, cycle.pin_node)]
    for index, edge in enumerate(cycle.edges):
        kind = EdgeKind(int(graph.edge_kind[edge])).label
        target = cycle.members[(index + 1) % len(cycle.members)]
        hops.append(f"-[{graph.edge_name_text(edge)} ({kind})]-> {_node_text(graph, target)}")
    return "loop: " + " ".join(hops)
