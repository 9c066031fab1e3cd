"""Hand-written GC logs (fixtures/spidermonkey/edge_cases) and small inline logs: every
address spelling, colour, header variant, size suffix, several dumps, truncation, and one
clear error per malformed line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from leakhunt.analyzers.paths import compute_root_distances, find_retaining_paths
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers import IMPORTERS, ImportOptions, load_graph, sniff_format
from leakhunt.importers.spidermonkey import importer as gclog
from leakhunt.importers.spidermonkey.importer import load_spidermonkey_gclog

from helpers.gclog_oracle import EDGE_CASES, REAL_FIXTURES, cell_nodes, node_of, sidecar

HAND_WRITTEN = ["windows_addresses", "bsd_null_0x0", "x_colours", "zones_era", "pre_zone"]

SMALL = """\
# Roots.
0x100 B exact-Object
0x200 B persistent-Object
# Weak maps.
WeakMapEntry map=0x300 key=0x400 keyDelegate=0x400 value=0x500
==========
# zone 0x10
# realm https://a.example/ [in compartment 0x20, zone 0x10]
# arena allockind=0 size=32
0x100 B global <unknown object>
> 0x600 B shape
> 0x300 B cache
> 0x400 B key
0x200 B Function onTick
> 0x600 B shape
0x300 B WeakMap <unknown object>
> 0x600 B shape
0x400 B Object <unknown object>
> 0x600 B shape
0x500 B Object <unknown object>
> 0x600 B shape
# arena allockind=31 size=24
0x600 B shape
> 0x700 B base
0x700 B base_shape
> 0x100 B baseshape_global
"""


def write(tmp_path: Path, text: str | bytes, name: str = "heap.log") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="latin-1")
    else:
        path.write_bytes(text)
    return str(path)


def load_text(tmp_path: Path, text: str, dump: int | None = None) -> RetentionGraph:
    return load_spidermonkey_gclog(write(tmp_path, text), options=ImportOptions(dump))


def reachable(g: RetentionGraph) -> set[int]:
    distance = compute_root_distances(g).distance
    return {int(g.node_id[v]) for v in cell_nodes(g) if distance[v] >= 0}


def assert_same_graph(a: RetentionGraph, b: RetentionGraph) -> None:
    for column in (
        "node_type",
        "node_kind",
        "node_name",
        "node_class",
        "node_id",
        "node_self_size",
        "node_context",
        "node_first_edge",
        "edge_target",
        "edge_kind",
        "edge_name",
    ):
        assert np.array_equal(getattr(a, column), getattr(b, column)), column
    assert a.strings == b.strings
    assert np.array_equal(a.roots.edge, b.roots.edge) and np.array_equal(a.roots.kind, b.roots.kind)
    assert np.array_equal(a.ephemerons.edge, b.ephemerons.edge)
    assert a.contexts.name == b.contexts.name
    assert a.problems == b.problems


# -- hand-written fixtures ------------------------------------------------------------------


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_hand_written_counts(name: str) -> None:
    expected = sidecar(name)
    (counts,) = expected["counts"]
    g = load_spidermonkey_gclog(str(EDGE_CASES / expected["dump_file"]))
    cells = cell_nodes(g)
    sources = g.edge_source()
    assert len(g.roots) == counts["root_lines"]
    assert (
        len({int(g.edge_target[e]) for e in g.roots.edge.tolist()})
        == counts["distinct_root_targets"]
    )
    assert len(g.ephemerons) == counts["weakmap_entries"]
    assert dict(g.source.details)["zones"] == str(counts["zones"])
    assert cells.size == counts["cells"]
    from_cells = (sources > 0) & (g.edge_kind != EdgeKind.EPHEMERON)
    assert int(from_cells.sum()) == counts["edge_lines"]
    assert len(reachable(g)) == counts["reachable_cells"]
    unlisted_roots = {
        int(g.edge_target[e])
        for e in g.roots.edge.tolist()
        if g.node_kind[g.edge_target[e]] == NodeKind.PLACEHOLDER
    }
    assert len(unlisted_roots) == counts.get("unlisted_root_targets", 0)
    names = [f"{kind} {name}" for kind, name in zip(g.contexts.kind, g.contexts.name, strict=True)]
    assert [n.split(" (compartment")[0] for n in names] == expected["realm_lines"][0]
    for target in expected["targets"]:
        node = node_of(g, target["address"])
        assert (int(g.node_id[node]) in reachable(g)) == target["reachable"], target["id"]


def test_windows_addresses_and_gray_holder_roots() -> None:
    g = load_spidermonkey_gclog(str(EDGE_CASES / "windows_addresses.log"))
    div = node_of(g, "000001D2A3B62000")
    assert g.node_self_size[div] == 120
    assert g.strings[int(g.node_name[div])] == "HTMLDivElement 0:Private(000001D2A4000200)"
    assert g.strings[int(g.node_class[div])] == "HTMLDivElement"
    (path,) = find_retaining_paths(g, [div]).paths
    assert path.root_label == "Preserved wrapper, holder 000001D2A4000100"
    assert path.root_kind == RootKind.EMBEDDER and path.nodes == (div,)
    window = node_of(g, "000001D2A3B40040")
    assert g.contexts.name == ("https://example.com/",)
    assert int(g.contexts.global_node[0]) == window
    assert g.node_context[node_of(g, "000001D2A3B42300")] == 0
    assert dict(g.source.details)["sizes"] == "SIZE:: on 1 cells, arena cell sizes on the rest"
    # NULL map: the key alone holds the value; NULL delegate: no extra entry.
    assert sorted(g.ephemerons.entry_halves.tolist()) == [1, 2]


def test_bsd_null_spelling() -> None:
    g = load_spidermonkey_gclog(str(EDGE_CASES / "bsd_null_0x0.log"))
    symbol = node_of(g, "0x10a0c2400")
    assert g.node_kind[symbol] == NodeKind.SYMBOL
    assert g.strings[int(g.node_name[symbol])] == "<null>"
    assert 0 not in g.node_id[1:].tolist()
    assert g.edge_kind[g.ephemerons.edge].tolist() == [EdgeKind.EPHEMERON] * 5


def test_colours_are_not_reachability() -> None:
    g = load_spidermonkey_gclog(str(EDGE_CASES / "x_colours.log"))
    alive = reachable(g)
    assert 0x7F0000A03000 in alive  # W, yet held
    assert 0x7F0000A05000 not in alive  # X, yet garbage
    assert g.problems == ()


def test_pre_zone_compartments_group_their_cells() -> None:
    expected = sidecar("pre_zone")
    g = load_spidermonkey_gclog(str(EDGE_CASES / "pre_zone.log"))
    groups: dict[str, list[str]] = {}
    for node in cell_nodes(g).tolist():
        groups.setdefault(g.contexts.name[int(g.node_context[node])], []).append(
            f"0x{int(g.node_id[node]):x}"
        )
    assert groups == expected["compartment_cells"][0]
    assert set(g.contexts.kind) == {"compartment"}
    assert dict(g.source.details)["variant"] == "pre-zone (compartment headers group cells)"
    kinds = {g.strings[int(g.roots.label[r])]: RootKind(int(g.roots.kind[r])) for r in range(3)}
    assert kinds["XPConnect global object"] == RootKind.EMBEDDER
    hello = node_of(g, "0x12345740")
    assert (g.node_kind[hello], g.strings[int(g.node_name[hello])]) == (NodeKind.STRING, "hello")


def test_zones_era_compartments_do_not_group() -> None:
    g = load_spidermonkey_gclog(str(EDGE_CASES / "zones_era.log"))
    assert g.contexts.name == ("atoms", "[System Principal]", "https://example.com/")
    assert g.contexts.kind == ("compartment",) * 3
    assert (g.node_context == -1).all()  # no baseshape_global or group_global edges to follow
    assert dict(g.source.details)["variant"] == "zones era (compartment headers)"
    assert g.node_kind[node_of(g, "0x7f3a10e0100")] == NodeKind.SHAPE  # type_object


def test_truncated_log_keeps_every_complete_record() -> None:
    expected = sidecar("truncated")["counts_of_complete_records"]
    g = load_spidermonkey_gclog(str(EDGE_CASES / "truncated.log"))
    sources = g.edge_source()
    assert len(g.roots) == expected["root_lines"]
    assert cell_nodes(g).size == expected["cells"]
    assert (
        int(((sources > 0) & (g.edge_kind != EdgeKind.EPHEMERON)).sum()) == expected["edge_lines"]
    )
    assert g.problems[0] == (
        "line 18: the file ends inside this line (no newline; truncated?): '> 0x7f00000e0' dropped"
    )


def test_malformed_line_is_a_clear_error() -> None:
    expected = sidecar("malformed_line")
    with pytest.raises(SnapshotFormatError) as error:
        load_graph(str(EDGE_CASES / "malformed_line.log"))
    assert error.value.record == f"line {expected['malformed_line_number']}"
    assert str(error.value).endswith("line 14: colour 'Q' is not one of B, G, X, W")


# -- small inline logs ----------------------------------------------------------------------


def test_small_log_kinds_classes_and_weak_map(tmp_path: Path) -> None:
    g = load_text(tmp_path, SMALL)
    assert g.node_count == 1 + 7
    assert [RootKind(int(k)) for k in g.roots.kind] == [
        RootKind.EMBEDDER,  # exact-Object at the realm's global: the embedder's rooted global
        RootKind.STRONG_GLOBAL_HANDLE,
    ]
    value = node_of(g, 0x500)
    (path,) = find_retaining_paths(g, [value]).paths
    # The rooted global is durable (embedder) and reaches the value through the map's key.
    assert [g.node_id[v] for v in path.nodes] == [0x100, 0x400, 0x500]
    assert [g.edge_name_text(e) for e in path.edges][:1] == ["key"]
    assert g.edge_kind[path.edges[-1]] == EdgeKind.EPHEMERON
    # Without the global's root, every object still holds its global through its shape.
    first = g.node_first_edge
    on_tick = node_of(g, 0x200)
    names = [g.edge_name_text(e) for e in range(int(first[on_tick]), int(first[on_tick + 1]))]
    assert names == ["shape"]
    assert g.contexts.name == ("https://a.example/",)
    objects = [node_of(g, a) for a in (0x100, 0x200, 0x300, 0x400, 0x500)]
    assert g.node_context[objects].tolist() == [0] * 5
    assert g.node_self_size[node_of(g, 0x600)] == 24
    assert g.node_self_size[objects].tolist() == [32] * 5
    assert dict(g.source.details)["realm or compartment headers"] == "1"


def test_crlf_gzip_and_small_blocks_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = load_text(tmp_path, SMALL)
    crlf = load_spidermonkey_gclog(write(tmp_path, SMALL.replace("\n", "\r\n"), "crlf.log"))
    packed = tmp_path / "heap.log.gz"
    packed.write_bytes(gzip.compress(SMALL.encode()))
    zipped = load_spidermonkey_gclog(str(packed))
    for other in (crlf, zipped):
        assert_same_graph(plain, other)
    monkeypatch.setattr(gclog, "BLOCK_BYTES", 7)
    assert_same_graph(plain, load_text(tmp_path, SMALL))


@pytest.mark.parametrize("block", [1000, 65536])
def test_block_boundaries_do_not_matter(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(REAL_FIXTURES["gjs_weakmaps"])
    whole = load_spidermonkey_gclog(path)
    monkeypatch.setattr(gclog, "BLOCK_BYTES", block)
    assert_same_graph(whole, load_spidermonkey_gclog(path))


def test_several_dumps(tmp_path: Path) -> None:
    second = SMALL.replace("0x500 B Object", "0x500 W Object").replace("https://a.", "https://b.")
    third = SMALL.replace("https://a.", "https://c.")
    path = write(tmp_path, SMALL + second + third)
    names = [
        load_spidermonkey_gclog(path, options=ImportOptions(i)).contexts.name[0]
        for i in (None, 0, 1, 2)
    ]
    assert names == [
        "https://c.example/",
        "https://a.example/",
        "https://b.example/",
        "https://c.example/",
    ]
    middle = load_spidermonkey_gclog(path, options=ImportOptions(1))
    assert dict(middle.source.details)["dump"] == "2 of 3"
    with pytest.raises(
        SnapshotFormatError,
        match=r"dump 3: out of range: the file holds 3 dump\(s\), numbered 0 to 2",
    ):
        load_spidermonkey_gclog(path, options=ImportOptions(3))


def test_a_truncated_last_dump_is_an_error_but_earlier_ones_load(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL + "# Roots.\n0x100 B exact-Object\n# Weak maps.\n")
    with pytest.raises(SnapshotFormatError, match="dump 1: ends before its heap section"):
        load_spidermonkey_gclog(path)
    assert load_spidermonkey_gclog(path, options=ImportOptions(0)).node_count == 8


def test_sizes_trailing_spaces_and_string_kinds(tmp_path: Path) -> None:
    text = SMALL.replace(
        "0x200 B Function onTick\n",
        "0x200 B Function  SIZE:: 192\n"
        "> 0x800 B atom\n> 0x810 B **UNKNOWN SLOT 1**\n> 0x820 B name\n"
        "0x800 B string <atom: length 2>   \n"
        "0x810 B string <rope: length 12>\n> 0x800 B left child\n> 0x820 B right child\n"
        "0x820 B substring <dependent: length 3> abc\n",
    )
    g = load_text(tmp_path, text)
    function = node_of(g, 0x200)
    assert (g.strings[int(g.node_name[function])], g.node_self_size[function]) == ("", 192)
    assert g.strings[int(g.node_name[node_of(g, 0x800)])] == "  "
    assert g.node_kind[node_of(g, 0x810)] == NodeKind.ROPE_STRING
    assert g.node_kind[node_of(g, 0x820)] == NodeKind.SLICED_STRING
    assert g.node_self_size[node_of(g, 0x800)] == 32  # no SIZE:: → the arena's size
    kinds = {
        g.strings[int(g.edge_name[e])]: EdgeKind(int(g.edge_kind[e]))
        for e in range(g.edge_count)
        if g.edge_kind[e] != EdgeKind.ELEMENT
    }
    assert kinds["atom"] == kinds["**UNKNOWN SLOT 1**"] == EdgeKind.INTERNAL
    assert kinds["name"] == EdgeKind.PROPERTY  # a property of a function
    assert kinds["left child"] == kinds["shape"] == kinds["base"] == EdgeKind.INTERNAL


def test_edge_kinds_by_source_and_target(tmp_path: Path) -> None:
    text = SMALL.replace(
        "0x400 B Object <unknown object>\n> 0x600 B shape\n",
        "0x400 B Object <unknown object>\n> 0x600 B shape\n> 0x500 B shape\n"
        "> 0x500 B objectElements[7]\n> 0x910 B payload\n> 0x500 B WeakRefObject::target\n"
        "0x910 B LexicalEnvironment <unknown object>\n> 0x500 B payload\n"
        "> 0x400 B enclosing_environment\n",
    )
    g = load_text(tmp_path, text)
    found = {}
    for source in (0x400, 0x910):
        node = node_of(g, source)
        for e in range(int(g.node_first_edge[node]), int(g.node_first_edge[node + 1])):
            found[(source, g.edge_name_text(e), int(g.node_id[g.edge_target[e]]))] = g.edge_kind[e]
    assert found[(0x400, "shape", 0x600)] == EdgeKind.INTERNAL
    assert found[(0x400, "shape", 0x500)] == EdgeKind.PROPERTY  # a JS property named "shape"
    assert found[(0x400, "7", 0x500)] == EdgeKind.ELEMENT
    assert found[(0x400, "payload", 0x910)] == EdgeKind.PROPERTY
    assert found[(0x400, "WeakRefObject::target", 0x500)] == EdgeKind.WEAK
    assert found[(0x910, "payload", 0x500)] == EdgeKind.CONTEXT_VARIABLE
    assert found[(0x910, "enclosing_environment", 0x400)] == EdgeKind.INTERNAL
    # The property named "shape" is not mistaken for the object's shape.
    assert g.node_context[node_of(g, 0x400)] == 0


def test_key_delegate_holds_a_wrapper_key_through_its_map(tmp_path: Path) -> None:
    text = SMALL.replace("keyDelegate=0x400 value=0x500", "keyDelegate=0x200 value=0x500").replace(
        "> 0x400 B key\n", ""
    )
    g = load_text(tmp_path, text)
    assert len(g.ephemerons) == 2
    key, value = node_of(g, 0x400), node_of(g, 0x500)
    paths = find_retaining_paths(g, [key, value]).paths
    assert [g.node_id[v] for v in paths[0].nodes] == [0x200, 0x400]  # delegate → key
    assert [g.node_id[v] for v in paths[1].nodes] == [0x200, 0x400, 0x500]
    dead_map = text.replace("> 0x300 B cache\n", "")
    g = load_text(tmp_path, dead_map)
    assert find_retaining_paths(g, [node_of(g, 0x400)]).unreachable == (node_of(g, 0x400),)


def test_placeholders_and_null_targets(tmp_path: Path) -> None:
    text = SMALL.replace("> 0x400 B key\n", "> 0x400 B key\n> 0xabc B missing\n> (nil) B gone\n")
    g = load_text(tmp_path, text)
    missing = node_of(g, 0xABC)
    assert g.node_kind[missing] == NodeKind.PLACEHOLDER
    assert g.strings[int(g.node_class[missing])] == "(unlisted)"
    assert dict(g.source.details)["unlisted cells"] == "1"
    assert g.problems == (
        "1 referenced cells are not listed in the dump (permanent atoms, static strings, "
        "nursery or other zones): placeholder nodes",
        "1 edge lines with a NULL target ignored",
    )


def test_unknown_headers_are_problems(tmp_path: Path) -> None:
    g = load_text(tmp_path, SMALL.replace("# zone 0x10\n", "# zone 0x10\n# chunk 3\n"))
    assert g.problems == ("line 8: unknown header '# chunk 3' ignored",)


@pytest.mark.parametrize(
    ("replace", "by", "record", "message"),
    [
        (
            "0x300 B WeakMap",
            "0xZZ B WeakMap",
            "line 16",
            "cell line is not 'ADDRESS COLOUR DESCRIPTION'",
        ),
        (
            "0x300 B WeakMap <unknown object>\n",
            "0x300 B\n",
            "line 16",
            "cell line is not 'ADDRESS COLOUR DESCRIPTION'",
        ),
        ("> 0x300 B cache", "> 0x300 Q cache", "line 12", "colour 'Q' is not one of B, G, X, W"),
        (
            "> 0x300 B cache",
            ">0x300 B cache",
            "line 12",
            "edge line is not '> ADDRESS COLOUR NAME'",
        ),
        ("> 0x300 B cache", "> zz B cache", "line 12", "edge line is not '> ADDRESS COLOUR NAME'"),
        (
            "0x200 B persistent",
            "0x200 persistent",
            "line 3",
            "root line is not 'ADDRESS COLOUR NAME'",
        ),
        ("WeakMapEntry map=", "WeakMapEntry mop=", "line 5", "weak-map line is not"),
        (
            "# arena allockind=0 size=32\n",
            "# arena allockind=0 size=32\n> 0x1 B x\n",
            "line 10",
            "edge line does not follow a cell line",
        ),
        (
            "==========\n",
            "==========\n> 0x1 B x\n",
            "line 7",
            "edge line does not follow a cell line",
        ),
        (
            "0x500 B Object",
            "0x400 B Object",
            "line 20",
            "cell 0x400 is listed twice (first at line 18)",
        ),
        ("# zone 0x10\n", "# zone 0x10\n\n", "line 8", "empty line"),
        (
            "# realm https://a.example/ [in",
            "# realm https://a.example/ {in",
            "line 8",
            "bad realm header",
        ),
        ("# zone 0x10", "# zone zz", "line 7", "bad zone address"),
        ("# arena allockind=0 size=32", "# arena size=32", "line 9", "bad arena header"),
        ("# Weak maps.\n", "# Weak maps.\n# Roots?\n", "line 5", "unexpected '# Roots?'"),
        ("0x100 B global", "0x0 B global", "line 10", "cell with a NULL address"),
    ],
)
def test_malformed_lines(tmp_path: Path, replace: str, by: str, record: str, message: str) -> None:
    assert replace in SMALL
    with pytest.raises(SnapshotFormatError) as error:
        load_text(tmp_path, SMALL.replace(replace, by, 1))
    assert error.value.record == record
    assert message in error.value.problem


def test_empty_and_unfinished_files(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFormatError, match="line 1: no dump found"):
        load_text(tmp_path, "")
    with pytest.raises(SnapshotFormatError, match="dump 0: ends before its heap section"):
        load_text(tmp_path, "# Roots.\n0x1 B exact-Object\n")
    with pytest.raises(SnapshotFormatError, match="several pre-zone dumps"):
        load_text(tmp_path, "0x1 B root\n==========\n0x1 B Object <no private>\n==========\n")


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    load_spidermonkey_gclog(write(tmp_path, SMALL), progress=lambda *a: calls.append(a))
    assert calls[0][0] == "reading" and calls[0][1] == calls[0][2] == len(SMALL)
    assert calls[-1] == ("building graph", 1, 1)


@pytest.mark.parametrize(
    ("head", "recognised"),
    [
        (b"# Roots.\n0x1 B exact-Object\n", True),
        (b"# Roots.\r\n", True),
        (
            b"0x12340040 B XPConnect global object\n0x12345700 B Preserved wrapper\n==========\n",
            True,
        ),
        (b"000001D2A3B40040 B exact-Object\n", True),
        (b"==========\n", False),
        (b"# WantAllTraces=true\n0x7f1000001000 [rc=5] nsGlobalWindowInner\n", False),
        (b'{"snapshot":{"meta":{}}}', False),
        (b"not a heap\n", False),
        (b"", False),
    ],
)
def test_sniffing(head: bytes, recognised: bool) -> None:
    assert IMPORTERS["spidermonkey-gclog"].sniff(head) is recognised


def test_sniffing_through_load_graph(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    assert sniff_format(path) == "spidermonkey-gclog"
    assert load_graph(path).source.format == "spidermonkey-gclog"


def test_hand_written_sidecars_are_read(tmp_path: Path) -> None:
    # Every edge case that names a log is covered above; keep the list in step.
    named = {
        p.name.removesuffix(".expected.json")
        for p in EDGE_CASES.glob("*.expected.json")
        if {"dump_file", "log_file"} & json.loads(p.read_text()).keys()
    }
    assert named == {*HAND_WRITTEN, "truncated", "malformed_line"}


def test_the_first_malformed_line_is_the_one_reported(tmp_path: Path) -> None:
    text = SMALL.replace("> 0x300 B cache", "> 0x300 Q cache").replace(
        "0x500 B Object", "0x500 Q Object"
    )
    with pytest.raises(SnapshotFormatError) as error:
        load_text(tmp_path, text)
    assert error.value.record == "line 12"
    bad_header = SMALL.replace("0x300 B WeakMap", "0x300 Q WeakMap").replace(
        "# arena allockind=31 size=24", "# arena size=24"
    )
    with pytest.raises(SnapshotFormatError) as error:
        load_text(tmp_path, bad_header)
    assert error.value.record == "line 16"


def test_globals_without_a_realm_line_get_a_context_of_their_own(tmp_path: Path) -> None:
    g = load_text(
        tmp_path, SMALL.replace("# realm https://a.example/ [in compartment 0x20, zone 0x10]\n", "")
    )
    assert g.contexts.name == ("<no realm line> (global 0x100)",)
    assert g.node_context[node_of(g, 0x500)] == 0
    assert g.problems == ()


def test_more_realm_lines_than_globals_is_reported(tmp_path: Path) -> None:
    extra = "# realm <unknown> [in compartment 0x30, zone 0x10]\n"
    text = SMALL.replace(
        "# arena allockind=0 size=32\n", extra + "# arena allockind=0 size=32\n", 1
    )
    g = load_text(tmp_path, text)
    assert g.contexts.name == ("https://a.example/", "<unknown> (compartment 0x30)")
    assert g.contexts.global_node.tolist() == [node_of(g, 0x100), -1]
    assert g.problems == (
        "zone 0x10: 1 globals but 2 realm lines; globals matched to realm lines in address order",
    )


def test_truncated_and_corrupt_gzip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gclog, "BLOCK_BYTES", 64)
    filler = "".join(f"0x{0x10000 + i:x} B Object <unknown object>\n" for i in range(300))
    packed = gzip.compress((SMALL + filler).encode())
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(packed[: len(packed) - 20])
    g = load_spidermonkey_gclog(str(cut))
    assert node_of(g, 0x500) > 0
    assert any(p.startswith("the gzip stream ends early") for p in g.problems)
    broken = tmp_path / "broken.log.gz"
    broken.write_bytes(packed[:10] + b"\xff" * 40 + packed[50:])
    with pytest.raises(SnapshotFormatError, match="gzip stream: corrupt data after"):
        load_spidermonkey_gclog(str(broken))
