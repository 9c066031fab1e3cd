"""Overlaying a root dump on a real snapshot (the addon fixture), checked edge by edge."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from leakhunt.analyzers.devtools.essential import compute_essential_edges
from leakhunt.analyzers.dominator_results import Semantics
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.paths import find_retaining_paths
from leakhunt.analyzers.zombies import find_zombie_contexts
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers import ImportOptions, load_graph
from leakhunt.importers.rootdump import apply_overlay, load_overlay, read_root_dump
from tests.helpers.rootdump import ADDON_DUMP, ADDON_SNAPSHOT, apply_ops, load_json

_KINDS = {
    "strong_global_handle": EdgeKind.NATIVE_HANDLE,
    "weak_global_handle": EdgeKind.WEAK,
    "weak_callback": EdgeKind.WEAK_CALLBACK,
    "host_options": EdgeKind.HOST_OPTIONS,
    "weak": EdgeKind.WEAK,
    "strong": EdgeKind.INTERNAL,
}


@pytest.fixture(scope="module")
def base() -> RetentionGraph:
    return load_graph(str(ADDON_SNAPSHOT))


@pytest.fixture(scope="module")
def merged(base: RetentionGraph) -> RetentionGraph:
    return load_overlay(base, str(ADDON_DUMP)).graph


def _edge_multiset(graph: RetentionGraph) -> Counter[tuple[int, int, int, str]]:
    sources = graph.edge_source()
    return Counter(
        (
            int(graph.node_id[sources[e]]),
            int(graph.node_id[graph.edge_target[e]]),
            int(graph.edge_kind[e]),
            graph.edge_name_text(e),
        )
        for e in range(graph.edge_count)
    )


def test_every_snapshot_edge_survives_superseded_global_handles_turn_weak(
    base: RetentionGraph, merged: RetentionGraph
) -> None:
    dump = load_json(ADDON_DUMP)
    before = _edge_multiset(base)
    after = _edge_multiset(merged)
    lost = before - after
    handles = [e for e in dump["edges"] if e["kind"] == "strong_global_handle"]
    # Each of the dump's strong handles turns one "(Global handles)" root edge to its target weak.
    global_handles = {
        int(base.node_id[n])
        for n in range(base.node_count)
        if base.node_label(n) == "(Global handles)"
    }
    assert sum(lost.values()) == len(handles)
    assert all(source in global_handles for source, _, _, _ in lost)
    assert sorted(target for _, target, _, _ in lost.elements()) == sorted(
        e["to"]["js"] for e in handles
    )
    weakened = Counter({(s, t, int(EdgeKind.WEAK), name): c for (s, t, _, name), c in lost.items()})
    assert not weakened - (after - before)
    assert merged.edge_count == base.edge_count + len(dump["edges"]) + 2 + len(handles) + 1


def test_every_dump_edge_is_in_the_graph_with_its_kind(merged: RetentionGraph) -> None:
    dump = read_root_dump(str(ADDON_DUMP))
    raw = load_json(ADDON_DUMP)
    after = _edge_multiset(merged)
    native_id = {native: -(i + 1) for i, native in enumerate(dump.natives.ids)}

    def ident(ref: dict[str, Any]) -> int:
        return int(ref["js"]) if "js" in ref else native_id[ref["native"]]

    for edge in raw["edges"]:
        key = (ident(edge["from"]), ident(edge["to"]), int(_KINDS[edge["kind"]]), edge["name"])
        assert after[key] >= 1, edge


def test_natives_and_their_roots(merged: RetentionGraph, base: RetentionGraph) -> None:
    dump = read_root_dump(str(ADDON_DUMP))
    natives = list(range(base.node_count, base.node_count + len(dump.natives)))
    assert all(merged.node_kind[n] == NodeKind.NATIVE for n in natives)
    assert [merged.strings[int(merged.node_class[n])] for n in natives] == list(
        dump.natives.classes
    )
    assert [merged.node_label(n) for n in natives] == list(dump.natives.names)
    assert [int(merged.node_self_size[n]) for n in natives] == dump.natives.sizes.tolist()
    rooted = {
        int(merged.edge_target[merged.roots.edge[row]]): RootKind(int(merged.roots.kind[row]))
        for row in range(len(merged.roots))
        if merged.edge_target[merged.roots.edge[row]] >= base.node_count
    }
    owners = {
        n
        for n in natives
        if merged.node_label(n).startswith("fn #") or "entry" in merged.node_label(n)
    }
    handle_owners = {
        base.node_count + dump.natives.ids.index(e["from"]["native"])
        for e in load_json(ADDON_DUMP)["edges"]
        if e["kind"] == "strong_global_handle"
    }
    assert {n for n, k in rooted.items() if k == RootKind.STRONG_GLOBAL_HANDLE} == handle_owners
    assert handle_owners <= owners | handle_owners
    registry = base.node_count + dump.natives.ids.index("registry")
    assert rooted[registry] == RootKind.EMBEDDER


def test_paths_never_step_through_a_weak_callback(merged: RetentionGraph) -> None:
    """A leaked function is held through its entry's handle, not through its weak callback."""
    expected = load_json(ADDON_DUMP.with_name("compiled_fn_entry.expected.json"))
    leaked = [e for e in expected["entries"] if e["state"] == "leaked"]
    ids = {int(merged.node_id[n]): n for n in range(merged.node_count)}
    targets = [ids[e["function_id"]] for e in leaked]
    report = find_retaining_paths(merged, targets)
    assert {p.target for p in report.paths} == set(targets)
    for path in report.paths:
        kinds = {EdgeKind(int(merged.edge_kind[e])) for e in path.edges}
        assert EdgeKind.WEAK_CALLBACK not in kinds
        assert EdgeKind.NATIVE_HANDLE in kinds
        assert path.root_kind == RootKind.STRONG_GLOBAL_HANDLE


