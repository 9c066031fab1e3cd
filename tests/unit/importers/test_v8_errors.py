"""Malformed, truncated and hostile V8 snapshots: one clear error naming the file and record."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from leakhunt.errors import SnapshotFormatError, UnsupportedFormatError
from leakhunt.importers import load_graph, load_v8_heapsnapshot

from helpers.snapshots import small_heap, snapshot_document, write_snapshot


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "bad.heapsnapshot"
    path.write_text(json.dumps(document))
    return path


def _doc() -> dict[str, Any]:
    return snapshot_document(small_heap())


Mutation = Callable[[dict[str, Any]], None]


def _drop_field(doc: dict[str, Any]) -> None:
    doc["snapshot"]["meta"]["node_fields"].remove("edge_count")


def _to_node_past_end(doc: dict[str, Any]) -> None:
    doc["edges"][2] = 7 * 500


def _to_node_misaligned(doc: dict[str, Any]) -> None:
    doc["edges"][5] = 8


def _edge_count_sum(doc: dict[str, Any]) -> None:
    doc["nodes"][4] += 1


def _node_count_header(doc: dict[str, Any]) -> None:
    doc["snapshot"]["node_count"] = 9


def _edge_count_header(doc: dict[str, Any]) -> None:
    doc["snapshot"]["edge_count"] = 3


def _edge_type_out_of_range(doc: dict[str, Any]) -> None:
    doc["edges"][3] = 40


def _name_out_of_range(doc: dict[str, Any]) -> None:
    doc["nodes"][7 * 2 + 1] = 10_000


def _edge_name_out_of_range(doc: dict[str, Any]) -> None:
    doc["edges"][1 * 3 + 1] = 10_000


def _no_strings(doc: dict[str, Any]) -> None:
    del doc["strings"]


def _nodes_not_whole(doc: dict[str, Any]) -> None:
    doc["nodes"].append(3)


def _no_meta(doc: dict[str, Any]) -> None:
    del doc["snapshot"]["meta"]


def _root_index(doc: dict[str, Any]) -> None:
    doc["snapshot"]["root_index"] = 7


@pytest.mark.parametrize(
    ("mutate", "record", "fragment"),
    [
        (_drop_field, "snapshot.meta", "node_fields lacks 'edge_count'"),
        (_to_node_past_end, "edge 0", "points past the last node"),
        (_to_node_misaligned, "edge 1", "is not a multiple of 7"),
        (_edge_count_sum, "node", "edge_count values add up to"),
        (_node_count_header, "nodes", "snapshot.node_count is 9"),
        (_edge_count_header, "edges", "snapshot.edge_count is 3"),
        (_edge_type_out_of_range, "edge 1", "type 40 is out of range"),
        (_name_out_of_range, "node 2", "is not a string index"),
        (_edge_name_out_of_range, "edge 1", "is not a string index"),
        (_no_strings, "strings", "section is missing"),
        (_nodes_not_whole, "node 8", "ends inside the record"),
        (_no_meta, "snapshot", "has no 'meta'"),
        (_root_index, "snapshot.root_index", "is not 0"),
    ],
)
def test_inconsistent_snapshot_names_file_and_record(
    tmp_path: Path, mutate: Mutation, record: str, fragment: str
) -> None:
    doc = _doc()
    if mutate is _node_count_header:
        doc["snapshot"]["node_count"] = 9
    else:
        mutate(doc)
    path = _write(tmp_path, doc)
    with pytest.raises(SnapshotFormatError) as info:
        load_v8_heapsnapshot(str(path))
    message = str(info.value)
    assert message.startswith(f"{path}: {record}"), message
    assert fragment in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "is empty"),
        ("[1, 2, 3]", "not a JSON object"),
        ('{"snapshot": {"meta": {}}}', "node_fields is not a list"),
        ('{"nodes": [1,2]}', "appears before 'snapshot'"),
    ],
)
def test_not_a_snapshot(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "x.heapsnapshot"
    path.write_text(text)
    with pytest.raises(SnapshotFormatError, match=fragment):
        load_v8_heapsnapshot(str(path))


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("1.5", "'1.5' is not a non-negative integer"),
        ("-4", "value -4 is out of range"),
        ('"x"', "'\"x\"' is not"),
    ],
)
def test_non_integer_in_nodes(tmp_path: Path, token: str, fragment: str) -> None:
    text = json.dumps(_doc()).replace('"nodes": [9, 0, 1,', f'"nodes": [9, 0, {token},', 1)
    assert token in text
    path = tmp_path / "x.heapsnapshot"
    path.write_text(text)
    with pytest.raises(SnapshotFormatError, match=r"nodes\[2\]") as info:
        load_v8_heapsnapshot(str(path))
    assert fragment in str(info.value)


def test_huge_number_is_out_of_range(tmp_path: Path) -> None:
    text = json.dumps(_doc()).replace(
        '"nodes": [9, 0, 1,', '"nodes": [9, 0, 99999999999999999999999,', 1
    )
    path = tmp_path / "x.heapsnapshot"
    path.write_text(text)
    with pytest.raises(SnapshotFormatError, match=r"nodes\[2\]: value .* is out of range"):
        load_v8_heapsnapshot(str(path))


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_file(tmp_path: Path, keep: float) -> None:
    full = json.dumps(_doc())
    path = tmp_path / "cut.heapsnapshot"
    path.write_text(full[: int(len(full) * keep)])
    with pytest.raises(SnapshotFormatError, match=r"truncated|not valid JSON|expected") as info:
        load_v8_heapsnapshot(str(path))
    assert str(path) in str(info.value)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(json.dumps(_doc()).encode())
    path = tmp_path / "cut.heapsnapshot.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SnapshotFormatError, match=r"cannot decompress|truncated"):
        load_v8_heapsnapshot(str(path))


def test_trailing_garbage(tmp_path: Path) -> None:
    path = tmp_path / "x.heapsnapshot"
    path.write_text(json.dumps(_doc()) + "\n{}")
    with pytest.raises(SnapshotFormatError, match="after the end of the JSON object"):
        load_v8_heapsnapshot(str(path))


def test_hostile_counts_do_not_allocate(tmp_path: Path) -> None:
    doc = _doc()
    doc["snapshot"]["node_count"] = 10**15
    doc["snapshot"]["edge_count"] = 10**15
    path = _write(tmp_path, doc)
    with pytest.raises(
        SnapshotFormatError, match=r"declares 1,000,000,000,000,000 nodes .* but the file has"
    ):
        load_v8_heapsnapshot(str(path))


def test_unknown_format_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello world\n")
    with pytest.raises(UnsupportedFormatError, match=r"notes\.txt: not a recognised heap dump"):
        load_graph(str(path))


def test_gzip_and_plain_load_the_same(tmp_path: Path) -> None:
    plain = load_v8_heapsnapshot(str(write_snapshot(tmp_path / "a.heapsnapshot", small_heap())))
    packed = load_v8_heapsnapshot(
        str(write_snapshot(tmp_path / "a.heapsnapshot.gz", small_heap(), gz=True))
    )
    assert plain.node_count == packed.node_count == 8
    assert (plain.edge_target == packed.edge_target).all()
    assert plain.strings == packed.strings


def test_unknown_sections_and_meta_keys_are_ignored(tmp_path: Path) -> None:
    doc = _doc()
    doc["snapshot"]["meta"]["extra_native_bytes"] = 5
    doc["scopes"] = [{"a": [1, 2]}, "x"]
    path = _write(tmp_path, doc)
    assert load_v8_heapsnapshot(str(path)).node_count == 8
