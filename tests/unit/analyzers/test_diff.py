"""diff: the three-snapshot method on the real wrong-key cache leak (fixtures/v8/leak_cache.js)."""

from __future__ import annotations

import numpy as np
import pytest

from leakhunt.analyzers.diff import diff_snapshots, find_leak_roots, match_new_objects
from leakhunt.analyzers.leak_results import DiffReport
from leakhunt.graph.builder import GraphBuilder, SourceInfo
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind

from helpers.leak_fixtures import expected, object_counts, stage, stage_path


@pytest.fixture(scope="module")
def report() -> DiffReport:
    return diff_snapshots(*(stage("leak_cache", s) for s in ("baseline", "target", "final")))


def test_exactly_the_leaked_class_in_one_cluster(report: DiffReport) -> None:
    truth = expected("leak_cache")
    assert report.method == "three-snapshot"
    assert len(report.clusters) == 1
    (cluster,) = report.clusters
    assert cluster.class_name == truth["leaked_class"]
    assert cluster.count == truth["leaked_count"]
    assert sorted(cluster.node_ids) == truth["leaked_ids"]


def test_transient_objects_are_not_reported(report: DiffReport) -> None:
    truth = expected("leak_cache")
    reported = {i for c in report.clusters for i in c.node_ids}
    assert not reported & set(truth["transient_ids"])
    assert all(truth["transient_class"] not in step for c in report.clusters for step in c.shape)


def test_trace_follows_the_program_and_carries_sizes(report: DiffReport) -> None:
    truth = expected("leak_cache")
    trace = report.clusters[0].trace
    ids = [step.node_id for step in trace.steps]
    for key in ("service", "cache", "entries_map"):
        assert truth["objects"][key]["id"] in ids
    names = [step.edge_name for step in trace.steps[1:4]]
    assert names == ["service", "cache", "entries"]  # globalThis.service.cache.entries
    sizes = [step.retained_size for step in trace.steps]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] > 0
    final = stage("leak_cache", "final")
    target = int(np.flatnonzero(final.node_id == trace.steps[-1].node_id)[0])
    assert trace.steps[-1].node == target


def test_class_growth_matches_an_independent_count(report: DiffReport) -> None:
    truth = expected("leak_cache")
    before = object_counts(stage_path("leak_cache", "baseline"))
    after = object_counts(stage_path("leak_cache", "final"))
    row = next(g for g in report.growth if g.class_name == "CachedResponse")
    assert (row.count_before, row.count_after) == (
        before["CachedResponse"],
        after["CachedResponse"],
    )
    assert row.count_delta == truth["leaked_count"]
    assert all(g.class_name != "ScratchBuffer" for g in report.growth)


def test_snapshot_compared_with_itself_is_clean() -> None:
    final = stage("leak_cache", "final")
    same = diff_snapshots(final, final, final)
    assert same.clusters == () and same.growth == () and same.leaked_objects == 0


def test_two_snapshots_count_transients_as_allocated_between() -> None:
    two = diff_snapshots(stage("leak_cache", "baseline"), stage("leak_cache", "target"))
    assert two.method == "allocated-between"
    classes = {c.class_name for c in two.clusters}
    assert {"CachedResponse", "ScratchBuffer"} <= classes
    assert any("FINAL" in note for note in two.notes)


def _heap(objects: list[tuple[int, str]], engine: str = "V8", path: str = "inline") -> object:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
    b.add_root(glob, RootKind.USER, "global")
    for node_id, cls in objects:
        node = b.add_node(NodeKind.OBJECT, cls, node_id=node_id, self_size=8)
        b.add_edge(glob, node, EdgeKind.PROPERTY, f"p{node_id}")
    return b.freeze(SourceInfo(path, "test", engine))


def test_an_id_reused_by_another_class_is_a_new_object() -> None:
    new, reused = match_new_objects(_heap([(3, "Old")]), _heap([(3, "New")]))  # type: ignore[arg-type]
    assert reused == 1 and new.tolist() == [False, False, True]


def test_addresses_across_files_fall_back_to_class_growth() -> None:
    base = _heap([(3, "A")], engine="SpiderMonkey", path="a.log")
    last = _heap([(3, "A"), (5, "A")], engine="SpiderMonkey", path="b.log")
    out = diff_snapshots(base, last)  # type: ignore[arg-type]
    assert out.method == "class-growth" and out.clusters == ()
    assert [(g.class_name, g.count_delta) for g in out.growth] == [("A", 1)]
    same_log = diff_snapshots(  # type: ignore[arg-type]
        _heap([(3, "A")], "SpiderMonkey", "x.log"),
        _heap([(3, "A"), (5, "A")], "SpiderMonkey", "x.log"),
    )
    assert same_log.method == "allocated-between"
    assert any("moves cells" in note for note in same_log.notes)


def test_leak_roots_drop_objects_owned_by_another_leaked_object() -> None:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1)
    b.add_root(glob, RootKind.USER, "global")
    owner = b.add_node(NodeKind.OBJECT, "Session", node_id=3)
    backing = b.add_node(NodeKind.ARRAY, "(array)", node_id=5)
    owned = b.add_node(NodeKind.OBJECT, "Payload", node_id=7)
    b.add_edge(glob, owner, EdgeKind.PROPERTY, "s")
    b.add_edge(owner, backing, EdgeKind.INTERNAL, "elements")
    b.add_edge(backing, owned, EdgeKind.ELEMENT, 0)
    graph = b.freeze(SourceInfo("inline", "test", "V8"))
    leaked = np.array([False, False, True, True, True])
    idom = np.array([0, 0, 1, 2, 3], dtype=np.int32)
    assert find_leak_roots(graph, leaked, idom).tolist() == [2]
