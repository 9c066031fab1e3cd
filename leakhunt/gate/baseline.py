"""The baseline file: accepted findings by rule id and fingerprint.

Findings whose ``(rule id, fingerprint)`` the baseline lists are *known* (reported, not
failing); the others are *new* (they fail the gate); baseline entries no longer found are
*fixed*. ``leakhunt gate --update-baseline`` writes the current findings as the new baseline.

Examples
--------
>>> import io
>>> entries = read_baseline_text('{"schema": "leakhunt/baseline/1", "accepted": '
...     '[{"rule": "leakhunt/diff-cluster", "fingerprint": "ab", "title": "t"}]}', "b.json")
>>> [(e.rule_id, e.fingerprint) for e in entries]
[('leakhunt/diff-cluster', 'ab')]
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from leakhunt.errors import ConfigError
from leakhunt.gate.findings import BaselineEntry, Finding

__all__ = ["classify", "read_baseline", "read_baseline_text", "write_baseline"]

SCHEMA = "leakhunt/baseline/1"


def read_baseline_text(text: str, where: str) -> tuple[BaselineEntry, ...]:
    """Parse a baseline document."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: baseline is not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ConfigError(f"{where}: not a leakhunt baseline (expected schema {SCHEMA!r})")
    accepted = document.get("accepted")
    if not isinstance(accepted, list):
        raise ConfigError(f"{where}: 'accepted' is not a list")
    entries = []
    for index, item in enumerate(accepted):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("rule", "fingerprint")
        ):
            raise ConfigError(f"{where}: accepted[{index}] needs string 'rule' and 'fingerprint'")
        entries.append(BaselineEntry(item["rule"], item["fingerprint"], str(item.get("title", ""))))
    return tuple(entries)


def read_baseline(path: Path) -> tuple[BaselineEntry, ...]:
    """The entries of ``path``; a missing file is an empty baseline."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    return read_baseline_text(text, str(path))


def classify(
    findings: Sequence[Finding], baseline: Sequence[BaselineEntry]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[BaselineEntry, ...]]:
    """(new, known, fixed)."""
    accepted = {(e.rule_id, e.fingerprint) for e in baseline}
    found = {(f.rule_id, f.fingerprint) for f in findings}
    new = tuple(f for f in findings if (f.rule_id, f.fingerprint) not in accepted)
    known = tuple(f for f in findings if (f.rule_id, f.fingerprint) in accepted)
    fixed = tuple(e for e in baseline if (e.rule_id, e.fingerprint) not in found)
    return new, known, fixed


def write_baseline(path: Path, findings: Sequence[Finding]) -> None:
    """Write ``findings`` as the accepted set (atomically; sorted, one entry per key)."""
    entries: dict[tuple[str, str], str] = {}
    for f in findings:
        entries.setdefault((f.rule_id, f.fingerprint), f.title)
    document = {
        "schema": SCHEMA,
        "accepted": [
            {"rule": rule, "fingerprint": fingerprint, "title": title}
            for (rule, fingerprint), title in sorted(entries.items())
        ],
    }
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(temporary, path)
