"""Frozen results of a gate run: findings, per-check outcomes, the report."""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.analyzers.leak_results import LeakTrace

__all__ = ["BaselineEntry", "CheckOutcome", "Finding", "GateReport"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check objects to."""

    check: str
    """Check name (``diff-clusters``)."""
    rule_id: str
    """Stable rule id for SARIF and baselines (``leakhunt/diff-cluster``)."""
    subject: str
    """The snapshot, or the snapshot set, it was found in."""
    title: str
    """One line."""
    fingerprint: str
    """Stable hash; with :attr:`rule_id` the baseline key."""
    retained_size: int
    """Bytes at stake."""
    count: int
    """Objects involved."""
    evidence: tuple[str, ...]
    """Why, in short sentences."""
    trace: LeakTrace | None = None
    """Retention path, when one explains the finding."""
    location: tuple[str, int, int] | None = None
    """Script, zero-based line and column of the code involved, when known."""
    heuristic: bool = False
    """Whether the verdict is a heuristic."""


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check on one snapshot (or snapshot set): a JUnit test case."""

    check: str
    """Check name."""
    rule_id: str
    """Its rule id."""
    subject: str
    """Snapshot path or ``BASE → TARGET → FINAL``."""
    status: str
    """``passed``, ``failed`` (new findings) or ``skipped``."""
    reason: str
    """Why skipped, or a one-line summary."""
    findings: tuple[Finding, ...]
    """Everything found (new and known)."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """An accepted finding in the baseline file."""

    rule_id: str
    """Rule id."""
    fingerprint: str
    """Fingerprint."""
    title: str
    """Title when it was accepted."""


@dataclass(frozen=True, slots=True)
class GateReport:
    """The verdict with everything behind it."""

    snapshots: tuple[str, ...]
    """Input files."""
    policy: str | None
    """Policy file used, or None for the defaults."""
    outcomes: tuple[CheckOutcome, ...]
    """Every check that ran or was skipped, in order."""
    new: tuple[Finding, ...]
    """Findings not in the baseline: these fail the gate."""
    known: tuple[Finding, ...]
    """Findings the baseline accepts."""
    fixed: tuple[BaselineEntry, ...]
    """Baseline entries no longer found."""
    baseline: str | None
    """Baseline file consulted, or None."""

    @property
    def passed(self) -> bool:
        """No new findings."""
        return not self.new
