"""Fingerprints: equal across two runs of one program, different across mechanisms."""

from __future__ import annotations

from leakhunt.analyzers.diff import diff_snapshots
from leakhunt.analyzers.fingerprints import fingerprint
from leakhunt.analyzers.suspects import find_suspects

from helpers.leak_fixtures import STAGES, V8, snapshot, stage


def _cluster_prints(run: str) -> list[str]:
    report = diff_snapshots(*(stage(run, s) for s in STAGES))
    return [c.fingerprint for c in report.clusters]


def test_diff_fingerprints_equal_across_two_runs() -> None:
    first, second = _cluster_prints("leak_cache"), _cluster_prints("leak_cache_run2")
    assert len(first) == 1 and first == second
    # The runs are really different heaps: the leaked objects have other ids.
    a = diff_snapshots(*(stage("leak_cache", s) for s in STAGES)).clusters[0].node_ids
    b = diff_snapshots(*(stage("leak_cache_run2", s) for s in STAGES)).clusters[0].node_ids
    assert set(a) != set(b)


def test_suspect_fingerprints_equal_across_two_runs() -> None:
    first = [s.fingerprint for s in find_suspects(stage("leak_cache", "final")).suspects]
    second = [s.fingerprint for s in find_suspects(stage("leak_cache_run2", "final")).suspects]
    assert first and first == second


def test_different_mechanisms_differ() -> None:
    cache_leak = _cluster_prints("leak_cache")[0]
    accumulation = find_suspects(stage("leak_cache", "final")).suspects[0].fingerprint
    closure = (
        find_suspects(snapshot(str(V8 / "closure_leak.heapsnapshot.gz"))).suspects[0].fingerprint
    )
    assert len({cache_leak, accumulation, closure}) == 3


def test_indices_ids_and_numbers_do_not_matter_but_names_do() -> None:
    one = fingerprint(
        "r",
        [
            ("Map", "internal", "table"),
            ("(array)", "element", "3"),
            ("Item @12", "property", "k-0007"),
        ],
    )
    two = fingerprint(
        "r",
        [
            ("Map", "internal", "table"),
            ("(array)", "element", "9"),
            ("Item @99", "property", "k-0123"),
        ],
    )
    other_field = fingerprint(
        "r",
        [("Map", "internal", "table"), ("(array)", "element", "3"), ("Item", "property", "v-1")],
    )
    assert one == two != other_field
    assert fingerprint("r", []) != fingerprint("s", [])
