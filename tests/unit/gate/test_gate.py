"""run_gate on the real fixtures: fails exactly on the leaking ones; the baseline turns it green."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakhunt.gate import run_gate
from leakhunt.gate.baseline import read_baseline, write_baseline
from leakhunt.gate.checks import CHECKS, CheckSpec
from leakhunt.gate.findings import Finding
from leakhunt.gate.inputs import SnapshotInputs
from leakhunt.gate.policy import GatePolicy, parse_policy

from helpers.leak_fixtures import CHROMIUM, STAGES, V8, expected, snapshot, stage


def _inputs(*graphs: object) -> list[SnapshotInputs]:
    return [SnapshotInputs(g) for g in graphs]  # type: ignore[arg-type]


def test_three_snapshot_leak_fails_with_one_cluster() -> None:
    report = run_gate(_inputs(*(stage("leak_cache", s) for s in STAGES)), GatePolicy())
    assert not report.passed
    assert [f.rule_id for f in report.new] == ["leakhunt/diff-cluster"]
    assert report.new[0].count == expected("leak_cache")["leaked_count"]


def test_snapshot_compared_with_itself_passes() -> None:
    final = stage("leak_cache", "final")
    report = run_gate(_inputs(final, final, final), GatePolicy())
    assert report.passed and report.new == () and report.known == ()


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        (V8 / "closure_leak.heapsnapshot.gz", "leakhunt/closure-context"),
        # the page's removed iframe is both a detached DOM tree and a zombie context
        (
            CHROMIUM / "chromium_page.heapsnapshot.gz",
            "leakhunt/detached-dom leakhunt/zombie-context",
        ),
        (V8 / "vm_contexts.heapsnapshot.gz", "leakhunt/zombie-context"),
    ],
)
def test_single_leaking_snapshots_fail(path: Path, rule: str) -> None:
    report = run_gate(_inputs(snapshot(str(path))), GatePolicy())
    assert not report.passed and {f.rule_id for f in report.new} == set(rule.split())
    skipped = [o for o in report.outcomes if o.status == "skipped"]
    assert [o.check for o in skipped] == ["diff-clusters"]


@pytest.mark.parametrize("name", ["leak_chain", "collections", "closures"])
def test_non_leaking_fixtures_pass(name: str) -> None:
    assert run_gate(_inputs(snapshot(str(V8 / f"{name}.heapsnapshot.gz"))), GatePolicy()).passed


def test_heuristic_verdicts_can_be_turned_off() -> None:
    graph = snapshot(str(V8 / "closure_leak.heapsnapshot.gz"))
    assert run_gate(_inputs(graph), parse_policy({"heuristics": False})).passed


def test_baseline_accepts_known_and_lists_fixed(tmp_path: Path) -> None:
    graphs = [stage("leak_cache", s) for s in STAGES]
    first = run_gate(_inputs(*graphs), GatePolicy())
    file = tmp_path / "baseline.json"
    write_baseline(file, first.new)
    again = run_gate(_inputs(*graphs), GatePolicy(), read_baseline(file))
    assert again.passed and [f.fingerprint for f in again.known] == [first.new[0].fingerprint]
    # The second run of the program has the same leak: still known, still green.
    rerun = run_gate(
        _inputs(*(stage("leak_cache_run2", s) for s in STAGES)), GatePolicy(), read_baseline(file)
    )
    assert rerun.passed and len(rerun.known) == 1
    # Once the leak is gone, the entry is listed as fixed.
    final = graphs[2]
    clean = run_gate(_inputs(final, final, final), GatePolicy(), read_baseline(file))
    assert clean.passed and [e.fingerprint for e in clean.fixed] == [first.new[0].fingerprint]


def test_growth_forbidden_classes_and_budgets() -> None:
    graphs = [stage("leak_cache", s) for s in STAGES]
    policy = parse_policy(
        {
            "checks": [],
            "growth": {"CachedResponse": {"count": 5}, "Scratch*": 0},
            "forbidden-classes": ["ScratchBuffer", "ResponseCache"],
            "context-budgets": {"*": "1 KiB"},
        }
    )
    report = run_gate(_inputs(*graphs), policy)
    rules = sorted({f.rule_id for f in report.new})
    assert rules == ["leakhunt/budget", "leakhunt/forbidden-class", "leakhunt/growth"]
    growth = [f for f in report.new if f.rule_id == "leakhunt/growth"]
    assert [f.count for f in growth] == [
        expected("leak_cache")["leaked_count"]
    ]  # ScratchBuffer did not grow
    forbidden = [
        (f.title, f.subject) for f in report.new if f.rule_id == "leakhunt/forbidden-class"
    ]
    # A sequence is judged by its final state: the ScratchBuffers (only in target) are gone,
    # the ResponseCache is there.
    assert [t for t, _ in forbidden] == ["1 instance(s) of forbidden class ResponseCache"]
    assert forbidden[0][1] == graphs[2].source.path
    single = run_gate(_inputs(graphs[1]), policy)
    assert any("ScratchBuffer" in f.title for f in single.new)


def test_a_check_plugs_in_as_one_function(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_zombies(inputs: SnapshotInputs, policy: GatePolicy) -> list[Finding]:
        return [
            Finding(
                "zombie-contexts",
                "leakhunt/zombie-context",
                inputs.path,
                "zombie",
                "f" * 40,
                2048,
                1,
                (),
            )
        ]

    spec = CheckSpec(
        "zombie-contexts",
        "leakhunt/zombie-context",
        "A context outlived its owner.",
        per_snapshot=no_zombies,
    )
    monkeypatch.setitem(CHECKS, "zombie-contexts", spec)
    final = stage("leak_cache", "final")
    report = run_gate(_inputs(final), GatePolicy())
    assert [f.rule_id for f in report.new] == ["leakhunt/zombie-context"]
