"""The gate report as JUnit XML: one test case per check and snapshot, the trace in the failure.

Built with :mod:`xml.etree.ElementTree`, which escapes markup; heap text also goes through
``visible()`` first, because XML 1.0 cannot carry most control characters even escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TextIO

from leakhunt.gate.findings import CheckOutcome, GateReport
from leakhunt.render.gate_text import finding_lines
from leakhunt.render.interface import Renderer
from leakhunt.render.safe_text import visible

__all__ = ["JUnitRenderer"]


def _case(suite: ET.Element, outcome: CheckOutcome, known: set[tuple[str, str]]) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"leakhunt.gate.{outcome.check}",
        name=visible(f"{outcome.check} [{outcome.subject}]"),
        time="0",
    )
    new = [f for f in outcome.findings if (f.rule_id, f.fingerprint) not in known]
    if outcome.status == "skipped":
        ET.SubElement(case, "skipped", message=visible(outcome.reason))
    elif outcome.status == "failed":
        lines: list[str] = []
        for finding in new:
            lines += [*finding_lines(finding, "new"), ""]
        failure = ET.SubElement(
            case,
            "failure",
            message=visible(f"{outcome.reason}: {new[0].title}"),
            type=outcome.rule_id,
        )
        failure.text = "\n".join(visible(line) for line in lines)
    accepted = [f for f in outcome.findings if (f.rule_id, f.fingerprint) in known]
    if accepted:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(
            visible(f"known (baseline): {f.title} [{f.fingerprint[:12]}]") for f in accepted
        )


class JUnitRenderer(Renderer[GateReport]):
    """``<testsuites>`` with one ``<testsuite>`` for the snapshot set."""

    def render(self, result: GateReport, out: TextIO) -> None:
        """Write the document."""
        known = {(f.rule_id, f.fingerprint) for f in result.known}
        suites = ET.Element("testsuites", name="leakhunt gate")
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=visible("leakhunt gate: " + " → ".join(result.snapshots)),
            tests=str(len(result.outcomes)),
            failures=str(sum(o.status == "failed" for o in result.outcomes)),
            skipped=str(sum(o.status == "skipped" for o in result.outcomes)),
            errors="0",
        )
        for outcome in result.outcomes:
            _case(suite, outcome, known)
        suites.set("tests", suite.get("tests", "0"))
        suites.set("failures", suite.get("failures", "0"))
        ET.indent(suites)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(suites, encoding="unicode"))
        out.write("\n")