@pytest.mark.parametrize("semantics", list(Semantics))
def test_weak_callbacks_are_never_essential(merged: RetentionGraph, semantics: Semantics) -> None:
    essential = compute_essential_edges(merged, semantics)
    callbacks = merged.edge_kind == EdgeKind.WEAK_CALLBACK
    assert callbacks.sum() == 7
    assert not essential[callbacks].any()
    assert essential[merged.edge_kind == EdgeKind.NATIVE_HANDLE].all()


def test_retained_sizes_credit_the_handle_owner(
    merged: RetentionGraph, base: RetentionGraph
) -> None:
    """Each directly leaked entry dominates its wrapper and its function.

    (The WeakMap-shaped leaks' wrappers are page-owned through the map's weak key edge, so
    DevTools' rule 5 detaches them from the entry: not a question of weak callbacks.)
    """
    expected = load_json(ADDON_DUMP.with_name("compiled_fn_entry.expected.json"))
    dump = read_root_dump(str(ADDON_DUMP))
    tree = compute_dominators(merged)
    ids = {int(merged.node_id[n]): n for n in range(merged.node_count)}
    for entry in expected["entries"]:
        if entry["kind"] != "leak-direct":
            continue
        native = base.node_count + dump.natives.ids.index(entry["entry"])
        wrapper, function = ids[entry["wrapper_id"]], ids[entry["function_id"]]
        assert tree.idom[wrapper] == native
        node = function
        while node not in (native, 0):
            node = int(tree.idom[node])
        assert node == native
        assert tree.retained_size[native] >= (
            merged.node_self_size[native] + tree.retained_size[wrapper]
        )


def _write(tmp_path: Path, doc: Any) -> str:
    path = tmp_path / "dump.rootdump.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("ops", "pointer", "message"),
    [
        (
            [{"op": "set", "path": "/edges/0/to", "value": {"js": 987654321}}],
            "/edges/0/to",
            "no node with id 987654321 in snapshot 'compiled_fn_entry.heapsnapshot.gz'",
        ),
        (
            [
                {
                    "op": "append",
                    "path": "/natives",
                    "value": {"id": "entry-1", "class": "X", "size": 1},
                }
            ],
            "/natives/8/id",
            "duplicate native id 'entry-1'",
        ),
        (
            [{"op": "set", "path": "/edges/0/from", "value": {"native": "entry-99"}}],
            "/edges/0/from",
            "no native with id 'entry-99'",
        ),
        (
            [
                {
                    "op": "append",
                    "path": "/edges",
                    "value": {
                        "kind": "weak",
                        "from": {"native": "registry"},
                        "to": {"native": "entry-1"},
                        "name": "x",
                    },
                },
                {
                    "op": "append",
                    "path": "/edges",
                    "value": {
                        "kind": "strong",
                        "from": {"native": "registry"},
                        "to": {"native": "entry-1"},
                        "name": "x",
                    },
                },
            ],
            "/edges/36/kind",
            "contradicts the weak edge at /edges/35",
        ),
    ],
)
def test_overlay_errors_name_dump_record_and_problem(
    base: RetentionGraph, tmp_path: Path, ops: list[dict[str, Any]], pointer: str, message: str
) -> None:
    doc = apply_ops(load_json(ADDON_DUMP), ops)
    assert len(doc["natives"]) >= 8 and len(load_json(ADDON_DUMP)["edges"]) == 35
    path = _write(tmp_path, doc)
    with pytest.raises(SnapshotFormatError) as caught:
        load_overlay(base, path)
    assert caught.value.path == path
    assert caught.value.record == pointer
    assert message in caught.value.problem
    result = load_overlay(base, path, lenient=True)
    assert any(f": {pointer}: " in w and message in w for w in result.warnings)


