"""Invariants of the Node root dump fixtures (fixtures/node_rootdump), checked independently.

The same checks run on the committed files and on a fresh regeneration (engine test). They
read the snapshot with the V8 importer (``load_graph``) and decide reachability with a plain
breadth-first search written here, never with leakhunt's analyzers; the ground truth they
compare with is the addon's own (its counters and the ids it read through
``HeapProfiler::GetObjectId``).
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from leakhunt import load_graph
from leakhunt.graph import EdgeKind, NodeKind, RetentionGraph, RootKind

__all__ = ["check_compiled_fn_entry", "check_worker_isolates", "reachable"]

LEAK_KINDS = {"leak-direct", "leak-weakmap"}
SNAPSHOT_EDGE_KINDS = {
    "property": EdgeKind.PROPERTY,
    "internal": EdgeKind.INTERNAL,
    "context": EdgeKind.CONTEXT_VARIABLE,
    "ephemeron": EdgeKind.EPHEMERON,
}


def _json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def reachable(
    graph: RetentionGraph,
    start: int,
    skip_edges: frozenset[int] = frozenset(),
    alive: frozenset[int] = frozenset(),
) -> set[int]:
    """Ordinals reachable from ``start`` through retaining edges, weak-map entries exactly.

    A retaining edge is any strong kind (weak edges never count); an ephemeron value is reached
    once every half of its entry has been met (the map's table and the key). Halves leaving a
    node of ``alive`` count as met from the start: "what does ``start`` keep alive, given that
    these nodes are alive anyway"; such nodes are reported when met but not searched through
    (``start`` excepted). ``skip_edges`` are edge ordinals treated as absent.
    """
    eph_edges = graph.ephemerons.edge
    halves_met = np.zeros(len(graph.ephemerons), np.int64)
    if alive:
        sources = np.searchsorted(graph.node_first_edge, eph_edges, side="right") - 1
        for at, source in enumerate(sources):
            if int(source) in alive:
                halves_met[graph.ephemerons.entry[at]] += 1
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node in alive and node != start:
            continue
        for edge in range(int(graph.node_first_edge[node]), int(graph.node_first_edge[node + 1])):
            if edge in skip_edges:
                continue
            kind = EdgeKind(int(graph.edge_kind[edge]))
            target = int(graph.edge_target[edge])
            if kind is EdgeKind.EPHEMERON:
                at = int(np.searchsorted(eph_edges, edge))
                entry = int(graph.ephemerons.entry[at])
                if node not in alive:
                    halves_met[entry] += 1
                if halves_met[entry] < int(graph.ephemerons.entry_halves[entry]):
                    continue
            elif not kind.is_strong:
                continue
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _ordinals(graph: RetentionGraph) -> dict[int, int]:
    return {int(node_id): ordinal for ordinal, node_id in enumerate(graph.node_id)}


def _edge_between(graph: RetentionGraph, source: int, target: int, kind: EdgeKind) -> list[int]:
    edges = range(int(graph.node_first_edge[source]), int(graph.node_first_edge[source + 1]))
    return [e for e in edges if graph.edge_target[e] == target and graph.edge_kind[e] == kind]


def _check_counters(expected: dict[str, Any]) -> None:
    entries = expected["entries"]
    counters = expected["counters"]
    by_kind: dict[str, list[int]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry["entry_id"])
    assert counters["created"] == len(entries) == counters["freed"] + counters["live"]
    assert counters["freed_entry_ids"] == sorted(by_kind["freed"])
    live = sorted(by_kind["leak-direct"] + by_kind["leak-weakmap"] + by_kind["kept"])
    assert counters["live_entry_ids"] == live
    assert len(expected["leaked_cycles"]) == len(by_kind["leak-direct"]) + len(
        by_kind["leak-weakmap"]
    )
    assert all(by_kind[kind] for kind in ("leak-direct", "leak-weakmap", "kept", "freed"))


def _check_dump(dump: dict[str, Any], expected: dict[str, Any], ordinals: dict[int, int]) -> None:
    """The dump names what the addon counted as live, with the ids it recorded."""
    live = {e["entry"]: e for e in expected["entries"] if e["in_snapshot"]}
    natives = {n["id"]: n for n in dump["natives"]}
    assert set(natives) == set(live) | {"registry"}
    for name, entry in live.items():
        assert (natives[name]["address"], natives[name]["size"]) == (
            entry["address"],
            entry["size"],
        )
        assert natives[name]["class"] == entry["class"]
    edges = {
        (e["kind"], json.dumps(e["from"], sort_keys=True), json.dumps(e["to"], sort_keys=True))
        for e in dump["edges"]
    }
    for name, entry in live.items():
        native, fn, wrapper = (
            {"native": name},
            {"js": entry["function_id"]},
            {"js": entry["wrapper_id"]},
        )
        for kind, source, target in [
            ("strong_global_handle", native, wrapper),
            ("weak_global_handle", native, fn),
            ("weak_callback", fn, native),
            ("host_options", fn, native),
        ]:
            key = (kind, json.dumps(source, sort_keys=True), json.dumps(target, sort_keys=True))
            assert key in edges, f"{name}: no {kind} edge in the dump"
    assert len(dump["edges"]) == 5 * len(live)
    js_ids = [ref["js"] for e in dump["edges"] for ref in (e["from"], e["to"]) if "js" in ref]
    assert all(node_id in ordinals for node_id in js_ids)
    (isolate,) = dump["processes"][0]["isolate_groups"][0]["isolates"]
    assert isolate["snapshot"] == expected["snapshot"]
    assert isolate["contexts"][0]["global_node"] in ordinals


def _handle_root_edges(graph: RetentionGraph, targets: set[int]) -> frozenset[int]:
    """The snapshot's own ``(Global handles)`` root edges into ``targets``."""
    strong = graph.roots.kind == RootKind.STRONG_GLOBAL_HANDLE
    edges = graph.roots.edge[strong]
    return frozenset(int(e) for e in edges if int(graph.edge_target[e]) in targets)


def _check_heap_hops(
    graph: RetentionGraph, cycle: dict[str, Any], ordinals: dict[int, int]
) -> None:
    """Every heap hop the generator recorded is an edge of that kind in the snapshot."""
    heap_hops = [hop for hop in cycle["edges"] if hop["edge"] in SNAPSHOT_EDGE_KINDS]
    assert heap_hops[0]["from"] == cycle["handle_target_id"]
    assert heap_hops[-1]["to"] == cycle["function_id"]
    for hop in heap_hops:
        kind = SNAPSHOT_EDGE_KINDS[hop["edge"]]
        found = _edge_between(graph, ordinals[hop["from"]], ordinals[hop["to"]], kind)
        assert found, f"{cycle['entry']}: no {hop['edge']} edge @{hop['from']} -> @{hop['to']}"
        if kind is not EdgeKind.EPHEMERON:
            assert any(graph.strings[graph.edge_name[e]] == hop["name"] for e in found)


def check_compiled_fn_entry(directory: Path) -> None:
    """All invariants of ``compiled_fn_entry.*`` in ``directory``."""
    expected = _json(directory / "compiled_fn_entry.expected.json")
    dump = _json(directory / "compiled_fn_entry.rootdump.json")
    graph = load_graph(str(directory / expected["snapshot"]))
    ordinals = _ordinals(graph)
    _check_counters(expected)
    _check_dump(dump, expected, ordinals)
    assert graph.node_count == expected["snapshot_summary"]["node_count"]  # root is node 0

    entries = expected["entries"]
    for entry in entries:
        ids = [entry["wrapper_id"], entry["function_id"], entry["closure_id"], entry["holder_id"]]
        present = [i in ordinals for i in ids if i is not None]
        assert present == [entry["in_snapshot"]] * len(present), entry["entry"]
    live = [e for e in entries if e["in_snapshot"]]
    for entry in live:
        wrapper = ordinals[entry["wrapper_id"]]
        assert graph.strings[graph.node_class[wrapper]] == "CompiledFnEntry"
        assert graph.node_kind[ordinals[entry["function_id"]]] == NodeKind.CLOSURE

    # What stays alive if the addon's strong handles are not roots: exactly what the GC
    # would free if it understood that each handle dies with its function.
    wrappers = {ordinals[e["wrapper_id"]] for e in live}
    handle_edges = _handle_root_edges(graph, wrappers)
    assert len(handle_edges) == len(live)
    without_handles = frozenset(reachable(graph, graph.root_node, handle_edges))
    assert reachable(graph, graph.root_node) >= wrappers
    for entry in live:
        wrapper, function = ordinals[entry["wrapper_id"]], ordinals[entry["function_id"]]
        assert wrapper not in without_handles, entry["entry"]
        if entry["kind"] in LEAK_KINDS:
            assert function not in without_handles, entry["entry"]
            assert function in reachable(graph, wrapper, alive=without_handles), entry["entry"]
        else:
            assert function in without_handles, entry["entry"]  # the user holds it
            # ... and nothing only the wrapper keeps alive points at it.
            assert function not in reachable(graph, wrapper, alive=without_handles), entry["entry"]

    leaked = {e["entry"] for e in live if e["kind"] in LEAK_KINDS}
    assert {c["entry"] for c in expected["leaked_cycles"]} == leaked
    for cycle in expected["leaked_cycles"]:
        _check_heap_hops(graph, cycle, ordinals)
        members = [m["node_id"] for m in cycle["members"] if "node_id" in m]
        assert all(ordinals[m] not in without_handles for m in members), cycle["entry"]


def check_worker_isolates(directory: Path) -> None:
    """All invariants of ``worker_isolates.*`` in ``directory``."""
    expected = _json(directory / "worker_isolates.expected.json")
    manifest = _json(directory / "worker_isolates.manifest.json")
    assert manifest["graph"] == "manifest"
    (process,) = manifest["processes"]
    (group,) = process["isolate_groups"]
    build = expected["isolate_group"]
    assert group["id"] == "default"
    compressed = build["v8_enable_pointer_compression"]
    assert group["pointer_cage_size"] == (4 * 1024**3 if compressed else None)
    isolates = expected["isolates"]
    assert [i["id"] for i in group["isolates"]] == [i["isolate"] for i in isolates]
    assert len({i["thread_id"] for i in isolates}) == len(isolates) >= 3
    assert [i["is_main_thread"] for i in isolates].count(True) == 1
    for listed, truth in zip(group["isolates"], isolates, strict=True):
        assert listed["heap_statistics"] == truth["heap_statistics"]
        assert listed["thread"] == truth["thread_id"]
        assert listed["snapshot"] == (truth["snapshot"] if truth["snapshot_kept"] else None)
        counts = truth["snapshot_contents"]["payload_counts"]
        assert counts == {
            c: (truth["payload_count"] if c == truth["payload_class"] else 0) for c in counts
        }
    kept = [i for i in isolates if i["snapshot_kept"]]
    assert kept
    for truth in kept:
        graph = load_graph(str(directory / truth["snapshot"]))
        contents = truth["snapshot_contents"]
        assert graph.node_count == contents["node_count"]
        assert int(graph.node_self_size.sum()) == contents["self_size_total"]
        classes = [graph.strings[c] for c in graph.node_class]
        for payload_class, count in contents["payload_counts"].items():
            assert classes.count(payload_class) == count, payload_class
