"""``--overlay`` loads the snapshot with room after its columns and merges into that room; with
the index cache the graph comes from memory-mapped sections, and the merge copies instead."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.cli.params import InputChoice, load_input
from leakhunt.importers import load_graph
from leakhunt.importers.rootdump import PendingDump, apply_overlay, read_root_dump
from leakhunt.importers.rootdump import overlay as overlay_module
from leakhunt.importers.rootdump.csr_merge import MergedCsr, merge_csr

from helpers.rootdump import ADDON_DUMP, ADDON_SNAPSHOT


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> list[MergedCsr]:
    """Every merge the overlay made during the test."""
    made: list[MergedCsr] = []

    def spy(*args: Any, **kwargs: Any) -> MergedCsr:
        merged = merge_csr(*args, **kwargs)
        made.append(merged)
        return merged

    monkeypatch.setattr(overlay_module, "merge_csr", spy)
    return made


def _choice(cache_dir: Path | None) -> InputChoice:
    return InputChoice(
        file=str(ADDON_SNAPSHOT),
        input_format=None,
        dump_index=None,
        quiet=True,
        no_cache=cache_dir is None,
        cache_dir=str(cache_dir) if cache_dir is not None else None,
        overlay=str(ADDON_DUMP),
    )


def test_overlay_without_cache_merges_in_place(merges: list[MergedCsr]) -> None:
    loaded = load_input(_choice(None))
    expected = apply_overlay(load_graph(str(ADDON_SNAPSHOT)), read_root_dump(str(ADDON_DUMP)))
    assert [merged.in_place for merged in merges] == [True, False]  # the expected one copies
    for column in ("node_id", "node_first_edge", "edge_target", "edge_kind", "edge_name"):
        assert np.array_equal(getattr(loaded.graph, column), getattr(expected.graph, column))


def test_overlay_on_a_cached_graph_copies(merges: list[MergedCsr], tmp_path: Path) -> None:
    first = load_input(_choice(tmp_path))  # imported (with room) and stored
    second = load_input(_choice(tmp_path))  # from the cache: no room
    assert [merged.in_place for merged in merges] == [True, False]
    for column in ("node_first_edge", "edge_target", "edge_kind", "edge_name", "node_name"):
        assert np.array_equal(getattr(first.graph, column), getattr(second.graph, column))


def _many_natives_dump(graph_ids: list[int], count: int) -> bytes:
    """An overlay of ``count`` natives, each holding a JS object: repetitive, so gzip shrinks it
    far below what it adds."""
    natives = [{"id": f"n{i}", "class": "Entry", "size": 16} for i in range(count)]
    edges = [
        {"kind": "strong", "from": {"native": f"n{i}"}, "to": {"js": graph_ids[i % len(graph_ids)]}}
        for i in range(count)
    ]
    doc = {"format": "leakhunt-rootdump", "version": 1, "graph": "overlay", "processes": []}
    return json.dumps({**doc, "natives": natives, "edges": edges}).encode()


@pytest.mark.parametrize("gzipped", [False, True])
def test_the_room_asked_for_holds_what_the_dump_adds(
    gzipped: bool, tmp_path: Path, merges: list[MergedCsr]
) -> None:
    snapshot = load_graph(str(ADDON_SNAPSHOT))
    data = _many_natives_dump(snapshot.node_id[1:50].tolist(), 5_000)
    path = tmp_path / ("dump.json.gz" if gzipped else "dump.json")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    if gzipped:  # a room sized from the compressed bytes would be too small
        assert path.stat().st_size // 8 < 5_000
    pending = PendingDump(str(path))
    merged = apply_overlay(snapshot, pending.result()).graph
    assert merged.node_count - snapshot.node_count <= pending.node_room
    assert merged.edge_count - snapshot.edge_count <= pending.edge_room
    loaded = load_input(dataclasses.replace(_choice(None), overlay=str(path)))
    assert merges[-1].in_place and loaded.graph.node_count == merged.node_count