def test_overlay_refuses_standalone_dumps(base: RetentionGraph) -> None:
    from tests.helpers.rootdump import STANDALONE

    with pytest.raises(SnapshotFormatError, match="cannot be overlaid"):
        load_overlay(base, str(STANDALONE))


def test_dump_of_several_isolates_applies_the_one_naming_the_snapshot(
    base: RetentionGraph, tmp_path: Path
) -> None:
    doc = load_json(ADDON_DUMP)
    group = doc["processes"][0]["isolate_groups"][0]
    other = {"id": "worker", "snapshot": "worker.heapsnapshot"}
    group["isolates"].append(other)
    for native in doc["natives"]:
        native["isolate"] = "main"
    doc["natives"].append({"id": "elsewhere", "class": "Other", "size": 1, "isolate": "worker"})
    doc["edges"].append(
        {"kind": "strong_global_handle", "from": {"native": "elsewhere"}, "to": {"js": 123456789}}
    )
    merged = load_overlay(base, _write(tmp_path, doc)).graph
    assert merged.node_count == load_overlay(base, str(ADDON_DUMP)).graph.node_count
    group["isolates"][0]["snapshot"] = "another.heapsnapshot"
    with pytest.raises(
        SnapshotFormatError, match=r"none has snapshot 'compiled_fn_entry\.heapsnapshot'"
    ):
        load_overlay(base, _write(tmp_path, doc))


def _edge_triples(graph: RetentionGraph, edges: Any) -> list[tuple[int, int, str]]:
    sources = graph.edge_source()
    return [
        (
            int(graph.node_id[sources[e]]),
            int(graph.node_id[graph.edge_target[e]]),
            graph.edge_name_text(e),
        )
        for e in edges.tolist()
    ]


@pytest.mark.parametrize("consume", [False, True])
def test_context_edge_columns_follow_their_edges(tmp_path: Path, consume: bool) -> None:
    """The context table names edges by ordinal (Node's weakly held sandboxes): after the merge
    moved them, they still name the same edges, and the zombie verdicts do not change."""
    snapshot = Path(__file__).resolve().parents[3] / "fixtures/v8/vm_zombies.heapsnapshot.gz"
    base = load_graph(str(snapshot))
    holders = base.contexts.weak_holder_edges
    assert holders is not None and holders.size
    # Natives with weak edges from the first nodes: every later snapshot edge moves up.
    ids = base.node_id[1:40].tolist()
    dump = {
        "format": "leakhunt-rootdump",
        "version": 1,
        "graph": "overlay",
        "processes": [],
        "natives": [{"id": f"n{i}", "class": "Probe", "size": 8} for i in range(len(ids))],
        "edges": [
            {"kind": "weak", "from": {"js": node_id}, "to": {"native": f"n{i}"}}
            for i, node_id in enumerate(ids)
        ],
    }
    path = tmp_path / "probe.rootdump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    graph = load_graph(
        str(snapshot), options=ImportOptions(node_room=100, edge_room=100) if consume else None
    )
    merged = apply_overlay(graph, read_root_dump(str(path)), consume=consume).graph
    moved = merged.contexts.weak_holder_edges
    assert moved is not None and (moved > holders).all()
    assert _edge_triples(merged, moved) == _edge_triples(base, holders)

    def verdicts(graph: RetentionGraph) -> list[tuple[str, str, str]]:
        found = find_zombie_contexts(graph).zombies
        return [(z.name, z.mechanism.value, z.holder_context) for z in found]

    assert verdicts(base) and verdicts(merged) == verdicts(base)
