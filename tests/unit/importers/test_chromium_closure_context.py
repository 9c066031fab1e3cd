"""fixtures/chromium/closure_context: the replaceThing closure-context leak, checked in the file.

The sidecar's ids come from CDP and its scope facts from the generator's reading; here a
plain reader (tests/helpers/plain_snapshot) re-checks the chain of 30 LeakyThings edge by
edge, that ``window.theThing`` alone holds them, the ``locations`` row of ``someMethod`` against
``leak.js``'s text, and the ``scopes`` / ``scope_context_vars`` / ``scope_uses`` sections
decoded here independently; then the importer's view of the same nodes and edges.
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
NAME = "closure_context"
RUNS = [NAME, f"{NAME}.run2"]  # two runs of the same generator
pytestmark = pytest.mark.parametrize("name", RUNS)
SOURCE = DIR / NAME / "leak.js"


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


def _by_name(snap: PlainSnapshot, name: str, type_: str) -> list[int]:
    return [
        o for o in range(snap.node_count) if snap.name_of(o) == name and snap.type_of(o) == type_
    ]


def test_things_and_closures(name: str) -> None:
    snap = _plain(name)
    leak = _expected(name)["leak"]
    things = _expected(name)["things_newest_first"]
    assert [t["serial"] for t in things] == list(range(30, 0, -1))
    assert len(_by_name(snap, "LeakyThing", "object")) == leak["retained_count"] == 30
    assert {snap.node_id(o) for o in _by_name(snap, "LeakyThing", "object")} == {
        t["id"] for t in things
    }
    assert len(_by_name(snap, "someMethod", "closure")) == leak["leaking_closure_count"]
    assert _by_name(snap, "unused", "closure") == []  # the only reader of originalThing is dead


def test_chain_edge_by_edge(name: str) -> None:
    snap = _plain(name)
    expected = _expected(name)
    chain = expected["chain_from_main_global"]
    assert_chain(snap, chain, expected["main_window_global"]["id"])
    assert chain[0]["edge_name"] == "theThing"
    unit = [(h["edge_type"], h["edge_name"]) for h in chain[1:4]]
    assert unit == [
        ("property", "someMethod"),
        ("internal", "context"),
        ("context", "originalThing"),
    ]
    assert [(h["edge_type"], h["edge_name"]) for h in chain[1:]] == unit * 29
    reached = [chain[0]["to_id"]] + [h["to_id"] for h in chain[3::3]]
    assert reached == [t["id"] for t in expected["things_newest_first"]]


def test_shared_contexts_hold_only_original_thing(name: str) -> None:
    snap = _plain(name)
    expected = _expected(name)
    assert len(expected["shared_context_ids"]) == 29
    for context_id in expected["shared_context_ids"]:
        o = snap.ordinal(context_id)
        assert snap.name_of(o) == expected["leak"]["context_name"]
        assert snap.name_of(o).startswith("system / Context")
        assert [e.name for e in snap.out_edges(o) if e.type == "context"] == ["originalThing"]


def test_the_holder_alone_keeps_every_thing(name: str) -> None:
    """Cut the edges into the newest thing (window.theThing: the global's property and its
    PropertyCell's value): a plain reachability from the root then misses all 30 things."""
    snap = _plain(name)
    expected = _expected(name)
    things = {snap.ordinal(t["id"]) for t in expected["things_newest_first"]}
    newest = snap.ordinal(expected["things_newest_first"][0]["id"])
    holders = snap.retainers(newest)
    assert sorted((snap.name_of(o).split(" / ")[0], str(e.name)) for o, e in holders) == [
        ("Window [JSGlobalObject]", "theThing"),
        ("system", "value"),  # system / PropertyCell of the global var
    ]
    seen, stack = {0}, [0]
    while stack:
        cur = stack.pop()
        for e in snap.out_edges(cur):
            if e.type == "weak" or e.to in seen:
                continue
            if e.to == newest:
                continue
            seen.add(e.to)
            stack.append(e.to)
    assert things.isdisjoint(seen)
    assert things <= snap.reachable(0)


def test_location_of_the_leaking_closure(name: str) -> None:
    snap = _plain(name)
    loc = _expected(name)["leak"]["some_method_location"]
    source = SOURCE.read_text()
    assert REPO / loc["repository_path"] == SOURCE
    assert loc["script_url"].endswith("/" + SOURCE.name)
    line = source.split("\n")[loc["line"]]
    assert line == loc["text_of_line"]
    assert line[loc["column"] :].startswith("()")
    assert line[: loc["column"]].endswith("function someMethod")
    # The locations row of every someMethod closure points at that line and column.
    doc = snap.doc
    fields = doc["snapshot"]["meta"]["location_fields"]
    nf = len(snap.node_fields)
    rows = [
        dict(zip(fields, doc["locations"][i : i + len(fields)], strict=True))
        for i in range(0, len(doc["locations"]), len(fields))
    ]
    methods = set(_by_name(snap, "someMethod", "closure"))
    mine = [r for r in rows if r["object_index"] // nf in methods]
    assert len(mine) == 30
    assert {(r["line"], r["column"], r["script_id"]) for r in mine} == {
        (loc["line"], loc["column"], loc["script_id"])
    }
    script = snap.ordinal(loc["script_node"]["id"])
    assert {r["script_object_index"] // nf for r in mine} == {script}
    assert snap.name_of(script).endswith("/leak.js")


def _scope_rows(name: str) -> list[dict[str, Any]]:
    doc = _plain(name).doc
    meta = doc["snapshot"]["meta"]
    sf = meta["scope_fields"]
    strings = doc["strings"]
    rows, var_at, use_at = [], 0, 0
    for i in range(0, len(doc["scopes"]), len(sf)):
        row = dict(zip(sf, doc["scopes"][i : i + len(sf)], strict=True))
        n_vars, n_uses = row["scope_context_vars_count"], row["scope_uses_count"]
        row["context_vars"] = [
            strings[s] for s in doc["scope_context_vars"][var_at : var_at + n_vars]
        ]
        pairs = doc["scope_uses"][use_at : use_at + 2 * n_uses]
        row["uses"] = [
            {"declaring_scope_id": pairs[k], "slot_index": pairs[k + 1]}
            for k in range(0, len(pairs), 2)
        ]
        var_at += n_vars
        use_at += 2 * n_uses
        rows.append(row)
    assert var_at == len(doc["scope_context_vars"]) and use_at == len(doc["scope_uses"])
    return rows


def test_scope_sections_say_who_uses_original_thing(name: str) -> None:
    expected = _expected(name)
    facts = expected["scope_sections"]
    assert expected["snapshot"]["has_scope_sections"] and facts["present"]
    assert expected["snapshot"]["meta_scope_fields"]["scope_use_fields"] == [
        "declaring_scope_id",
        "slot_index",
    ]
    loc = expected["leak"]["some_method_location"]
    nf = len(_plain(name).node_fields)
    script_index = loc["script_node"]["ordinal"] * nf
    ours = [r for r in _scope_rows(name) if r["script_node_index"] == script_index]
    assert ours == facts["rows_of_script"]
    source = SOURCE.read_text()

    def paren(needle: str) -> int:
        return source.index("(", source.index(needle))

    by_id = {r["scope_id"]: r for r in ours}
    replace = by_id[paren("function replaceThing")]
    unused = by_id[paren("function unused")]
    some_method = by_id[paren("function someMethod")]
    assert replace["scope_id"] == facts["replace_thing_scope_id"]
    assert replace["context_vars"] == ["originalThing"]
    assert {"declaring_scope_id": replace["scope_id"], "slot_index": 0} in unused["uses"]
    assert all(u["declaring_scope_id"] != replace["scope_id"] for u in some_method["uses"])
    # Trap rows: formatPrice reads currency; readBuffer reads buffer, ping reads nothing.
    format_price = by_id[paren("function formatPrice")]
    make_formatter = by_id[paren("function makeFormatter")]
    assert make_formatter["context_vars"] == ["currency"]
    assert {"declaring_scope_id": make_formatter["scope_id"], "slot_index": 0} in format_price[
        "uses"
    ]
    pair = by_id[paren("function makeBufferPair")]
    assert pair["context_vars"] == ["buffer"]
    assert {"declaring_scope_id": pair["scope_id"], "slot_index": 0} in by_id[
        paren("function readBuffer")
    ]["uses"]
    assert by_id[paren("function ping")]["uses"] == []


def test_traps_share_or_read_their_context(name: str) -> None:
    snap = _plain(name)
    traps = _expected(name)["traps"]
    assert_chain(snap, traps["format_price"]["chain"], traps["format_price"]["id"])
    assert_chain(snap, traps["ping"]["chain_read_buffer"], traps["ping"]["read_buffer_id"])
    ping_context = [
        e.to for e in snap.out_edges(snap.ordinal(traps["ping"]["id"])) if e.name == "context"
    ]
    assert [snap.node_id(o) for o in ping_context] == [
        traps["ping"]["chain_read_buffer"][0]["to_id"]
    ]


def test_importer_sees_the_chain(name: str) -> None:
    graph = _graph(name)
    ids = graph.node_id
    for hop in _expected(name)["chain_from_main_global"]:
        (src,) = np.flatnonzero(ids == hop["from_id"])
        (dst,) = np.flatnonzero(ids == hop["to_id"])
        first, last = int(graph.node_first_edge[src]), int(graph.node_first_edge[src + 1])
        assert any(
            int(graph.edge_target[e]) == dst and graph.edge_name_text(e) == str(hop["edge_name"])
            for e in range(first, last)
        ), hop
