"""The columnar edge form reads to the same graph as the record form; its errors name the cell."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from leakhunt.analyzers.cycles import find_pinned_cycles
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import ImportOptions, load_graph
from leakhunt.importers.rootdump import load_overlay, read_root_dump
from leakhunt.importers.rootdump.reader import gather
from tests.helpers.rootdump import (
    ADDON_DUMP,
    ADDON_SNAPSHOT,
    STANDALONE,
    load_json,
    malformed_variants,
    to_columns,
)


def _same(a: RetentionGraph, b: RetentionGraph) -> None:
    for column in (
        "node_kind",
        "node_id",
        "node_self_size",
        "node_first_edge",
        "edge_target",
        "edge_kind",
    ):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column
    assert [a.edge_name_text(e) for e in range(a.edge_count)] == [
        b.edge_name_text(e) for e in range(b.edge_count)
    ]
    assert np.array_equal(a.roots.edge, b.roots.edge) and np.array_equal(a.roots.kind, b.roots.kind)
    assert np.array_equal(a.ephemerons.edge, b.ephemerons.edge)


def _write(tmp_path: Path, doc: object, name: str = "d.rootdump.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_standalone_columns_equal_records(tmp_path: Path) -> None:
    records = load_graph(str(STANDALONE))
    columns = load_graph(_write(tmp_path, to_columns(load_json(STANDALONE))))
    _same(records, columns)
    assert len(find_pinned_cycles(columns).cycles) == 2


def test_overlay_columns_equal_records(tmp_path: Path) -> None:
    base = load_graph(str(ADDON_SNAPSHOT))
    records = load_overlay(base, str(ADDON_DUMP)).graph
    columns = load_overlay(base, _write(tmp_path, to_columns(load_json(ADDON_DUMP)))).graph
    _same(records, columns)


def test_both_forms_at_once_are_refused(tmp_path: Path) -> None:
    doc = load_json(STANDALONE)
    doc["edge_columns"] = to_columns(doc)["edge_columns"]
    with pytest.raises(SnapshotFormatError) as caught:
        read_root_dump(_write(tmp_path, doc))
    assert caught.value.record == "/"


@pytest.mark.parametrize(
    ("cell", "value", "pointer", "message"),
    [
        ("from", {"js": 1}, "/edge_columns/from/3", "must be a JS node id"),
        ("kind", "owns", "/edge_columns/kind/3", "unknown edge kind 'owns'"),
        ("to", "entry-404", "/edge_columns/to/3", "no native with id 'entry-404'"),
    ],
)
def test_column_cells_are_named(
    tmp_path: Path, cell: str, value: object, pointer: str, message: str
) -> None:
    doc = to_columns(load_json(STANDALONE))
    doc["edge_columns"][cell][3] = value
    path = _write(tmp_path, doc)
    with pytest.raises(SnapshotFormatError) as caught:
        load_graph(path)
    assert (caught.value.record, message in caught.value.problem) == (pointer, True)


def test_column_rules_match_the_record_rules() -> None:
    """Every malformed record variant that is about an edge is also caught in columnar form."""
    for variant in malformed_variants():
        doc = variant["doc"]
        if "edges" not in doc or not variant["pointer"].startswith("/edges/"):
            continue
        if variant["name"] == "reference with two members":
            continue  # a column cell holds one value: not expressible
        try:
            columns = to_columns(doc)
        except (KeyError, TypeError):
            continue  # the record itself is not expressible as columns (a missing member)
        with pytest.raises(SnapshotFormatError):
            dump = gather(columns, "x.json")
            from leakhunt.importers.rootdump.standalone import build_standalone_graph

            build_standalone_graph(dump)


def test_lenient_drops_column_rows(tmp_path: Path) -> None:
    doc = to_columns(load_json(STANDALONE))
    doc["edge_columns"]["to"][15] = "entry-404"
    graph = load_graph(_write(tmp_path, doc), options=ImportOptions(lenient=True))
    assert any("/edge_columns/to/15: no native with id 'entry-404'" in p for p in graph.problems)
