"""Gate checks: one small function each, listed in :data:`CHECKS`.

A check takes its inputs (one snapshot, or the snapshot sequence for diff checks) and the
policy, and returns its findings (an empty list passes). Checks from other analyzers plug in
by adding one :class:`CheckSpec` to the registry: nothing else changes.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from leakhunt.analyzers.leak_results import Suspect
from leakhunt.analyzers.paths import find_retaining_paths
from leakhunt.analyzers.suspects import ACCUMULATION, CLOSURE_CONTEXT, DETACHED_DOM, GROUP
from leakhunt.analyzers.traces import make_trace
from leakhunt.gate.context_checks import check_invisible_cycles, check_zombie_contexts
from leakhunt.gate.findings import Finding
from leakhunt.gate.inputs import DiffInputs, SnapshotInputs
from leakhunt.gate.policy import GatePolicy

__all__ = ["CHECKS", "CheckSpec", "DiffCheck", "SnapshotCheck"]

SnapshotCheck = Callable[[SnapshotInputs, GatePolicy], list[Finding]]
DiffCheck = Callable[[DiffInputs, GatePolicy], list[Finding]]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A registered check."""

    name: str
    """Name used in policies and reports."""
    rule_id: str
    """Stable SARIF rule id."""
    description: str
    """What a failure means (SARIF rule text, JUnit)."""
    per_snapshot: SnapshotCheck | None = None
    """Runs on every snapshot given."""
    on_diff: DiffCheck | None = None
    """Runs on the snapshot sequence."""
    needs_final: bool = False
    """Diff checks: only with BASE TARGET FINAL."""
    suspect_kind: str | None = None
    """The suspect kind the check reads, so that only needed kinds are computed."""


def _hash(*parts: str) -> str:
    return hashlib.sha1(
        "\x00".join(parts).encode("utf-8", "surrogatepass"), usedforsecurity=False
    ).hexdigest()


def check_diff_clusters(inputs: DiffInputs, policy: GatePolicy) -> list[Finding]:
    """memlab's method: every leak cluster retaining at least ``min-retained``."""
    report = inputs.report()
    return [
        Finding(
            check="diff-clusters",
            rule_id="leakhunt/diff-cluster",
            subject=inputs.subject,
            title=f"{c.count} {c.class_name} object(s) allocated between base and target are still alive in final",
            fingerprint=c.fingerprint,
            retained_size=c.retained_size,
            count=c.count,
            evidence=(f"path shape: {' '.join(c.shape)}", *report.notes),
            trace=c.trace,
        )
        for c in report.clusters
        if c.retained_size >= policy.min_retained
    ]


def check_class_growth(inputs: DiffInputs, policy: GatePolicy) -> list[Finding]:
    """Per-class growth limits between the first and the last snapshot."""
    findings = []
    for row in inputs.report().growth:
        for limit in policy.growth:
            if not fnmatch.fnmatchcase(row.class_name, limit.class_pattern):
                continue
            over = []
            if limit.max_count is not None and row.count_delta > limit.max_count:
                over.append(f"count grew by {row.count_delta:+,} (limit {limit.max_count:,})")
            if limit.max_retained is not None and row.retained_delta > limit.max_retained:
                over.append(
                    f"retained size grew by {row.retained_delta:+,} B (limit {limit.max_retained:,} B)"
                )
            if over:
                findings.append(
                    Finding(
                        check="class-growth",
                        rule_id="leakhunt/growth",
                        subject=inputs.subject,
                        title=f"class {row.class_name} grew beyond its limit: {'; '.join(over)}",
                        fingerprint=_hash("growth", limit.class_pattern, row.class_name),
                        retained_size=max(row.retained_delta, 0),
                        count=row.count_delta,
                        evidence=(
                            f"{row.count_before:,} → {row.count_after:,} objects, retained "
                            f"{row.retained_before:,} → {row.retained_after:,} B",
                        ),
                    )
                )
            break
    return findings


def check_forbidden_classes(inputs: SnapshotInputs, policy: GatePolicy) -> list[Finding]:
    """No instance of a forbidden class may exist."""
    graph, tree = inputs.graph, inputs.tree()
    columns = inputs.classes()
    findings = []
    for name_index, count, retained in zip(
        columns.class_name.tolist(),
        columns.count.tolist(),
        columns.retained_size.tolist(),
        strict=True,
    ):
        name = graph.strings[name_index]
        pattern = next((p for p in policy.forbidden_classes if fnmatch.fnmatchcase(name, p)), None)
        if pattern is None:
            continue
        members = np.flatnonzero(graph.node_class == name_index)
        biggest = int(members[np.argmax(tree.retained_size[members])])
        paths = find_retaining_paths(graph, [biggest], distances=inputs.distances()).paths
        findings.append(
            Finding(
                check="forbidden-classes",
                rule_id="leakhunt/forbidden-class",
                subject=inputs.path,
                title=f"{count} instance(s) of forbidden class {name}",
                fingerprint=_hash("forbidden", pattern, name),
                retained_size=int(retained),
                count=int(count),
                evidence=(f"the policy forbids {pattern!r}",),
                trace=make_trace(graph, paths[0], tree.retained_size) if paths else None,
            )
        )
    return findings


