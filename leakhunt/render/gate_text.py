"""The gate report for people (plain text, heap strings made visible) and as JSON."""

from __future__ import annotations

from typing import Any, TextIO

from leakhunt.gate.findings import Finding, GateReport
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import write_json
from leakhunt.render.leak_json import trace_json
from leakhunt.render.safe_text import visible
from leakhunt.render.summary_console import format_bytes
from leakhunt.render.traces import trace_lines

__all__ = ["GateJsonRenderer", "GateTextRenderer", "finding_lines"]

_STATUS = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def finding_lines(finding: Finding, status: str) -> list[str]:
    """A finding: headline, evidence, code location, trace."""
    tag = " (heuristic)" if finding.heuristic else ""
    lines = [
        f"[{status}] {finding.rule_id}{tag}: {finding.title}",
        f"    {format_bytes(finding.retained_size)} retained; {finding.count} object(s); "
        f"fingerprint {finding.fingerprint[:12]}; in {finding.subject}",
    ]
    lines += [f"    - {line}" for line in finding.evidence]
    if finding.location is not None:
        script, line, column = finding.location
        lines.append(f"    code: {script}:{line + 1}:{column + 1}")
    if finding.trace is not None:
        lines += [f"    {line}" for line in trace_lines(finding.trace)]
    return lines


class GateTextRenderer(Renderer[GateReport]):
    """Checks, then new and known findings with traces, fixed entries, the verdict."""

    def render(self, result: GateReport, out: TextIO) -> None:
        """Write the report."""
        lines = [
            f"leakhunt gate: {len(result.snapshots)} snapshot(s); policy: {result.policy or 'defaults'}"
            + (f"; baseline: {result.baseline}" if result.baseline else ""),
            "",
        ]
        for outcome in result.outcomes:
            lines.append(
                f"{_STATUS[outcome.status]}  {outcome.check:<20} {outcome.subject}: {outcome.reason}"
            )
        if result.new:
            lines += ["", f"{len(result.new)} new finding(s):"]
            for finding in result.new:
                lines += finding_lines(finding, "new")
        if result.known:
            lines += ["", f"{len(result.known)} known finding(s) (accepted in the baseline):"]
            for finding in result.known:
                lines += finding_lines(finding, "known")[:2]
        if result.fixed:
            lines += ["", f"{len(result.fixed)} baseline entr(ies) no longer found (fixed):"]
            lines += [f"  {e.rule_id} {e.fingerprint[:12]}: {e.title}" for e in result.fixed]
        verdict = "PASSED" if result.passed else "FAILED"
        lines += [
            "",
            f"Gate {verdict}: {len(result.new)} new, {len(result.known)} known, {len(result.fixed)} fixed.",
        ]
        out.write("\n".join(visible(line) for line in lines) + "\n")


def _finding_json(finding: Finding, state: str) -> dict[str, Any]:
    location = None
    if finding.location is not None:
        script, line, column = finding.location
        location = {"script": script, "line": line + 1, "column": column + 1}
    return {
        "rule": finding.rule_id,
        "check": finding.check,
        "baseline_state": state,
        "subject": finding.subject,
        "title": finding.title,
        "fingerprint": finding.fingerprint,
        "retained_size": finding.retained_size,
        "count": finding.count,
        "heuristic": finding.heuristic,
        "evidence": list(finding.evidence),
        "location": location,
        "trace": trace_json(finding.trace) if finding.trace is not None else None,
    }


class GateJsonRenderer(Renderer[GateReport]):
    """``leakhunt/gate/1``."""

    def render(self, result: GateReport, out: TextIO) -> None:
        """Write the document."""
        write_json(
            {
                "schema": "leakhunt/gate/1",
                "passed": result.passed,
                "snapshots": list(result.snapshots),
                "policy": result.policy,
                "baseline": result.baseline,
                "checks": [
                    {
                        "check": o.check,
                        "rule": o.rule_id,
                        "subject": o.subject,
                        "status": o.status,
                        "reason": o.reason,
                    }
                    for o in result.outcomes
                ],
                "findings": [_finding_json(f, "new") for f in result.new]
                + [_finding_json(f, "unchanged") for f in result.known],
                "fixed": [
                    {"rule": e.rule_id, "fingerprint": e.fingerprint, "title": e.title}
                    for e in result.fixed
                ],
            },
            out,
        )
