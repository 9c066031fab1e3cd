"""The overlay's fast paths give the same graph arrays as the paths they replaced.

* :func:`merge_csr` (compiled passes write the merged edge columns, copied or in place) against
  :func:`merge_csr_by_insertion` (``np.insert`` at each block's end, the former merge), on the
  addon fixture and on random graphs and random dumps;
* the columnar ``native_columns`` form against the ``natives`` records.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.builder import GraphBuilder
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.kinds import EdgeKind, NodeKind
from leakhunt.graph.room import room_after, with_room
from leakhunt.importers import ImportOptions, load_graph
from leakhunt.importers.rootdump import apply_overlay, load_overlay, read_root_dump
from leakhunt.importers.rootdump import overlay as overlay_module
from leakhunt.importers.rootdump.csr_merge import (
    MergedCsr,
    interleave_edges_reference,
    merge_csr,
    merge_csr_by_insertion,
    merge_in_place_reference,
    place_added_edges_reference,
)
from leakhunt.importers.rootdump.reader import RootDump
from tests.helpers.rootdump import (
    ADDON_DUMP,
    ADDON_SNAPSHOT,
    STANDALONE,
    column_pointer,
    load_json,
    malformed_variants,
    to_columns,
    to_native_columns,
)

I64 = npt.NDArray[np.int64]


def _insertion_merge(
    graph: RetentionGraph,
    add_source: I64,
    add_target: npt.NDArray[np.int32],
    add_kind: npt.NDArray[np.uint8],
    add_name: npt.NDArray[np.uint32],
    node_count: int,
    *,
    old_edges: Sequence[I64] = (),
    consume: bool = False,
) -> MergedCsr:
    """:func:`merge_csr`'s interface over the reference merge (the former implementation)."""
    first, add_to_new, target, kind, name = merge_csr_by_insertion(
        graph, add_source, add_target, add_kind, add_name, node_count
    )
    old_first = graph.node_first_edge
    n_old = graph.node_count
    position = np.where(
        add_source < n_old, old_first[np.minimum(add_source, n_old - 1) + 1], old_first[-1]
    )
    sorted_position = np.sort(position)
    moved = tuple(
        (edges + np.searchsorted(sorted_position, edges, side="right")).astype(np.int64)
        for edges in old_edges
    )
    return MergedCsr(first, target, kind, name, add_to_new, moved, in_place=False)


_NODE_COLUMNS = (
    "node_type",
    "node_kind",
    "node_name",
    "node_class",
    "node_id",
    "node_self_size",
    "node_context",
    "node_detachedness",
    "node_first_edge",
    "edge_target",
    "edge_kind",
    "edge_name",
)


def _assert_same_graph(a: RetentionGraph, b: RetentionGraph) -> None:
    for column in _NODE_COLUMNS:
        x, y = getattr(a, column), getattr(b, column)
        assert x.dtype == y.dtype and np.array_equal(x, y), column
    assert a.strings == b.strings and a.type_names == b.type_names
    for table in ("roots", "ephemerons"):
        for name in getattr(a, table).__slots__:
            assert np.array_equal(
                getattr(getattr(a, table), name), getattr(getattr(b, table), name)
            )


def _random_graph(rng: np.random.Generator, nodes: int, edges: int) -> RetentionGraph:
    b = GraphBuilder()
    ordinals = [b.add_node(NodeKind.OBJECT, f"n{i}", node_id=2 * i + 3) for i in range(nodes)]
    for _ in range(edges):
        s, t = rng.choice(ordinals, 2)
        b.add_edge(int(s), int(t), EdgeKind.PROPERTY, f"p{int(rng.integers(5))}")
    for node in rng.choice(ordinals, 3, replace=False).tolist():
        b.add_edge(0, node, EdgeKind.ELEMENT, node)
    return b.freeze(SourceInfo("random.heapsnapshot", "test", "none"))


