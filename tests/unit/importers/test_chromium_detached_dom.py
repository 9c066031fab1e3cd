"""fixtures/chromium/detached_dom: detached subtrees held from JS, one dropped, one attached.

Checks the sidecar against the committed snapshot with a plain reader: held subtrees present
with detachedness 2, the dropped one absent, the attached one at 1; the JS holder edge and the
path from an inner held ``<li>`` up to its subtree's root; cutting the holder frees exactly its
subtree (plain reachability); then the importer's view of ids, detachedness and holder edges.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest

from leakhunt import load_graph
from leakhunt.graph import RetentionGraph

from conftest import REPO
from helpers.plain_snapshot import PlainSnapshot, assert_chain

DIR = REPO / "fixtures" / "chromium"
NAME = "detached_dom"
RUNS = [NAME, f"{NAME}.run2"]  # two runs of the same generator
pytestmark = pytest.mark.parametrize("name", RUNS)


@cache
def _expected(name: str = NAME) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / f"{name}.expected.json").read_text())
    return data


@cache
def _plain(name: str = NAME) -> PlainSnapshot:
    return PlainSnapshot.read(DIR / f"{name}.heapsnapshot.gz")


@cache
def _graph(name: str = NAME) -> RetentionGraph:
    return load_graph(str(DIR / f"{name}.heapsnapshot.gz"))


def _panels(name: str) -> dict[str, dict[str, Any]]:
    return {p["kind"]: p for p in _expected(name)["panels"]}


KINDS = ["held-panel", "inner-held-panel", "dropped-panel", "live-panel"]


def test_expectations(name: str) -> None:
    panels = _panels(name)
    assert list(panels) == KINDS
    assert _expected(name)["expected_leaks"] == ["held-panel", "inner-held-panel"]
    assert [k for k, p in panels.items() if p["expected_leak"]] == _expected(name)["expected_leaks"]
    assert not panels["live-panel"]["detached"] and panels["live-panel"]["held_from_js"]
    assert not panels["dropped-panel"]["held_from_js"]


@pytest.mark.parametrize("kind", KINDS)
def test_elements_present_with_their_detachedness(name: str, kind: str) -> None:
    snap = _plain(name)
    panel = _panels(name)[kind]
    assert panel["element_count"] == len(panel["elements"])
    for element in panel["elements"]:
        assert snap.has_id(element["id"]) == panel["expected_in_snapshot"] == element["present"]
        if not element["present"]:
            continue
        o = snap.ordinal(element["id"])
        assert snap.type_of(o) == "native"
        assert snap.name_of(o) == element["expected_name"] == element["name"]
        assert snap.detachedness(o) == (2 if panel["detached"] else 1)
    names = Counter(e["expected_name"] for e in panel["elements"])
    assert names[f'<li class="{kind}-item">'] == panel["element_count"] - 2


def test_every_detached_node_belongs_to_a_held_panel(name: str) -> None:
    snap = _plain(name)
    held = {e["id"] for p in _expected(name)["panels"] if p["expected_leak"] for e in p["elements"]}
    detached = {snap.node_id(o) for o in range(snap.node_count) if snap.detachedness(o) == 2}
    assert detached == held
    assert _expected(name)["detached_nodes_outside_held_panels"] == []
    counts = Counter(snap.detachedness(o) for o in range(snap.node_count))
    assert {str(k): v for k, v in counts.items()} == _expected(name)["detachedness_counts"]


@pytest.mark.parametrize("kind", ["held-panel", "inner-held-panel", "live-panel"])
def test_holder_chain(name: str, kind: str) -> None:
    snap = _plain(name)
    panel = _panels(name)[kind]
    glob = _expected(name)["main"]["window_global"]["id"]
    assert_chain(snap, panel["holder_chain"], glob)
    assert panel["holder_chain"][0]["edge_name"] == panel["holder"]["property"]
    assert panel["crossing_edge"] == panel["holder_chain"][-1]
    assert panel["holder_chain"][-1]["to_id"] == panel["js_held_node_id"]
    if kind == "inner-held-panel":
        root = panel["elements"][0]["id"]
        assert panel["js_held_node_id"] != root
        assert snap.name_of(snap.ordinal(panel["js_held_node_id"])) == (
            '<li class="inner-held-panel-item">'
        )
        assert_chain(snap, panel["held_node_to_root"], panel["js_held_node_id"])
        assert panel["held_node_to_root"][-1]["to_id"] == root


def _reachable_without(name: str, cut_to: int) -> set[int]:
    snap = _plain(name)
    seen, stack = {0}, [0]
    while stack:
        cur = stack.pop()
        for e in snap.out_edges(cur):
            if e.type == "weak" or e.to in seen or e.to == cut_to:
                continue
            seen.add(e.to)
            stack.append(e.to)
    return seen


@pytest.mark.parametrize("kind", ["held-panel", "inner-held-panel"])
def test_the_js_holder_alone_keeps_the_subtree(name: str, kind: str) -> None:
    """Without the JS-held node the whole subtree is unreachable; the other one stays."""
    snap = _plain(name)
    panels = _panels(name)
    held = snap.ordinal(panels[kind]["js_held_node_id"])
    # The JS-held node's retainers are the global's property and DOM-internal edges only
    # (from its own subtree): the holder is the one JS edge.
    subtree = {snap.ordinal(e["id"]) for e in panels[kind]["elements"]}
    outside = [(o, e) for o, e in snap.retainers(held) if o not in subtree and e.type != "weak"]
    glob = snap.ordinal(_expected(name)["main"]["window_global"]["id"])
    assert {(o, e.type, e.name) for o, e in outside} >= {
        (glob, "property", panels[kind]["holder"]["property"])
    }
    alive = _reachable_without(name, held)
    assert subtree.isdisjoint(alive)
    other = "inner-held-panel" if kind == "held-panel" else "held-panel"
    assert {snap.ordinal(e["id"]) for e in panels[other]["elements"]} <= alive


def test_importer_ids_detachedness_and_holders(name: str) -> None:
    graph = _graph(name)
    ids = graph.node_id
    for panel in _expected(name)["panels"]:
        for element in panel["elements"]:
            hits = np.flatnonzero(ids == element["id"])
            assert hits.size == (1 if element["present"] else 0)
            if element["present"]:
                assert graph.node_label(int(hits[0])) == element["name"]
                assert int(graph.node_detachedness[int(hits[0])]) == element["detachedness"]
        for hop in panel.get("holder_chain", []) + panel.get("held_node_to_root", []):
            (src,) = np.flatnonzero(ids == hop["from_id"])
            (dst,) = np.flatnonzero(ids == hop["to_id"])
            first, last = int(graph.node_first_edge[src]), int(graph.node_first_edge[src + 1])
            assert any(
                int(graph.edge_target[e]) == dst
                and graph.edge_name_text(e) == str(hop["edge_name"])
                for e in range(first, last)
            ), hop
