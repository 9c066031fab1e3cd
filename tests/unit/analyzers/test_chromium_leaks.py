"""diff, suspects and fingerprints on the headless-Chromium leak fixtures (scope sections present)."""

from __future__ import annotations

import pytest

from leakhunt.analyzers.diff import diff_snapshots
from leakhunt.analyzers.leak_results import SuspectReport
from leakhunt.analyzers.suspects import find_suspects
from leakhunt.gate import run_gate
from leakhunt.gate.inputs import SnapshotInputs
from leakhunt.gate.policy import GatePolicy

from helpers.leak_fixtures import CHROMIUM, expected, snapshot


def _suspects(name: str) -> SuspectReport:
    return find_suspects(snapshot(str(CHROMIUM / f"{name}.heapsnapshot.gz")))


def test_closure_context_leak_is_exact_with_scope_uses() -> None:
    truth = expected("closure_context", CHROMIUM)
    report = _suspects("closure_context")
    assert [s.kind for s in report.suspects] == ["closure context"]
    (suspect,) = report.suspects
    assert not suspect.heuristic and report.notes == ()
    assert truth["leak"]["retained_variable"] in suspect.title
    assert suspect.count == truth["leak"]["retained_count"] - 1  # the first call captured null
    assert suspect.holder_id == truth["shared_context_ids"][0]
    assert suspect.trace.steps[-1].node_id == truth["things_newest_first"][1]["id"]
    where = truth["leak"]["some_method_location"]
    assert suspect.location == (where["script_url"], where["line"], where["column"])
    # Traps: formatPrice reads its `currency`; ping's context `buffer` is read by readBuffer.
    text = " ".join(" ".join(s.evidence) + s.title for s in report.suspects)
    assert "currency" not in text and "buffer" not in text


def test_detached_dom_held_from_js() -> None:
    truth = expected("detached_dom", CHROMIUM)
    report = _suspects("detached_dom")
    assert {s.kind for s in report.suspects} == {"detached DOM"}
    held = {p["holder"]["property"]: p for p in truth["panels"] if p["expected_leak"]}
    assert len(report.suspects) == len(held)
    for suspect in report.suspects:
        steps = suspect.trace.steps
        prop = next(s.edge_name for s in steps if s.edge_name in held)
        panel_ids = {e["id"] for e in held[prop]["elements"]}
        assert steps[-1].node_id in panel_ids
        assert suspect.holder_id == truth["main"]["window_global"]["id"]
    traps = {e["id"] for p in truth["panels"] if not p["expected_leak"] for e in p["elements"]}
    assert not traps & {s.trace.steps[-1].node_id for s in report.suspects}


def test_three_snapshots_report_the_dialog_models_only() -> None:
    truth = expected("three_snapshots", CHROMIUM)
    graphs = [
        snapshot(str(CHROMIUM / f"three_snapshots.{s}.heapsnapshot.gz"))
        for s in ("baseline", "target", "final")
    ]
    report = diff_snapshots(*graphs)
    assert [(c.class_name, c.count) for c in report.clusters] == [("DialogModel", 20)]
    assert sorted(report.clusters[0].node_ids) == sorted(o["model"] for o in truth["opened"])
    reported = set(report.clusters[0].node_ids)
    assert not reported & set(truth["transient_ids"])
    assert truth["expected_leak"]["not_leaked"]["warmup_model_id"] not in reported
    assert [s.edge_name for s in report.clusters[0].trace.steps][2] == "modelCache"


@pytest.mark.parametrize("name", ["closure_context", "detached_dom"])
def test_fingerprints_equal_across_two_browser_runs(name: str) -> None:
    first = sorted(s.fingerprint for s in _suspects(name).suspects)
    second = sorted(s.fingerprint for s in _suspects(f"{name}.run2").suspects)
    assert first and first == second


def test_fingerprints_differ_between_the_two_detached_panels() -> None:
    prints = [s.fingerprint for s in _suspects("detached_dom").suspects]
    assert len(set(prints)) == len(prints) == 2


@pytest.mark.parametrize("name", ["closure_context", "detached_dom"])
def test_gate_fails_on_browser_leaks(name: str) -> None:
    graph = snapshot(str(CHROMIUM / f"{name}.heapsnapshot.gz"))
    assert not run_gate([SnapshotInputs(graph)], GatePolicy()).passed