def _with_room(graph: RetentionGraph, nodes: int, edges: int) -> RetentionGraph:
    """The same graph, its offsets and edge columns in storage with room after them."""

    def roomy(column: npt.NDArray[Any], room: int) -> npt.NDArray[Any]:
        copy = with_room(column.size, column.dtype.type, room=room)
        copy[:] = column
        return copy

    return dataclasses.replace(
        graph,
        node_first_edge=roomy(graph.node_first_edge, nodes),
        edge_target=roomy(graph.edge_target, edges),
        edge_kind=roomy(graph.edge_kind, edges),
        edge_name=roomy(graph.edge_name, edges),
    )


def _random_additions(
    rng: np.random.Generator, graph: RetentionGraph
) -> tuple[int, I64, npt.NDArray[np.int32], npt.NDArray[np.uint8], npt.NDArray[np.uint32]]:
    total = graph.node_count + int(rng.integers(0, 6))
    add_source = rng.integers(0, total, int(rng.integers(0, 40))).astype(np.int64)
    if rng.random() < 0.3:  # added edges only above some node: the bottom does not move
        add_source = np.maximum(add_source, total // 2)
    add_target = rng.integers(0, total, add_source.size).astype(np.int32)
    add_kind = rng.integers(0, 5, add_source.size).astype(np.uint8)
    add_name = rng.integers(0, 9, add_source.size).astype(np.uint32)
    return total, add_source, add_target, add_kind, add_name


@pytest.mark.parametrize("seed", range(12))
def test_csr_merge_equals_insertion_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    graph = _random_graph(rng, int(rng.integers(1, 30)), int(rng.integers(0, 80)))
    total, add_source, add_target, add_kind, add_name = _random_additions(rng, graph)
    old_edges = np.arange(graph.edge_count, dtype=np.int64)
    slow = _insertion_merge(
        graph, add_source, add_target, add_kind, add_name, total, old_edges=[old_edges]
    )
    assert np.array_equal(slow.target[slow.moved[0]], graph.edge_target)
    roomy = _with_room(graph, 6, 40)
    for consume in (False, True):
        fast = merge_csr(
            roomy, add_source, add_target, add_kind, add_name, total,
            old_edges=[old_edges], consume=consume,
        )  # fmt: skip
        assert fast.in_place == consume
        for column in ("first", "add_to_new", "target", "kind", "name"):
            a, b = getattr(fast, column), getattr(slow, column)
            assert a.dtype == b.dtype and np.array_equal(a, b), (consume, column)
        assert np.array_equal(fast.moved[0], slow.moved[0])
    # Given up, the graph's storage now holds the merge; without room, the merge copies.
    assert np.shares_memory(roomy.edge_target, fast.target)
    assert not merge_csr(
        graph, add_source, add_target, add_kind, add_name, total, consume=True
    ).in_place


@pytest.mark.parametrize("seed", range(12))
def test_compiled_merge_passes_equal_their_plain_twins(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    graph = _random_graph(rng, int(rng.integers(3, 30)), int(rng.integers(0, 80)))
    total, add_source, add_target, add_kind, add_name = _random_additions(rng, graph)
    expected = merge_csr(graph, add_source, add_target, add_kind, add_name, total)
    order = np.argsort(add_source, kind="stable")
    first, add_to_new = np.empty_like(expected.first), np.empty_like(expected.add_to_new)
    place_added_edges_reference(graph.node_first_edge, add_source[order], order, first, add_to_new)
    assert np.array_equal(first, expected.first)
    assert np.array_equal(add_to_new, expected.add_to_new)
    twin = (
        np.empty_like(expected.target),
        np.empty_like(expected.kind),
        np.empty_like(expected.name),
    )
    interleave_edges_reference(
        graph.node_first_edge,
        expected.first,
        graph.edge_target,
        graph.edge_kind,
        graph.edge_name,
        add_target[order],
        add_kind[order],
        add_name[order],
        *twin,
    )
    for reference, compiled in zip(
        twin, (expected.target, expected.kind, expected.name), strict=True
    ):
        assert np.array_equal(reference, compiled)
    roomy = _with_room(graph, 6, 40)
    in_place = merge_csr(roomy, add_source, add_target, add_kind, add_name, total, consume=True)
    roomy = _with_room(graph, 6, 40)
    first = roomy.node_first_edge.base[: total + 1]
    columns = tuple(
        getattr(roomy, name).base[: graph.edge_count + add_source.size]
        for name in ("edge_target", "edge_kind", "edge_name")
    )
    add_to_new = np.empty(add_source.size, dtype=np.int64)
    merge_in_place_reference(
        first, graph.node_count, add_source[order], order, add_target, add_kind, add_name,
        *columns, add_to_new,
    )  # fmt: skip
    assert np.array_equal(first, in_place.first) and np.array_equal(add_to_new, in_place.add_to_new)
    for reference, compiled in zip(
        columns, (in_place.target, in_place.kind, in_place.name), strict=True
    ):
        assert np.array_equal(reference, compiled)


@pytest.fixture(scope="module")
def addon() -> RetentionGraph:
    return load_graph(str(ADDON_SNAPSHOT))


def test_overlay_on_the_addon_fixture_equals_the_insertion_merge(
    addon: RetentionGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = read_root_dump(str(ADDON_DUMP))
    fast = apply_overlay(addon, dump).graph
    monkeypatch.setattr(overlay_module, "merge_csr", _insertion_merge)
    slow = apply_overlay(addon, dump).graph
    _assert_same_graph(fast, slow)


def test_a_snapshot_read_with_room_is_the_same_graph_and_the_overlay_grows_into_it(
    addon: RetentionGraph,
) -> None:
    dump = read_root_dump(str(ADDON_DUMP))
    roomy = load_graph(str(ADDON_SNAPSHOT), options=ImportOptions(node_room=500, edge_room=900))
    _assert_same_graph(roomy, addon)
    assert {room_after(getattr(roomy, column)) for column in _NODE_COLUMNS[:9]} == {500}
    assert {room_after(getattr(roomy, column)) for column in _NODE_COLUMNS[9:]} == {900}
    assert {room_after(getattr(addon, column)) for column in _NODE_COLUMNS} == {0}
    storage = {column: getattr(roomy, column) for column in _NODE_COLUMNS}
    grown = apply_overlay(roomy, dump, consume=True).graph
    _assert_same_graph(grown, apply_overlay(addon, dump).graph)
    for column, original in storage.items():
        assert np.shares_memory(getattr(grown, column), original), column
    # Not given up, a roomy graph is copied and left as it was.
    again = load_graph(str(ADDON_SNAPSHOT), options=ImportOptions(node_room=500, edge_room=900))
    copied = apply_overlay(again, dump).graph
    assert not np.shares_memory(copied.edge_target, again.edge_target)
    _assert_same_graph(again, addon)


def test_room_too_small_for_the_overlay_falls_back_to_copying(addon: RetentionGraph) -> None:
    dump = read_root_dump(str(ADDON_DUMP))
    tight = load_graph(str(ADDON_SNAPSHOT), options=ImportOptions(node_room=1, edge_room=1))
    merged = apply_overlay(tight, dump, consume=True).graph
    _assert_same_graph(merged, apply_overlay(addon, dump).graph)
    assert not np.shares_memory(merged.edge_target, tight.edge_target)


def _random_dump(rng: np.random.Generator, graph: RetentionGraph) -> dict[str, Any]:
    ids = graph.node_id[1:]
    natives = [
        {"id": f"n{i}", "class": f"C{int(rng.integers(3))}", "size": int(rng.integers(0, 99))}
        for i in range(int(rng.integers(1, 40)))
    ]

    def js() -> dict[str, int]:
        return {"js": int(rng.choice(ids))}

    def native() -> dict[str, str]:
        return {"native": str(rng.choice(natives)["id"])}

    def any_ref() -> dict[str, Any]:
        return js() if rng.random() < 0.5 else native()

    edges: list[dict[str, Any]] = []
    for index in range(int(rng.integers(0, 120))):
        kind = str(
            rng.choice(
                [
                    "strong_global_handle",
                    "weak_global_handle",
                    "weak_callback",
                    "host_options",
                    "strong",
                    "ephemeron",
                ]
            )
        )
        if kind in ("strong_global_handle", "weak_global_handle"):
            edge = {"kind": kind, "from": native(), "to": js(), "name": f"h{index}"}
        elif kind == "weak_callback":
            edge = {"kind": kind, "from": js(), "to": native()}
        elif kind == "ephemeron":
            edge = {"kind": kind, "from": any_ref(), "to": any_ref(), "key": any_ref()}
        else:
            edge = {"kind": kind, "from": any_ref(), "to": any_ref(), "name": f"e{index}"}
        edges.append(edge)
    roots = [{"to": native(), "kind": "embedder", "name": "r"} for _ in range(int(rng.integers(3)))]
    return {
        "format": "leakhunt-rootdump",
        "version": 1,
        "graph": "overlay",
        "processes": [],
        "natives": natives,
        "edges": edges,
        "roots": roots,
    }


@pytest.mark.parametrize("seed", range(8))
def test_overlay_of_random_dumps_equals_the_insertion_merge(
    seed: int, addon: RetentionGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    path = tmp_path / "random.rootdump.json"
    path.write_text(json.dumps(_random_dump(rng, addon)), encoding="utf-8")
    fast = load_overlay(addon, str(path)).graph
    monkeypatch.setattr(overlay_module, "merge_csr", _insertion_merge)
    slow = load_overlay(addon, str(path)).graph
    _assert_same_graph(fast, slow)


def _write(tmp_path: Path, doc: Any, name: str = "d.rootdump.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _same_natives(a: RootDump, b: RootDump) -> None:
    for member in ("ids", "classes", "names", "isolates", "contexts", "addresses", "records"):
        assert getattr(a.natives, member) == getattr(b.natives, member), member
    assert np.array_equal(a.natives.sizes, b.natives.sizes)


def test_native_columns_overlay_the_addon_fixture_like_records(
    addon: RetentionGraph, tmp_path: Path
) -> None:
    doc = load_json(ADDON_DUMP)
    records = read_root_dump(str(ADDON_DUMP))
    for columnar in (to_native_columns(doc), to_native_columns(to_columns(doc))):
        columns = read_root_dump(_write(tmp_path, columnar))
        assert columns.natives.pointer_base == "/native_columns"
        _same_natives(records, columns)
        _assert_same_graph(apply_overlay(addon, records).graph, apply_overlay(addon, columns).graph)


def test_native_columns_standalone_like_records(tmp_path: Path) -> None:
    records = load_graph(str(STANDALONE))
    columns = load_graph(_write(tmp_path, to_native_columns(load_json(STANDALONE))))
    _assert_same_graph(records, columns)


@pytest.mark.parametrize("seed", range(8))
def test_native_columns_of_random_dumps_like_records(
    seed: int, addon: RetentionGraph, tmp_path: Path
) -> None:
    rng = np.random.default_rng(100 + seed)
    doc = _random_dump(rng, addon)
    doc["processes"] = [
        {
            "isolate_groups": [
                {
                    "id": "g",
                    "isolates": [
                        {"id": "main", "contexts": [{"id": "c1", "state": "live"}]},
                    ],
                }
            ]
        }
    ]
    for index, native in enumerate(doc["natives"]):
        for member, value in (
            ("address", hex(4096 + 64 * index)),
            ("name", f"native {index}"),
            ("isolate", "main"),
            ("context", "c1"),
        ):
            if rng.random() < 0.5:
                native[member] = value
    records = read_root_dump(_write(tmp_path, doc, "records.json"))
    columns = read_root_dump(_write(tmp_path, to_native_columns(doc), "columns.json"))
    _same_natives(records, columns)
    _assert_same_graph(apply_overlay(addon, records).graph, apply_overlay(addon, columns).graph)


_NATIVE_VARIANTS = [v for v in malformed_variants() if v["pointer"].startswith("/natives/")]


@pytest.mark.parametrize("variant", _NATIVE_VARIANTS, ids=[v["name"] for v in _NATIVE_VARIANTS])
def test_malformed_natives_are_named_by_their_cell(variant: dict[str, Any], tmp_path: Path) -> None:
    path = _write(tmp_path, to_native_columns(variant["doc"]))
    with pytest.raises(SnapshotFormatError) as caught:
        load_graph(path)
    assert caught.value.record == column_pointer(variant["pointer"])


@pytest.mark.parametrize(
    ("member", "value", "message"),
    [
        ("id", "", "must be a native id"),
        ("id", 7, "must be a native id"),
        ("class", None, "must be a string"),
        ("size", True, "must be a size in bytes"),
        ("size", 1 << 64, "must be a size in bytes"),
        ("address", "0xg1", "must be an address"),
        ("address", "0x1\n0x2", "must be an address"),
        ("name", 3, "must be a string or null"),
        ("isolate", "", "must be an isolate id or null"),
    ],
)
def test_native_column_cells_are_named(
    tmp_path: Path, member: str, value: object, message: str
) -> None:
    doc = to_native_columns(load_json(STANDALONE))
    column = doc["native_columns"].setdefault(member, [None] * len(doc["native_columns"]["id"]))
    column[1] = value
    with pytest.raises(SnapshotFormatError) as caught:
        load_graph(_write(tmp_path, doc))
    assert caught.value.record == f"/native_columns/{member}/1"
    assert message in caught.value.problem


def test_native_columns_of_unequal_length_are_refused(tmp_path: Path) -> None:
    doc = to_native_columns(load_json(STANDALONE))
    doc["native_columns"]["size"].append(8)
    with pytest.raises(SnapshotFormatError) as caught:
        load_graph(_write(tmp_path, doc))
    assert caught.value.record == "/native_columns/size"


@pytest.mark.parametrize("graph", ["standalone", "manifest"])
def test_native_columns_beside_natives_or_in_a_manifest_are_refused(
    tmp_path: Path, graph: str
) -> None:
    doc = load_json(STANDALONE)
    doc["native_columns"] = to_native_columns(doc)["native_columns"]
    if graph == "manifest":
        doc = {k: v for k, v in doc.items() if k not in ("natives", "nodes", "edges", "roots")}
        doc["graph"] = "manifest"
    with pytest.raises(SnapshotFormatError):
        read_root_dump(_write(tmp_path, doc))


def test_lenient_native_columns_drop_what_records_drop(tmp_path: Path) -> None:
    doc = load_json(STANDALONE)
    doc["natives"][3]["id"] = doc["natives"][0]["id"]
    doc["natives"][2]["context"] = "nowhere"
    lenient = ImportOptions(lenient=True)
    records = read_root_dump(_write(tmp_path, doc, "r.json"), lenient=True)
    columns = read_root_dump(_write(tmp_path, to_native_columns(doc), "c.json"), lenient=True)
    assert records.natives.ids == columns.natives.ids
    assert records.natives.contexts == columns.natives.contexts
    problems = [w.split(": ", 1)[1] for w in columns.warnings]
    assert problems[:2] == [
        "/native_columns/context/2: no context 'nowhere' in isolate 'rt' (attribution dropped)",
        "/native_columns/id/3: duplicate native id 'entry-1' (first at /native_columns/id/0) "
        "(record dropped)",
    ]
    # The same problems in the same order (the dropped native's edges too), cells named
    # by column.
    assert [w.split(": ", 2)[2] for w in records.warnings] == [
        p.split(": ", 1)[1].replace("/native_columns/id/0", "/natives/0") for p in problems
    ]
    _assert_same_graph(
        load_graph(_write(tmp_path, doc, "r2.json"), options=lenient),
        load_graph(_write(tmp_path, to_native_columns(doc), "c2.json"), options=lenient),
    )
