"""fixtures/chromium/removed_iframes: the sidecar's claims hold in the committed file.

The sidecar comes from the page (which iframe is kept, by what) and from CDP (object ids);
these tests check it against the snapshot with a plain reader (tests/helpers/plain_snapshot)
and against leakhunt's importer: the kept iframes' realms are present and the collected ones
absent, every NativeContext has a role, each holder chain exists edge by edge, and cutting a
zombie's crossing edge (and nothing else) makes its NativeContext unreachable.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

from leakhunt import load_graph
from leakhunt.graph import RetentionGraph

from conftest import REPO
from helpers.plain_snapshot import PlainSnapshot, assert_chain

DIR = REPO / "fixtures" / "chromium"
NAME = "removed_iframes"


@cache
def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / f"{NAME}.expected.json").read_text())
    return data


@cache
def _plain() -> PlainSnapshot:
    return PlainSnapshot.read(DIR / f"{NAME}.heapsnapshot.gz")


@cache
def _graph() -> RetentionGraph:
    return load_graph(str(DIR / f"{NAME}.heapsnapshot.gz"))


def _frames() -> dict[str, dict[str, Any]]:
    return {f["role"]: f for f in _expected()["frames"]}


ZOMBIES = ["closure", "listener", "cache"]


def test_roles_and_expectations() -> None:
    frames = _frames()
    assert list(frames) == [
        "closure",
        "listener",
        "cache",
        "attached",
        "collected-a",
        "collected-b",
    ]
    assert _expected()["expected_zombie_roles"] == ZOMBIES
    assert [r for r, f in frames.items() if f["expected_zombie"]] == ZOMBIES
    assert [r for r, f in frames.items() if f["attached_at_snapshot"]] == ["attached"]
    for role in ZOMBIES:
        assert frames[role]["holder"]["realm"] == "main"
        assert frames[role]["mechanism"]


@pytest.mark.parametrize("role", list(_frames()))
def test_recorded_ids_present_exactly_when_the_iframe_lives(role: str) -> None:
    snap = _plain()
    frame = _frames()[role]
    present = {k: snap.has_id(i) for k, i in frame["ids_before_removal"].items()}
    assert present == frame["present_in_snapshot"]
    if frame["expected_in_snapshot"]:
        assert present["window_proxy"] and present["frame_payload"] and present["document"]
        # The <iframe> element itself is gone once removed (nothing holds it).
        assert present["iframe_element"] == frame["attached_at_snapshot"]
    else:
        assert not any(present.values())


def _check_node(snap: PlainSnapshot, node: dict[str, Any]) -> None:
    o = snap.ordinal(node["id"])
    assert (snap.type_of(o), snap.name_of(o), snap.self_size(o)) == (
        node["type"],
        node["name"],
        node["self_size"],
    )
    assert snap.detachedness(o) == node["detachedness"]


def test_every_native_context_has_a_role() -> None:
    snap = _plain()
    expected = _expected()
    origin = expected["producer"]["page_origin"]
    contexts = {
        snap.node_id(o)
        for o in range(snap.node_count)
        if snap.name_of(o) in ("system / NativeContext", f"system / NativeContext / {origin}")
    }
    roles = expected["native_context_roles"]
    assert {int(k) for k in roles} == contexts
    assert len(contexts) == 6  # main, three zombies, the attached iframe, the extension context
    assert sorted(roles.values()).count("main page") == 1
    # The trap: the attached iframe's context and window carry the main page's names.
    main, attached = expected["main"], _frames()["attached"]
    for key in ("native_context", "window_global", "window_proxy"):
        _check_node(snap, main[key])
        _check_node(snap, attached[key])
        assert main[key]["name"] == attached[key]["name"]
    (extension,) = expected["other_native_contexts"]
    assert extension["global_object"] == "Object [JSGlobalObject]"
    assert any(e.startswith("internal ") for e in extension["global_handle_edges"])


@pytest.mark.parametrize("role", ZOMBIES)
def test_zombie_realm_nodes_and_signature(role: str) -> None:
    snap = _plain()
    frame = _frames()[role]
    for key in ("native_context", "window_global", "window_proxy", "document"):
        _check_node(snap, frame[key])
    assert frame["native_context"]["name"] == "system / NativeContext"  # untagged
    assert frame["document"]["name"] == "HTMLDocument"
    assert frame["document"]["detachedness"] == 2
    # Only weak (Global handles) edges hold a removed iframe's context.
    assert frame["native_context_global_handle_edges"]
    assert all(e.startswith("weak ") for e in frame["native_context_global_handle_edges"])
    # The context's global_object field is the window global.
    assert snap.has_edge(
        frame["native_context"]["id"], "internal", "global_object", frame["window_global"]["id"]
    )


@pytest.mark.parametrize("role", ZOMBIES)
def test_holder_chain_edge_by_edge(role: str) -> None:
    snap = _plain()
    expected = _expected()
    frame = _frames()[role]
    start = {"main_window_global": "window_global", "main_document": "document"}[
        frame["chain_from"]
    ]
    assert_chain(snap, frame["chain_to_first_frame_object"], expected["main"][start]["id"])
    first = frame["first_frame_object"]
    _check_node(snap, first)
    assert frame["chain_to_first_frame_object"][-1] == frame["crossing_edge"]
    assert frame["crossing_edge"]["to_id"] == first["id"]
    assert_chain(snap, frame["chain_first_frame_object_to_native_context"], first["id"])
    assert (
        frame["chain_first_frame_object_to_native_context"][-1]["to_id"]
        == (frame["native_context"]["id"])
    )
    if "holder_chain_by_name" in frame:
        assert_chain(snap, frame["holder_chain_by_name"], expected["main"]["window_global"]["id"])
        assert frame["holder_chain_by_name"][0]["edge_name"] == frame["holder"]["property"]


def test_holders_by_kind() -> None:
    frames = _frames()
    closure, listener, cache_ = frames["closure"], frames["listener"], frames["cache"]
    assert [h["edge_name"] for h in closure["holder_chain_by_name"]] == [
        "keepFrameWindow",
        "context",
        "frameWindow",
    ]
    assert closure["first_frame_object"]["id"] == closure["window_proxy"]["id"]
    assert listener["first_frame_object"]["name"] == "onParentPing"
    assert listener["first_frame_object"]["type"] == "closure"
    assert cache_["first_frame_object"]["name"] == "FrameCacheEntry"
    assert [h["edge_name"] for h in cache_["holder_chain_by_name"]][:2] == ["frameCache", "table"]


def _root_reachable_without(cut: set[tuple[int, int]]) -> set[int]:
    """Ordinals reachable from node 0 over non-weak edges, minus the (from, to) ordinal pairs."""
    snap = _plain()
    seen = {0}
    stack = [0]
    while stack:
        cur = stack.pop()
        for e in snap.out_edges(cur):
            if e.type == "weak" or (cur, e.to) in cut or e.to in seen:
                continue
            seen.add(e.to)
            stack.append(e.to)
    return seen


def test_cutting_one_crossing_edge_frees_exactly_that_iframe() -> None:
    snap = _plain()
    frames = _frames()
    contexts = {r: snap.ordinal(frames[r]["native_context"]["id"]) for r in ZOMBIES}
    attached = snap.ordinal(frames["attached"]["native_context"]["id"])
    everything = _root_reachable_without(set())
    assert set(contexts.values()) | {attached} <= everything
    for role in ZOMBIES:
        hop = frames[role]["crossing_edge"]
        cut = {(snap.ordinal(hop["from_id"]), snap.ordinal(hop["to_id"]))}
        alive = _root_reachable_without(cut)
        assert contexts[role] not in alive, role
        assert attached in alive
        assert all(contexts[r] in alive for r in ZOMBIES if r != role), role


def test_importer_sees_every_context_and_chain() -> None:
    graph = _graph()
    expected = _expected()
    ids = graph.node_id
    context_ids = {int(ids[n]) for n in graph.contexts.node}
    assert context_ids == {int(k) for k in expected["native_context_roles"]}
    for frame in expected["frames"]:
        for node_id in frame["ids_before_removal"].values():
            assert bool(np.any(ids == node_id)) == _plain().has_id(node_id)
        for hop in frame.get("chain_to_first_frame_object", []) + frame.get(
            "chain_first_frame_object_to_native_context", []
        ):
            (src,) = np.flatnonzero(ids == hop["from_id"])
            (dst,) = np.flatnonzero(ids == hop["to_id"])
            edges = range(int(graph.node_first_edge[src]), int(graph.node_first_edge[src + 1]))
            assert any(
                int(graph.edge_target[e]) == dst
                and graph.edge_name_text(e) == str(hop["edge_name"])
                for e in edges
            ), hop
