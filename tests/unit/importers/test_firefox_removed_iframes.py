"""fixtures/firefox/firefox_removed_iframes: the sidecar's claims hold in the committed GC log.

A plain reading of the log written here (regular expressions, no leakhunt code) checks that
the kept iframes' realms and globals are in the log and the collected one's is not, that the
listener's holder is an embedder root line pointing straight at a function of the removed
iframe, and that the cache chain exists edge by edge; then the same facts through leakhunt's
SpiderMonkey importer.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from typing import Any

import numpy as np
import pytest

from leakhunt import load_graph
from leakhunt.graph import RetentionGraph

from conftest import REPO

DIR = REPO / "fixtures" / "firefox"
NAME = "firefox_removed_iframes"

CELL = re.compile(r"^(0x[0-9a-f]+) ([BGXW]) (.*)$")
EDGE = re.compile(r"^> (0x[0-9a-f]+) ([BGXW]) (.*)$")
REALM = re.compile(r"^# realm (.*) \[in compartment (\S+), zone (\S+)\]$")


@cache
def _expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DIR / f"{NAME}.expected.json").read_text())
    return data


@cache
def _log() -> dict[str, Any]:
    """roots [(addr, color, name)], realms [(name, compartment, zone)], cells, edges."""
    text = gzip.decompress((DIR / _expected()["gc_file"]).read_bytes()).decode("latin-1")
    roots: list[tuple[str, str, str]] = []
    realms: list[tuple[str, str, str]] = []
    cells: dict[str, tuple[str, str]] = {}
    edges: dict[str, list[tuple[str, str]]] = {}
    section, current = "roots", ""
    for line in text.split("\n"):
        if line == "# Weak maps.":
            section = "weak"
        elif line == "==========":
            section = "heap"
        elif section == "roots" and (m := CELL.match(line)):
            roots.append((m[1], m[2], m[3]))
        elif section == "heap":
            if m := REALM.match(line):
                realms.append((m[1], m[2], m[3]))
            elif m := EDGE.match(line):
                edges[current].append((m[1], m[3]))
            elif m := CELL.match(line):
                current = m[1]
                cells[current] = (m[2], m[3])
                edges[current] = []
    return {"roots": roots, "realms": realms, "cells": cells, "edges": edges}


@cache
def _graph() -> RetentionGraph:
    return load_graph(str(DIR / _expected()["gc_file"]))


def _frames() -> dict[str, dict[str, Any]]:
    return {f["role"]: f for f in _expected()["frames"]}


def test_roles() -> None:
    frames = _frames()
    assert list(frames) == ["listener", "cache", "attached", "collected"]
    assert [r for r, f in frames.items() if f["expected_zombie"]] == ["listener", "cache"]
    assert _expected()["expected_zombie_urls"] == [
        frames["listener"]["url"],
        frames["cache"]["url"],
    ]
    assert all(f["url"].startswith(_expected()["page_origin"] + "/") for f in frames.values())


@pytest.mark.parametrize("role", ["listener", "cache", "attached", "collected"])
def test_realm_header_exactly_when_the_iframe_lives(role: str) -> None:
    frame = _frames()[role]
    realms = [r for r in _log()["realms"] if r[0].split(", ")[0] == frame["url"]]
    if frame["expected_in_log"]:
        assert len(realms) == 1
        name, compartment, zone = realms[0]
        assert frame["realm_header"] == {"name": name, "compartment": compartment, "zone": zone}
        # Same origin: the iframe's realm shares the top page's compartment.
        assert compartment == _expected()["main_realm"]["compartment"]
    else:
        assert realms == [] and frame["realm_header"] is None and frame["global"] is None
    # No cell of the collected iframe: its role string is gone from the heap.
    strings = [d for _, d in _log()["cells"].values() if d.endswith(f" {role}-row-0")]
    assert bool(strings) == frame["expected_in_log"]


def _cell(fact: dict[str, str]) -> None:
    assert _log()["cells"][fact["address"]] == (fact["color"], fact["description"])


def _chain(hops: list[dict[str, str]], start: str) -> None:
    current = start
    for hop in hops:
        assert hop["from"] == current
        assert (hop["to"], hop["edge_name"]) in _log()["edges"][current], hop
        assert _log()["cells"][hop["to"]] == (hop["to_color"], hop["to_description"])
        current = hop["to"]


@pytest.mark.parametrize("role", ["listener", "cache", "attached"])
def test_globals(role: str) -> None:
    frame = _frames()[role]
    _cell(frame["global"])
    assert frame["global"]["description"].startswith("Window ")
    # The global's framePayload names its role.
    edges = dict((n, d) for d, n in _log()["edges"][frame["global"]["address"]])
    payload = dict((n, d) for d, n in _log()["edges"][edges["framePayload"]])
    assert _log()["cells"][payload["role"]][1].endswith(f" {role}")


def test_listener_is_held_by_an_embedder_root_pointing_into_the_dead_iframe() -> None:
    frame = _frames()["listener"]
    fn = frame["first_frame_cell"]
    _cell(fn)
    assert fn["description"] == "Function onParentPing"
    roots = [r for r in _log()["roots"] if r[0] == fn["address"]]
    assert [{"address": a, "color": c, "name": n} for a, c, n in roots] == frame["holder_roots"]
    assert roots and all(n.startswith("mCallback") for _, _, n in roots)
    # No cell of the heap points at it: the root is the only holder.
    assert not [s for s, out in _log()["edges"].items() for d, _ in out if d == fn["address"]]
    assert frame["heap_retainers_of_first_frame_cell"] == []
    _chain(frame["first_frame_cell_to_frame_global"], fn["address"])
    assert frame["first_frame_cell_to_frame_global"][-1]["to"] == frame["global"]["address"]
    # The removed iframe is gray: held only through the gray embedder root.
    assert frame["global"]["color"] == "G"
    listed = {c["address"] for c in frame["listener_function_cells"]}
    named = {a for a, (_, d) in _log()["cells"].items() if d == "Function onParentPing"}
    assert listed == named


def test_cache_chain_edge_by_edge() -> None:
    frame = _frames()["cache"]
    main_global = _expected()["main_global"]
    _cell(main_global)
    _chain(frame["holder_chain"], main_global["address"])
    assert [h["edge_name"] for h in frame["holder_chain"]] == [
        "frameCache",
        "OrderedHashMapObject value",
    ]
    assert frame["crossing_edge"] == frame["holder_chain"][-1]
    _chain(frame["first_frame_cell_to_frame_global"], frame["first_frame_cell"]["address"])
    assert frame["first_frame_cell_to_frame_global"][-1]["to"] == frame["global"]["address"]


def test_importer_has_the_cells_and_edges() -> None:
    graph = _graph()
    ids = graph.node_id

    def node(addr: str) -> int:
        (hit,) = np.flatnonzero(ids == int(addr, 16))
        return int(hit)

    frames = _frames()
    for hops in (
        frames["cache"]["holder_chain"],
        frames["cache"]["first_frame_cell_to_frame_global"],
        frames["listener"]["first_frame_cell_to_frame_global"],
    ):
        for hop in hops:
            src, dst = node(hop["from"]), node(hop["to"])
            first, last = int(graph.node_first_edge[src]), int(graph.node_first_edge[src + 1])
            assert any(
                int(graph.edge_target[e]) == dst and graph.edge_name_text(e) == hop["edge_name"]
                for e in range(first, last)
            ), hop
    # The listener function is a root target.
    targets = {int(t) for t in graph.edge_target[graph.roots.edge]}
    assert node(frames["listener"]["first_frame_cell"]["address"]) in targets


def test_cc_log_names_the_listener_holder_edge_by_edge() -> None:
    """The CC log of the same dump: top Document → EventListenerManager → CallbackObject
    (the GC root's ``holder``) → the function, with the same addresses as the GC log."""
    frame = _frames()["listener"]
    text = gzip.decompress((DIR / _expected()["cc_file"]).read_bytes()).decode("latin-1")
    graph_part = text.split("\n==========\n", 1)[0]
    nodes: dict[str, str] = {}
    edges: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in graph_part.split("\n"):
        if line.startswith("> "):
            target, _, name = line[2:].partition(" ")
            edges[current].append((target, name))
        elif m := re.match(r"^(0x[0-9a-f]+) (\[(?:rc=\d+|gc|gc\.marked)\] .*)$", line):
            current = m[1]
            nodes[current] = m[2]
            edges[current] = []
    chain = frame["cc_holder_chain"]
    assert chain[0]["from_description"].endswith(
        f"Document normal (xhtml) {_expected()['top_url']}"
    )
    for hop in chain:
        assert nodes[hop["from"]] == hop["from_description"]
        assert (hop["to"], hop["edge_name"]) in edges[hop["from"]]
    assert chain[-1]["to"] == frame["first_frame_cell"]["address"]
    assert nodes[chain[-1]["to"]] == "[gc] JS Object (Function - onParentPing)"
    (root,) = frame["holder_roots"]
    assert root["name"] == f"mCallback, holder {chain[-1]['from']}"


def test_no_other_page_realm_in_the_log() -> None:
    """Besides the page's realms (top, the two zombies, the attached iframe) the content
    process holds only Firefox's privileged shared JSM global: nothing else to report."""
    expected = _expected()
    names = [name for name, _, _ in _log()["realms"]]
    page = [n for n in names if n.startswith(expected["page_origin"])]
    assert page == expected["realm_headers_of_this_origin"]
    assert len(page) == 4
    assert [n for n in names if n not in page] == ["[System Principal], shared JSM global"]