def check_context_budgets(inputs: SnapshotInputs, policy: GatePolicy) -> list[Finding]:
    """Bytes attributed to each context stay within its budget."""
    graph = inputs.graph
    contexts = graph.contexts
    if not len(contexts):
        return []
    attributed = graph.node_context >= 0
    sizes = np.bincount(
        graph.node_context[attributed],
        weights=graph.node_self_size[attributed],
        minlength=len(contexts),
    )
    findings = []
    for index, name in enumerate(contexts.name):
        budget = next(
            (b for b in policy.context_budgets if fnmatch.fnmatchcase(name, b.context_pattern)),
            None,
        )
        if budget is None or sizes[index] <= budget.max_size:
            continue
        findings.append(
            Finding(
                check="context-budgets",
                rule_id="leakhunt/budget",
                subject=inputs.path,
                title=f"context {name} holds {int(sizes[index]):,} B, over its budget of {budget.max_size:,} B",
                fingerprint=_hash("budget", budget.context_pattern, name),
                retained_size=int(sizes[index]),
                count=int(np.count_nonzero(graph.node_context == index)),
                evidence=("size = self sizes of the nodes the importer attributes to the context",),
            )
        )
    return findings


def _suspect_check(kind: str, check: str, rule_id: str) -> SnapshotCheck:
    def run(inputs: SnapshotInputs, policy: GatePolicy) -> list[Finding]:
        return [
            _from_suspect(s, check, rule_id, inputs.path)
            for s in inputs.suspects().suspects
            if s.kind == kind
            and s.retained_size >= policy.min_retained
            and (policy.heuristics or not s.heuristic)
        ]

    run.__doc__ = f"Suspects of kind {kind!r} (see leakhunt.analyzers.suspects)."
    return run


def _from_suspect(suspect: Suspect, check: str, rule_id: str, subject: str) -> Finding:
    return Finding(
        check=check,
        rule_id=rule_id,
        subject=subject,
        title=suspect.title,
        fingerprint=suspect.fingerprint,
        retained_size=suspect.retained_size,
        count=suspect.count,
        evidence=suspect.evidence,
        trace=suspect.trace,
        location=suspect.location,
        heuristic=suspect.heuristic,
    )


CHECKS: dict[str, CheckSpec] = {
    spec.name: spec
    for spec in (
        CheckSpec(
            "zombie-contexts",
            "leakhunt/zombie-context",
            "A context that should be dead is still retained (see leakhunt zombies).",
            per_snapshot=check_zombie_contexts,
        ),
        CheckSpec(
            "invisible-cycles",
            "leakhunt/invisible-cycle",
            "A cycle is kept alive only by a handle or references the collector cannot see.",
            per_snapshot=check_invisible_cycles,
        ),
        CheckSpec(
            "diff-clusters",
            "leakhunt/diff-cluster",
            "Objects allocated between BASE and TARGET are still alive in FINAL (memlab's method).",
            on_diff=check_diff_clusters,
            needs_final=True,
        ),
        CheckSpec(
            "class-growth",
            "leakhunt/growth",
            "A class grew beyond the limit the policy sets.",
            on_diff=check_class_growth,
        ),
        CheckSpec(
            "forbidden-classes",
            "leakhunt/forbidden-class",
            "An instance of a class the policy forbids exists.",
            per_snapshot=check_forbidden_classes,
        ),
        CheckSpec(
            "context-budgets",
            "leakhunt/budget",
            "A context holds more than its budget.",
            per_snapshot=check_context_budgets,
        ),
        CheckSpec(
            "closure-contexts",
            "leakhunt/closure-context",
            "A function context keeps a variable alive that no live closure reads.",
            per_snapshot=_suspect_check(
                CLOSURE_CONTEXT, "closure-contexts", "leakhunt/closure-context"
            ),
            suspect_kind=CLOSURE_CONTEXT,
        ),
        CheckSpec(
            "detached-dom",
            "leakhunt/detached-dom",
            "A detached DOM subtree is still reachable.",
            per_snapshot=_suspect_check(DETACHED_DOM, "detached-dom", "leakhunt/detached-dom"),
            suspect_kind=DETACHED_DOM,
        ),
        CheckSpec(
            "accumulation-points",
            "leakhunt/accumulation-point",
            "Many objects of one class pile up under one object (MAT's leak suspect).",
            per_snapshot=_suspect_check(
                ACCUMULATION, "accumulation-points", "leakhunt/accumulation-point"
            ),
            suspect_kind=ACCUMULATION,
        ),
        CheckSpec(
            "groups",
            "leakhunt/group",
            "Most instances of one class are owned by one object.",
            per_snapshot=_suspect_check(GROUP, "groups", "leakhunt/group"),
            suspect_kind=GROUP,
        ),
    )
}
"""Every check this build knows. Zombie contexts and invisible cycles register here as one
``CheckSpec`` each (``zombie-contexts``, ``invisible-cycles``) where their analyzers exist."""
