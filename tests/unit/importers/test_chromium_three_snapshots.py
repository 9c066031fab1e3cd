"""fixtures/chromium/three_snapshots: baseline / target / final around a leaking page action.

The sidecar's ids come from CDP (one HeapProfiler session, so ids are stable across files).
A plain reader re-checks: leaked DialogModels absent from BASELINE and present in TARGET and
FINAL, transient objects in TARGET only, per-class counts per stage, memlab's set recomputed
here by id (in TARGET, not in BASELINE, in FINAL with the same type and name), the cache chain
in FINAL edge by edge; then the importer's view of the same ids.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from leakhunt import load_graph

from conftest import REPO
from helpers.plain_snapshot import PlainSnapshot, assert_chain

DIR = REPO / "fixtures" / "chromium"
NAME = "three_snapshots"
STAGES = ["baseline", "target", "final"]


@cache
def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / f"{NAME}.expected.json").read_text())
    return data


@cache
def _plain(stage: str) -> PlainSnapshot:
    return PlainSnapshot.read(DIR / _expected()["files"][stage]["file"])


def _count(snap: PlainSnapshot, type_: str, name: str) -> int:
    return sum(
        1 for o in range(snap.node_count) if snap.type_of(o) == type_ and snap.name_of(o) == name
    )


@pytest.mark.parametrize("stage", STAGES)
def test_sizes_and_class_counts(stage: str) -> None:
    snap = _plain(stage)
    expected = _expected()
    assert snap.node_count == expected["snapshots"][stage]["node_count"]
    counts = expected["class_counts"][stage]
    assert _count(snap, "object", "DialogModel") == counts["DialogModel"]
    assert _count(snap, "object", "RenderScratch") == counts["RenderScratch"]
    assert _count(snap, "native", '<div class="dialog">') == counts["dialog_elements"]


def test_leaked_and_transient_ids_by_stage() -> None:
    expected = _expected()
    for opened in expected["opened"]:
        for key, name in (("model", "DialogModel"), ("model_rows", "Array")):
            assert not _plain("baseline").has_id(opened[key])
            for stage in ("target", "final"):
                snap = _plain(stage)
                assert snap.name_of(snap.ordinal(opened[key])) == name
        for key in ("scratch", "scratch_buffer", "element"):
            assert [_plain(s).has_id(opened[key]) for s in STAGES] == [False, True, False]
    warmup = expected["expected_leak"]["not_leaked"]["warmup_model_id"]
    assert all(_plain(s).has_id(warmup) for s in STAGES)
    assert {c["id"] for c in expected["cached_at_final"]} == {
        o["model"] for o in expected["opened"]
    } | {warmup}


def test_memlab_set_recomputed() -> None:
    base, target, final = (_plain(s) for s in STAGES)
    leaked: dict[tuple[str, str], set[int]] = {}
    for o in range(target.node_count):
        node_id = target.node_id(o)
        if base.has_id(node_id) or not final.has_id(node_id):
            continue
        f = final.ordinal(node_id)
        key = (target.type_of(o), target.name_of(o))
        if key != (final.type_of(f), final.name_of(f)):
            continue
        leaked.setdefault(key, set()).add(node_id)
    expected = _expected()
    models = {o["model"] for o in expected["opened"]}
    assert leaked[("object", "DialogModel")] == models
    assert {o["model_rows"] for o in expected["opened"]} <= leaked[("object", "Array")]
    assert ("object", "RenderScratch") not in leaked
    assert ("native", '<div class="dialog">') not in leaked
    assert sum(len(v) for v in leaked.values()) == expected["memlab_set_size"]
    assert len(models) == expected["expected_leak"]["count"] == 20


def test_cache_chains_in_final() -> None:
    snap = _plain("final")
    expected = _expected()
    starts = {c["chain"][0]["from_id"] for c in expected["chains_in_final"]}
    (glob,) = starts
    assert snap.name_of(snap.ordinal(glob)).startswith("Window [JSGlobalObject] / http://")
    for entry in expected["chains_in_final"]:
        assert_chain(snap, entry["chain"], glob)
        assert [h["edge_name"] for h in entry["chain"][:2]] == ["modelCache", "table"]
        assert entry["chain"][-1]["to_id"] == entry["model_id"]


@pytest.mark.parametrize("stage", STAGES)
def test_importer_sees_the_same_ids(stage: str) -> None:
    graph = load_graph(str(DIR / _expected()["files"][stage]["file"]))
    ids = set(graph.node_id.tolist())
    snap = _plain(stage)
    expected = _expected()
    for opened in expected["opened"]:
        for key in ("model", "model_rows", "scratch", "scratch_buffer", "element"):
            assert (opened[key] in ids) == snap.has_id(opened[key])
    assert len(graph.node_id) == snap.node_count
