"""The CI leak gate: a policy, a registry of checks, a baseline, one verdict.

:func:`run_gate` runs every enabled check (:data:`~leakhunt.gate.checks.CHECKS`) on its inputs,
compares the findings with the baseline and returns a frozen :class:`GateReport`; renderers
turn it into text, JSON, SARIF or JUnit, and the CLI maps "new findings" to exit code 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from leakhunt.errors import ConfigError
from leakhunt.gate.baseline import classify
from leakhunt.gate.checks import CHECKS, CheckSpec
from leakhunt.gate.findings import BaselineEntry, CheckOutcome, Finding, GateReport
from leakhunt.gate.inputs import DiffInputs, Earlier, SnapshotInputs
from leakhunt.gate.policy import DEFAULT_CHECKS, GatePolicy

__all__ = [
    "CHECKS",
    "GatePolicy",
    "GateReport",
    "enabled_checks",
    "run_gate",
    "snapshot_findings",
    "suspect_kinds",
]


def enabled_checks(policy: GatePolicy) -> list[CheckSpec]:
    """The checks to run, in registry order; unknown names are a policy error."""
    wanted = set(policy.checks)
    unknown = sorted(name for name in wanted if name not in CHECKS and name not in DEFAULT_CHECKS)
    if unknown:
        raise ConfigError(f"policy: unknown check {unknown[0]!r} (known: {', '.join(CHECKS)})")
    missing = sorted(n for n in wanted if n not in CHECKS and policy.checks != DEFAULT_CHECKS)
    if missing:
        raise ConfigError(
            f"policy: check {missing[0]!r} is not available in this build of leakhunt"
        )
    if policy.growth:
        wanted.add("class-growth")
    if policy.forbidden_classes:
        wanted.add("forbidden-classes")
    if policy.context_budgets:
        wanted.add("context-budgets")
    return [spec for name, spec in CHECKS.items() if name in wanted]


def _outcome(
    spec: CheckSpec, subject: str, findings: list[Finding], accepted: set[tuple[str, str]]
) -> CheckOutcome:
    new = [f for f in findings if (f.rule_id, f.fingerprint) not in accepted]
    if new:
        summary = f"{len(new)} new finding(s)" + (
            f", {len(findings) - len(new)} known" if len(findings) > len(new) else ""
        )
        return CheckOutcome(spec.name, spec.rule_id, subject, "failed", summary, tuple(findings))
    summary = f"{len(findings)} known finding(s)" if findings else "nothing found"
    return CheckOutcome(spec.name, spec.rule_id, subject, "passed", summary, tuple(findings))


def suspect_kinds(policy: GatePolicy) -> tuple[str, ...]:
    """The suspect kinds the enabled checks read (computing others would be wasted work)."""
    return tuple(s.suspect_kind for s in enabled_checks(policy) if s.suspect_kind is not None)


def run_gate(
    snapshots: Sequence[Earlier | SnapshotInputs],
    policy: GatePolicy,
    baseline: Sequence[BaselineEntry] = (),
    *,
    baseline_path: str | None = None,
    last_findings: Mapping[str, list[Finding]] | None = None,
) -> GateReport:
    """Run the enabled checks on ``snapshots`` (in time order) and judge them against ``baseline``.

    ``last_findings`` are the per-snapshot checks' findings on the last snapshot when the
    caller has already run them (:func:`snapshot_findings`, e.g. while the earlier snapshots
    were still being read).
    """
    accepted = {(e.rule_id, e.fingerprint) for e in baseline}
    last = snapshots[-1]
    if not isinstance(last, SnapshotInputs):
        raise TypeError("the last snapshot must be given as SnapshotInputs")
    sequence = DiffInputs(tuple(snapshots[:-1]), last)
    outcomes: list[CheckOutcome] = []
    every: list[Finding] = []
    for spec in enabled_checks(policy):
        if spec.on_diff is not None:
            if len(snapshots) < 2 or (spec.needs_final and len(snapshots) < 3):
                needed = "BASE TARGET FINAL" if spec.needs_final else "at least two snapshots"
                outcomes.append(
                    CheckOutcome(
                        spec.name, spec.rule_id, sequence.subject, "skipped", f"needs {needed}", ()
                    )
                )
                continue
            found = spec.on_diff(sequence, policy)
            outcomes.append(_outcome(spec, sequence.subject, found, accepted))
            every += found
        if spec.per_snapshot is not None:
            # A sequence is judged by its last state (FINAL, or TARGET): what the scenario
            # leaves behind. A single snapshot is judged on its own.
            if last_findings is not None and spec.name in last_findings:
                found = last_findings[spec.name]
            else:
                found = spec.per_snapshot(last, policy)
            outcomes.append(_outcome(spec, last.path, found, accepted))
            every += found
    every.sort(key=lambda f: (-f.retained_size, f.rule_id, f.fingerprint, f.subject))
    new, known, fixed = classify(every, baseline)
    return GateReport(
        snapshots=tuple(s.path for s in snapshots),
        policy=policy.origin,
        outcomes=tuple(outcomes),
        new=new,
        known=known,
        fixed=fixed,
        baseline=baseline_path,
    )


def snapshot_findings(last: SnapshotInputs, policy: GatePolicy) -> dict[str, list[Finding]]:
    """The findings of every enabled per-snapshot check on ``last``, by check name: the part
    of :func:`run_gate` that needs no earlier snapshot."""
    return {
        spec.name: spec.per_snapshot(last, policy)
        for spec in enabled_checks(policy)
        if spec.per_snapshot is not None
    }
