"""The gate report as SARIF 2.1.0, shaped for GitHub code scanning.

Every result has a physical location inside the repository (code scanning rejects the whole
file otherwise): the leaking closure's script position mapped into the repository through
``source_root``, else the policy file, else the first snapshot, at line 1. The retention path
is the result's ``codeFlow`` (one step per reference), the fingerprint its
``partialFingerprints``, and the baseline decides ``baselineState`` and ``suppressions``.
Heap text is made visible (no control characters); the JSON encoder escapes the rest.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as repo:
...     (Path(repo) / "src").mkdir()
...     _ = (Path(repo) / "src" / "app.js").write_text("x")
...     mapper = SourceMapper(Path(repo), Path(repo) / "src", "leakhunt.toml")
...     mapper.uri_of("http://127.0.0.1:8080/app.js"), mapper.uri_of("/elsewhere/build/app.js")
('src/app.js', 'src/app.js')
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote, urlparse

from leakhunt import __version__
from leakhunt.gate.checks import CHECKS
from leakhunt.gate.findings import Finding, GateReport
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import write_json
from leakhunt.render.safe_text import visible
from leakhunt.render.traces import step_message

__all__ = ["SarifRenderer", "SourceMapper"]

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_MAX_FLOW_STEPS = 1000


class SourceMapper:
    """Script names from snapshots → repository-relative URIs."""

    def __init__(self, repo_root: Path, source_root: Path | None, fallback: str) -> None:
        self.repo_root = repo_root.resolve()
        self.source_root = source_root.resolve() if source_root is not None else None
        self.fallback = fallback

    def _relative(self, path: Path) -> str | None:
        try:
            relative = path.resolve().relative_to(self.repo_root)
        except (ValueError, OSError):
            return None
        return quote(relative.as_posix())

    def uri_of(self, script: str) -> str | None:
        """The repository URI of ``script`` (a path or URL), or None when it is not in the repo."""
        parsed = urlparse(script)
        raw = parsed.path if parsed.scheme in ("http", "https", "file") else script
        if not raw:
            return None
        direct = Path(raw)
        if direct.is_absolute() and direct.is_file():
            found = self._relative(direct)
            if found is not None:
                return found
        if self.source_root is None:
            return None
        parts = [p for p in PurePosixPath(raw.replace(os.sep, "/")).parts if p not in ("/", "")]
        for start in range(len(parts)):
            candidate = self.source_root.joinpath(*parts[start:])
            if candidate.is_file():
                return self._relative(candidate)
        return None

    def location(self, finding: Finding) -> dict[str, Any]:
        """``locations[0]`` of a result."""
        uri, line, column = self.fallback, 1, 1
        if finding.location is not None:
            script, script_line, script_column = finding.location
            mapped = self.uri_of(script)
            if mapped is not None:
                uri, line, column = mapped, script_line + 1, script_column + 1
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
            }
        }


def _text(text: str) -> dict[str, str]:
    return {"text": visible(text)}


class SarifRenderer(Renderer[GateReport]):
    """One run, one rule per check, one result per finding (new and known)."""

    def __init__(self, mapper: SourceMapper) -> None:
        self.mapper = mapper

    def _result(
        self, finding: Finding, rule_index: dict[str, int], known: bool, baseline: str | None
    ) -> dict[str, Any]:
        location = self.mapper.location(finding)
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "ruleIndex": rule_index[finding.rule_id],
            "level": "error",
            "message": _text(" ".join((finding.title, *finding.evidence))),
            "locations": [location],
            "partialFingerprints": {"leakhunt/v1": finding.fingerprint},
            "baselineState": "unchanged" if known else "new",
            "properties": {
                "retainedSize": finding.retained_size,
                "count": finding.count,
                "snapshot": visible(finding.subject),
                "heuristic": finding.heuristic,
            },
        }
        if finding.trace is not None:
            steps = list(range(len(finding.trace.steps)))[-_MAX_FLOW_STEPS:]
            result["codeFlows"] = [
                {
                    "message": _text("retention path from a GC root"),
                    "threadFlows": [
                        {
                            "locations": [
                                {
                                    "location": {
                                        "physicalLocation": location["physicalLocation"],
                                        "message": _text(step_message(finding.trace, index)),
                                    }
                                }
                                for index in steps
                            ]
                        }
                    ],
                }
            ]
        if known:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "justification": visible(f"accepted in the baseline {baseline or ''}".strip()),
                }
            ]
        return result

    def render(self, result: GateReport, out: TextIO) -> None:
        """Write the SARIF log."""
        rules = [
            {
                "id": spec.rule_id,
                "name": spec.name,
                "shortDescription": {"text": spec.description},
                "defaultConfiguration": {"level": "error"},
            }
            for spec in CHECKS.values()
        ]
        rule_index = {spec.rule_id: index for index, spec in enumerate(CHECKS.values())}
        results = [self._result(f, rule_index, False, result.baseline) for f in result.new]
        results += [self._result(f, rule_index, True, result.baseline) for f in result.known]
        document = {
            "$schema": _SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "leakhunt",
                            "version": __version__,
                            "rules": rules,
                        }
                    },
                    "results": results,
                    "properties": {
                        "snapshots": [visible(s) for s in result.snapshots],
                        "fixed": [
                            {
                                "ruleId": e.rule_id,
                                "fingerprint": e.fingerprint,
                                "title": visible(e.title),
                            }
                            for e in result.fixed
                        ],
                    },
                }
            ],
        }
        write_json(document, out)
