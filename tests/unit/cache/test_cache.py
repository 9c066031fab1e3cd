"""The index cache: reused when valid; stale or damaged entries are detected and rebuilt."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from leakhunt.cache.session import cached_root_distances, open_input
from leakhunt.cache.store import IndexCache
from leakhunt.importers import ImportOptions, load_graph

from conftest import v8_fixture
from helpers.snapshots import small_heap, write_snapshot


def _open(path: Path, cache: IndexCache | None):  # type: ignore[no-untyped-def]
    return open_input(str(path), format=None, options=ImportOptions(), progress=None, cache=cache)


def _graph_section(cache: IndexCache, path: Path) -> Path:
    entry = cache.entry_for(str(path))
    (section,) = [p for p in entry.directory.iterdir() if p.name.endswith("-graph")]
    return section


def test_cached_graph_equals_fresh_graph(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "cache")
    source = v8_fixture("collections")
    first = _open(source, cache).graph
    second = _open(source, cache).graph
    fresh = load_graph(str(source))
    for column in (
        "node_id",
        "node_first_edge",
        "edge_target",
        "edge_kind",
        "edge_name",
        "node_class",
    ):
        assert np.array_equal(getattr(second, column), getattr(fresh, column))
    assert second.strings == fresh.strings == first.strings
    assert second.contexts.name == fresh.contexts.name
    assert np.array_equal(second.ephemerons.edge, fresh.ephemerons.edge)
    assert isinstance(second.node_id, np.memmap) or second.node_id.base is not None


def test_changed_file_is_not_served_from_cache(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "cache")
    path = write_snapshot(tmp_path / "a.heapsnapshot", small_heap())
    assert _open(path, cache).graph.node_count == 8
    nodes = small_heap()
    nodes.append(("object", "Extra", 99, 8, []))
    write_snapshot(path, nodes)
    os.utime(path, ns=(1, 1))
    assert _open(path, cache).graph.node_count == 9


@pytest.mark.parametrize("damage", ["truncate", "flip", "meta", "delete"])
def test_damaged_entry_is_rebuilt(tmp_path: Path, damage: str) -> None:
    cache = IndexCache(tmp_path / "cache")
    source = v8_fixture("leak_chain")
    _open(source, cache)
    section = _graph_section(cache, source)
    victim = section / "edge_target.npy"
    if damage == "truncate":
        victim.write_bytes(victim.read_bytes()[:-100])
    elif damage == "flip":
        data = bytearray(victim.read_bytes())
        data[-1] ^= 0xFF
        victim.write_bytes(bytes(data))
    elif damage == "meta":
        (section / "meta.json").write_text("{not json")
    else:
        victim.unlink()
    assert cache.entry_for(str(source)).load_section(section.name) is None
    graph = _open(source, cache).graph
    assert np.array_equal(graph.edge_target, load_graph(str(source)).edge_target)
    assert cache.entry_for(str(source)).load_section(section.name) is not None


def test_cached_distances_match(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "cache")
    loaded = _open(v8_fixture("leak_chain"), cache)
    first = cached_root_distances(loaded, include_weak=False)
    again = cached_root_distances(_open(v8_fixture("leak_chain"), cache), include_weak=False)
    assert np.array_equal(first.distance, again.distance)
    assert np.array_equal(first.parent_edge, again.parent_edge)
    weak = cached_root_distances(loaded, include_weak=True)
    assert weak.include_weak and (weak.distance >= 0).sum() >= (first.distance >= 0).sum()


def test_unwritable_cache_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = IndexCache(blocker / "cache")
    assert _open(v8_fixture("leak_chain"), cache).graph.node_count > 0


def test_key_names_the_code_that_computed_the_entry(tmp_path: Path) -> None:
    from leakhunt.cache.store import code_fingerprint

    cache = IndexCache(tmp_path / "cache")
    key = cache.entry_for(str(v8_fixture("leak_chain"))).key
    assert key["code"] == code_fingerprint() and len(key["code"]) == 16


def test_string_table_round_trip_with_and_without_nul() -> None:
    from leakhunt.cache.graph_codec import decode_strings, encode_strings

    for strings in [(), ("",), ("a", "", "\ud800x", "é"), ("a\x00b", "", "c")]:
        arrays = encode_strings(strings, "s")
        assert decode_strings(arrays, "s") == strings
    assert "s_joined" in encode_strings(("a", "b"), "s")
    assert "s_offsets" in encode_strings(("a\x00",), "s")


def _identity_fields(identity):  # type: ignore[no-untyped-def]
    return (
        identity.path,
        identity.engine,
        identity.node_id.tolist(),
        identity.node_class.tolist(),
        identity.class_names,
        identity.class_rows,
        identity.process,
    )


@pytest.mark.parametrize("with_classes", [False, True])
def test_cached_identity_equals_the_identity_of_the_graph(
    tmp_path: Path, with_classes: bool
) -> None:
    from leakhunt.analyzers.diff import snapshot_identity
    from leakhunt.analyzers.dominators import compute_dominators
    from leakhunt.analyzers.top import compute_class_columns
    from leakhunt.cache.session import cached_identity, store_identity

    cache = IndexCache(tmp_path / "cache")
    source = v8_fixture("collections")

    def lookup(classes: bool):  # type: ignore[no-untyped-def]
        return cached_identity(
            str(source), format=None, options=ImportOptions(), cache=cache, with_classes=classes
        )

    assert lookup(with_classes) is None
    loaded = _open(source, cache)
    graph = load_graph(str(source))
    columns = compute_class_columns(graph, compute_dominators(graph)) if with_classes else None
    fresh = snapshot_identity(graph, columns)
    store_identity(
        str(source),
        snapshot_identity(loaded.graph, columns),
        format=None,
        options=ImportOptions(),
        cache=cache,
    )
    assert _identity_fields(lookup(with_classes)) == _identity_fields(fresh)
    # An identity stored without its class table does not answer for one that needs it.
    assert (lookup(True) is None) is (not with_classes)


def test_damaged_identity_is_not_served(tmp_path: Path) -> None:
    from leakhunt.analyzers.diff import snapshot_identity
    from leakhunt.cache.session import cached_identity, store_identity

    cache = IndexCache(tmp_path / "cache")
    source = v8_fixture("collections")
    loaded = _open(source, cache)
    store_identity(
        str(source),
        snapshot_identity(loaded.graph),
        format=None,
        options=ImportOptions(),
        cache=cache,
    )
    entry = cache.entry_for(str(source))
    (section,) = [p for p in entry.directory.iterdir() if p.name.endswith("-identity")]
    (section / "node_class.npy").write_bytes(b"garbage")
    assert (
        cached_identity(
            str(source), format=None, options=ImportOptions(), cache=cache, with_classes=False
        )
        is None
    )
