"""Firefox cycle-collector logs: the hand-written fixture's exact expectations, every line
form and address spelling, roots, weak maps, garbage, and clear errors for bad input."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.analyzers.external import find_external_holders, parse_unknown_references
from leakhunt.analyzers.paths import compute_root_distances, find_retaining_paths
from leakhunt.analyzers.selectors import select_nodes
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers import IMPORTERS, load_firefox_cclog, load_graph, sniff_format
from leakhunt.importers.firefox_cc.importer import FORMAT_NAME, unknown_references_label

REPO = Path(__file__).resolve().parents[3]
CC_DIR = REPO / "fixtures" / "spidermonkey" / "cc"
ALL_FORMS = CC_DIR / "cc_all_forms.log"


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CC_DIR / "cc_all_forms.expected.json").read_text())
    return data


@pytest.fixture(scope="module")
def graph() -> RetentionGraph:
    return load_firefox_cclog(str(ALL_FORMS))


def node(g: RetentionGraph, address: str | int) -> int:
    value = int(address, 16) if isinstance(address, str) else address
    hits = np.flatnonzero(g.node_id == value)
    assert hits.size == 1, f"{address}: {hits.size} nodes"
    return int(hits[0])


def addresses(g: RetentionGraph, ordinals: Any) -> list[str]:
    return [f"0x{int(g.node_id[o]):x}" for o in ordinals]


def roots_by_address(g: RetentionGraph) -> dict[str, tuple[RootKind, str]]:
    return {
        f"0x{int(g.node_id[g.edge_target[edge]]):x}": (
            RootKind(int(kind)),
            g.strings[int(label)],
        )
        for edge, kind, label in zip(g.roots.edge, g.roots.kind, g.roots.label, strict=True)
    }


def write_log(tmp_path: Path, text: str, name: str = "cc.log") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def canonical(address: str | None) -> str | None:
    return None if address is None else f"0x{int(address, 16):x}"


# -- the committed fixture: exact expectations from cc_all_forms.expected.json ---------------


def test_node_and_edge_counts(graph: RetentionGraph, expected: dict[str, Any]) -> None:
    assert graph.node_count - 1 == expected["node_count"]  # minus the synthetic super root
    kinds = graph.node_kind
    assert int(np.count_nonzero(kinds == NodeKind.NATIVE)) == expected["refcounted_nodes"]
    types = [graph.type_names[int(t)] for t in graph.node_type]
    assert types.count("gc") + types.count("gc.marked") == expected["gc_nodes"]
    marked = [i for i, t in enumerate(types) if t == "gc.marked"]
    assert addresses(graph, marked) == expected["gc_marked_nodes"]
    assert int(np.count_nonzero(graph.edge_kind == EdgeKind.PROPERTY)) == expected["edge_count"]
    assert graph.source.format == FORMAT_NAME and graph.source.engine == "Gecko CC"
    assert not graph.problems
    assert int(graph.node_self_size.sum()) == 0


def test_roots_follow_find_roots(graph: RetentionGraph) -> None:
    assert roots_by_address(graph) == {
        "0x7f1000001000": (RootKind.REFCOUNTED, "2 unknown references"),
        "0x7f1000003000": (RootKind.REFCOUNTED, "2 unknown references, incremental root"),
        "0x500": (RootKind.REFCOUNTED, "1 unknown reference"),
        "0x7f1000006000": (RootKind.REFCOUNTED, "0 unknown references, incremental root"),
        "0x7f00000b1080": (RootKind.MARKED, "marked live by the GC"),
        "0x7f00000a2100": (RootKind.MARKED, "marked live by the GC"),
    }
    # Refcounted roots are seeded most unknown references first, then in file order.
    first = [int(graph.node_id[graph.edge_target[e]]) for e in graph.roots.edge[:4]]
    assert first == [0x7F1000001000, 0x7F1000003000, 0x500, 0x7F1000006000]


def test_externally_held_nodes(graph: RetentionGraph, expected: dict[str, Any]) -> None:
    holders = find_external_holders(graph)
    got = [
        {
            "address": f"0x{int(graph.node_id[h.node]):x}",
            "unknown": h.unknown_references,
            "known_owners": addresses(graph, h.known_owners),
        }
        for h in holders
    ]
    want = [
        {"address": e["address"], "unknown": e["unknown"], "known_owners": e["known_owners"]}
        for e in expected["externally_held"]
    ]
    assert got == want
    for holder, spec in zip(holders, expected["externally_held"], strict=True):
        assert len(holder.known_edges) == spec["known"]
        assert graph.node_label(holder.node) == spec["description"]


def test_black_and_garbage_nodes(graph: RetentionGraph, expected: dict[str, Any]) -> None:
    distances = compute_root_distances(graph)
    reached = np.flatnonzero(distances.distance >= 0)
    unreached = [v for v in np.flatnonzero(distances.distance < 0).tolist() if v != 0]
    assert reached.size == expected["black_node_count"]
    assert sorted(addresses(graph, unreached)) == sorted(expected["garbage"])
    for entry in expected["weakmap_entries"]:
        reached_value = bool(distances.distance[node(graph, entry["value"])] >= 0)
        assert reached_value == entry["value_black"]


def test_paths_from_a_refcounted_root(graph: RetentionGraph) -> None:
    window, document = node(graph, "0x7f1000001000"), node(graph, "0x7f1000002000")
    report = find_retaining_paths(graph, [document])
    (path,) = report.paths
    assert path.root_kind == RootKind.REFCOUNTED
    assert path.root_label == "2 unknown references"
    assert path.nodes == (window, document)
    assert [graph.edge_name_text(e) for e in path.edges] == ["mDoc"]


def test_garbage_is_unreachable(graph: RetentionGraph, expected: dict[str, Any]) -> None:
    garbage = [node(graph, a) for a in expected["garbage"]]
    report = find_retaining_paths(graph, garbage)
    assert report.paths == ()
    assert sorted(report.unreachable) == sorted(garbage)
    details = dict(graph.source.details)
    assert details["garbage"].startswith("3 node(s) the collector will free: 0x7f1000004000")


def test_weak_map_values_are_reached_through_key_and_delegate(graph: RetentionGraph) -> None:
    report = find_retaining_paths(graph, [node(graph, "0x7f00000a2300")])
    (path,) = report.paths
    assert addresses(graph, path.nodes[-2:]) == ["0x7f00000a2200", "0x7f00000a2300"]
    assert graph.edge_kind[path.edges[-1]] == EdgeKind.EPHEMERON
    report = find_retaining_paths(graph, [node(graph, "0x7f00000a2500")])
    (path,) = report.paths
    assert addresses(graph, path.nodes[-3:]) == [
        "0x7f00000a2410",
        "0x7f00000a2400",
        "0x7f00000a2500",
    ]
    assert [graph.edge_name_text(e) for e in path.edges[-2:]] == [
        "weak-map key (kept by its delegate)",
        "weak-map value",
    ]
    # Entry 1 (map and key) has two halves; entry 2 (NULL map) one half per ephemeron.
    assert graph.ephemerons.entry_halves.tolist() == [2, 1, 1]


@pytest.mark.parametrize(
    ("address", "kind", "class_name", "name"),
    [
        (
            "0x7f1000001000",
            NodeKind.NATIVE,
            "nsGlobalWindowInner",
            "nsGlobalWindowInner # 7 inner https://example.com/",
        ),
        (
            "0x7f1000003000",
            NodeKind.NATIVE,
            "nsGlobalWindowOuter",
            "nsGlobalWindowOuter # 3 outer ",
        ),
        ("0x500", NodeKind.NATIVE, "nsXPCWrappedJS", "nsXPCWrappedJS (nsIObserver)"),
        ("0x7f00000a0040", NodeKind.OBJECT, "Window", "Window"),
        ("0x7f00000b1080", NodeKind.CLOSURE, "Function", "onMessage"),
        ("0x7f00000c3000", NodeKind.CLOSURE, "Function", "onLoad"),
        ("0x7f00000a2400", NodeKind.OBJECT, "Proxy", "Proxy"),
        ("0x60", NodeKind.OBJECT, "Object", "Object"),
    ],
)
def test_node_kinds_classes_and_names(
    graph: RetentionGraph, address: str, kind: NodeKind, class_name: str, name: str
) -> None:
    v = node(graph, address)
    assert NodeKind(int(graph.node_kind[v])) == kind
    assert graph.strings[int(graph.node_class[v])] == class_name
    assert graph.node_label(v) == name


def test_selectors(graph: RetentionGraph) -> None:
    assert addresses(graph, select_nodes(graph, ["class:nsGlobalWindowInner"])) == [
        "0x7f1000001000"
    ]
    assert addresses(graph, select_nodes(graph, ["0x00000000000000060"])) == ["0x60"]
    assert addresses(graph, select_nodes(graph, ["0x500"])) == ["0x500"]
    assert len(select_nodes(graph, ["class:Function"])) == 2
    assert addresses(graph, select_nodes(graph, ["name:https://example.com/api"])) == [
        "0x7f1000004000"
    ]


def test_details(graph: RetentionGraph, expected: dict[str, Any]) -> None:
    details = dict(graph.source.details)
    assert details["want all traces"].startswith("true")
    assert details["graph nodes"] == "7 refcounted, 10 GC things (2 marked, 8 gray)"
    assert details["externally held"] == "3 refcounted node(s) with 5 unknown reference(s)"
    assert details["incremental roots"] == "2"
    assert details["weak-map entries"] == "2"
    assert details["comment lines"] == str(expected["comment_lines"])
    assert "self size 0" in details["self sizes"]
    assert details["held from outside 0x7f1000001000"] == (
        "nsGlobalWindowInner: rc 5, 3 known, 2 unknown; known owners: "
        "0x7f1000002000, 0x7f00000a0040, 0x7f1000003000"
    )


def test_sniffing_and_gzip(tmp_path: Path) -> None:
    assert sniff_format(str(ALL_FORMS)) == FORMAT_NAME
    assert FORMAT_NAME in IMPORTERS
    packed = tmp_path / "anything.bin"
    packed.write_bytes(gzip.compress(ALL_FORMS.read_bytes()))
    assert sniff_format(str(packed)) == FORMAT_NAME
    g = load_graph(str(packed))
    assert (g.node_count, g.edge_count) == (18, 24)
    # Never keyed on the file name: a CC log called .heapsnapshot is still a CC log.
    renamed = tmp_path / "x.heapsnapshot"
    shutil.copy(ALL_FORMS, renamed)
    assert sniff_format(str(renamed)) == FORMAT_NAME


def test_progress_is_reported() -> None:
    phases: list[str] = []
    load_firefox_cclog(str(ALL_FORMS), progress=lambda phase, done, total: phases.append(phase))
    assert phases[-1] == "building graph"


# -- the synthetic example of firefox-cc-log.md section 5 ------------------------------------

SECTION_5 = """\
# WantAllTraces=false
0x7f1000001000 [rc=3] nsGlobalWindowInner # 7 inner https://example.com/
> 0x7f1000002000 mDoc
> 0x7f00000a0040 Preserved wrapper
0x7f1000002000 [rc=1] nsDocument normal (xhtml) https://example.com/
> 0x7f1000001000 mScriptGlobalObject
0x7f00000a0040 [gc] JS Object (Window)
> 0x7f00000b1080 onmessage
0x7f00000b1080 [gc.marked] JS Object (Function - onMessage)
0x7f1000004000 [rc=1] XMLHttpRequestMainThread https://example.com/api
> 0x7f1000005000 mListenerManager
0x7f1000005000 [rc=1] EventListenerManager
> 0x7f1000004000 mTarget
WeakMapEntry map=0x7f00000a2100 key=0x7f00000a2200 keyDelegate=(nil) value=0x7f00000a2300
IncrementalRoot 0x7f1000006000
==========
0x7f1000001000 [known=1]
0x7f1000004000 [garbage]
0x7f1000005000 [garbage]
"""


def test_reference_section_5_example(tmp_path: Path) -> None:
    g = load_firefox_cclog(write_log(tmp_path, SECTION_5))
    window = node(g, "0x7f1000001000")
    (holder,) = find_external_holders(g)
    assert holder.node == window and holder.unknown_references == 2
    assert addresses(g, holder.known_owners) == ["0x7f1000002000"]
    roots = roots_by_address(g)
    assert roots["0x7f1000001000"] == (RootKind.REFCOUNTED, "2 unknown references")
    assert roots["0x7f00000b1080"] == (RootKind.MARKED, "marked live by the GC")
    # Weak-map members without node lines were already black: placeholders, marked roots.
    for member in ("0x7f00000a2100", "0x7f00000a2200"):
        assert roots[member][0] == RootKind.MARKED and "outside the graph" in roots[member][1]
        assert g.node_kind[node(g, member)] == NodeKind.PLACEHOLDER
    # The incremental root has no node line either.
    assert roots["0x7f1000006000"] == (RootKind.MARKED, "incremental root")
    assert any("IncrementalRoot 0x7f1000006000 names no node" in p for p in g.problems)
    garbage = [node(g, "0x7f1000004000"), node(g, "0x7f1000005000")]
    report = find_retaining_paths(g, [*garbage, node(g, "0x7f1000002000")])
    assert sorted(report.unreachable) == sorted(garbage)
    (path,) = report.paths
    assert path.root_label == "2 unknown references" and path.length == 1
    assert dict(g.source.details)["want all traces"].startswith("false")


# -- line forms, spellings and modelling details, on small logs ------------------------------


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("0x500", 0x500),
        ("500", 0x500),
        ("0x00000000000000060", 0x60),
        ("00000000000000060", 0x60),
        ("000001D2A3B40040", 0x1D2A3B40040),
        ("0X7F10A", 0x7F10A),
        ("0x7fffffffffffffff", 2**63 - 1),
    ],
)
def test_address_spellings(tmp_path: Path, spelling: str, value: int) -> None:
    log = f"0x1 [rc=1] A\n> {spelling} mB\n{spelling} [rc=1] B\n==========\n0x1 [known=0]\n"
    g = load_firefox_cclog(write_log(tmp_path, log))
    b = node(g, value)
    assert g.node_count == 3 and not g.problems
    assert find_retaining_paths(g, [b]).paths[0].nodes == (node(g, 1), b)


NULLS = ["(nil)", "0x0", "0", "0000000000000000", "00000000", "0x00000000"]


@pytest.mark.parametrize("null", NULLS)
def test_null_spellings_in_weak_map_entries(tmp_path: Path, null: str) -> None:
    log = (
        "# WantAllTraces=true\n"
        "0x10 [gc.marked] JS Object (Object)\n"
        "> 0x20 key\n"
        "0x20 [gc] JS Object (Object)\n"
        "0x30 [gc] JS Object (Object)\n"
        f"WeakMapEntry map={null} key=0x20 keyDelegate={null} value=0x30\n"
        "==========\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    assert g.node_count == 4  # no placeholder for a NULL
    assert g.ephemerons.entry_halves.tolist() == [1]  # NULL map: the key alone holds the value
    (path,) = find_retaining_paths(g, [node(g, 0x30)]).paths
    assert addresses(g, path.nodes) == ["0x10", "0x20", "0x30"]


def test_delegate_equal_to_key_adds_no_key_ephemeron(tmp_path: Path) -> None:
    log = (
        "0x10 [gc.marked] JS Object (WeakMap)\n"
        "0x20 [gc] JS Object (Object)\n"
        "0x30 [gc] JS Object (Object)\n"
        "WeakMapEntry map=0x10 key=0x20 keyDelegate=0x20 value=0x30\n"
        "==========\n"
        "0x20 [garbage]\n0x30 [garbage]\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    assert g.ephemerons.entry_halves.tolist() == [2]
    assert find_retaining_paths(g, [node(g, 0x30)]).unreachable == (node(g, 0x30),)


def test_delegate_keeps_wrapper_key_alive_only_with_live_map(tmp_path: Path) -> None:
    base = (
        "0x10 [gc] JS Object (WeakMap)\n"
        "0x20 [gc] JS Object (Proxy)\n"
        "0x21 [gc.marked] JS Object (Object)\n"
        "0x30 [gc] JS Object (Object)\n"
        "WeakMapEntry map=0x10 key=0x20 keyDelegate=0x21 value=0x30\n"
        "==========\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, base))
    dead = compute_root_distances(g).distance
    assert dead[node(g, 0x20)] < 0 and dead[node(g, 0x30)] < 0  # the map is gray and unheld
    g = load_firefox_cclog(write_log(tmp_path, base.replace("0x10 [gc]", "0x10 [gc.marked]")))
    live = compute_root_distances(g).distance
    assert live[node(g, 0x20)] > 0 and live[node(g, 0x30)] > 0


def test_null_key_means_the_map_alone_holds_the_value(tmp_path: Path) -> None:
    log = (
        "0x10 [gc.marked] JS Object (WeakMap)\n"
        "0x30 [gc] JS Object (Object)\n"
        "0x40 [gc] JS Object (Object)\n"
        "WeakMapEntry map=0x10 key=(nil) keyDelegate=(nil) value=0x30\n"
        "WeakMapEntry map=(nil) key=(nil) keyDelegate=(nil) value=0x40\n"
        "==========\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    distance = compute_root_distances(g).distance
    assert distance[node(g, 0x30)] == 2
    assert roots_by_address(g)["0x40"] == (RootKind.MARKED, "weak-map value with NULL map and key")


def test_comments_blank_lines_and_crlf(tmp_path: Path) -> None:
    log = (
        "# WantAllTraces=false\r\n"
        "# a comment\r\n"
        "0x1 [rc=2] Holder \r\n"
        "# a comment between a node and its edges\r\n"
        "> 0x2 mChild\r\n"
        "\r\n"
        "0x2 [rc=1] Child\r\n"
        "==========\r\n"
        "# comments after the separator too\r\n"
        "0x1 [known=0]"  # no final newline
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    holder = node(g, 1)
    assert g.node_label(holder) == "Holder "
    (path,) = find_retaining_paths(g, [node(g, 2)]).paths
    assert path.nodes == (holder, node(g, 2)) and path.root_label == "2 unknown references"
    assert dict(g.source.details)["comment lines"] == "3"


def test_header_is_optional_and_count_roots_lines_are_skipped(tmp_path: Path) -> None:
    log = (
        "0x0 [rc=2] COUNT_ROOTS\n"
        "> 0x100 root\n"
        "100 [rc=101] First\n"
        "> 200 First Edge\n"
        "> 200 Second Edge\n"
        "200 [rc=1] Second\n"
        "300 [gc.marked] Some JS thing\n"
        "IncrementalRoot 300\n"
        "==========\n"
        "100 [known=0]\n"
    )
    path = write_log(tmp_path, log)
    assert sniff_format(path) == FORMAT_NAME
    g = load_firefox_cclog(path)
    details = dict(g.source.details)
    assert details["want all traces"].startswith("not stated")
    assert details["skipped 0x0 node lines"] == "1"
    assert g.node_count == 4 and int(np.count_nonzero(g.edge_kind == EdgeKind.PROPERTY)) == 2
    assert roots_by_address(g)["0x300"] == (
        RootKind.MARKED,
        "marked live by the GC, incremental root",
    )
    assert NodeKind(int(g.node_kind[node(g, 0x300)])) == NodeKind.OTHER
    assert roots_by_address(g)["0x100"] == (RootKind.REFCOUNTED, "101 unknown references")


def test_incremental_roots_keep_an_otherwise_garbage_cycle(tmp_path: Path) -> None:
    log = (
        "0x1 [rc=1] OtherwiseGarbage\n> 0x2 a-field\n"
        "0x2 [rc=1] HeldByOtherwiseGarbage\n> 0x1 back-edge\n"
        "0x7 [gc] JS Object (Function - touched)\n"
        "IncrementalRoot 0x1\n"
        "IncrementalRoot 0x7\n"
        "==========\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    roots = roots_by_address(g)
    assert roots["0x1"] == (RootKind.REFCOUNTED, "0 unknown references, incremental root")
    assert roots["0x7"] == (RootKind.MARKED, "incremental root")
    assert find_retaining_paths(g, [node(g, 2)]).paths[0].root_kind == RootKind.REFCOUNTED
    assert find_external_holders(g) == ()
    (held,) = find_external_holders(g, include_fully_known=True)
    assert held.node == node(g, 1) and held.unknown_references == 0


def test_inconsistent_results_become_problems(tmp_path: Path) -> None:
    log = (
        "0x1 [rc=1] A\n> 0x2 mB\n"
        "0x2 [rc=3] B\n"
        "0x3 [gc] JS Object (Object)\n"
        "> 0x9 to-nowhere\n"
        "==========\n"
        "0x2 [known=4]\n"
        "0x3 [known=1]\n"
        "0x7 [known=1]\n"
        "0x8 [garbage]\n"
        "0x1 [garbage]\n"
        "0x1 [garbage]\n"
    )
    g = load_firefox_cclog(write_log(tmp_path, log))
    problems = "\n".join(g.problems)
    assert "0x2 [known=4], but the log lists 1 edge(s) into it" in problems
    assert "0x2 [known=4] exceeds its refcount 3" in problems
    assert "0x3 [known=1] names a GC thing" in problems
    assert "0x7 [known=1] names no node" in problems
    assert "line 10: 0x8 [garbage] names no node" in problems
    assert "line 12: a second result line for 0x1" in problems
    assert "1 edge target(s) have no node line" in problems
    assert NodeKind(int(g.node_kind[node(g, 0x9)])) == NodeKind.PLACEHOLDER
    assert roots_by_address(g)["0x2"] == (RootKind.REFCOUNTED, "0 unknown references")


def test_unknown_reference_labels_round_trip() -> None:
    for count in (0, 1, 2, 12345):
        for incremental in (False, True):
            label = unknown_references_label(count, incremental=incremental)
            assert parse_unknown_references(label) == count


# -- errors: malformed and truncated logs ----------------------------------------------------

GOOD_HEAD = "# WantAllTraces=true\n0x1 [rc=1] A\n> 0x2 mB\n0x2 [gc] JS Object (Object)\n"


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("0x3 [rc=x] C", "unknown node tag [rc=x]"),
        ("0x3 [cc] C", "unknown node tag [cc]"),
        ("0xZZ [rc=1] C", "node address: '0xZZ' is not a hexadecimal address"),
        ("0x3 rc=1 C", "not a node, edge, WeakMapEntry"),
        ("0x3 [rc=1]C", "not a node, edge, WeakMapEntry"),
        ("just some text", "not a node, edge, WeakMapEntry"),
        (">0x2 glued", "an edge line must start with '> '"),
        ("> 0xQ5 mC", "edge target: '0xQ5' is not a hexadecimal address"),
        ("WeakMapEntry map=0x1 key=0x2 value=0x3", "WeakMapEntry needs map="),
        ("WeakMapEntry map=0x1 key=0x2 keyDelegate=nil value=0x3", "WeakMapEntry keyDelegate"),
        ("IncrementalRoot", "not a node"),
        ("IncrementalRoot 0x1 0x2", "IncrementalRoot needs one address"),
        ("# WantAllTraces=maybe", "WantAllTraces must be true or false"),
        ("0x1 [rc=1] Again", "node 0x1 was already described on line 2"),
        ("0x1234567890abcdef01 [rc=1] Big", "does not fit in 64 bits"),
    ],
)
def test_malformed_graph_lines(tmp_path: Path, bad_line: str, message: str) -> None:
    path = write_log(tmp_path, GOOD_HEAD + bad_line + "\n==========\n")
    with pytest.raises(SnapshotFormatError) as info:
        load_firefox_cclog(path)
    assert info.value.record == "line 5"
    assert message in info.value.problem
    assert str(info.value).startswith(f"{path}: line 5: ")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("0x1 [known=]", "not a result line"),
        ("0x1 [known=1] extra", "not a result line"),
        ("0x1 [rc=1] A", "not a result line"),
        ("0x1", "not a result line"),
        ("0xG1 [garbage]", "result address"),
        ("==========", "a second separator (the first is on line 5)"),
    ],
)
def test_malformed_result_lines(tmp_path: Path, bad_line: str, message: str) -> None:
    path = write_log(tmp_path, GOOD_HEAD + "==========\n" + bad_line + "\n")
    with pytest.raises(SnapshotFormatError) as info:
        load_firefox_cclog(path)
    assert info.value.record == "line 6" and message in info.value.problem


def test_truncated_before_the_separator(tmp_path: Path) -> None:
    path = write_log(tmp_path, GOOD_HEAD + "0x3 [rc=1] C\n> 0x1 mA")
    with pytest.raises(SnapshotFormatError, match="ends without the '=========='") as info:
        load_firefox_cclog(path)
    assert info.value.record == "line 6"


def test_edge_before_any_node(tmp_path: Path) -> None:
    path = write_log(tmp_path, "# WantAllTraces=true\n> 0x2 mB\n0x2 [rc=1] B\n==========\n")
    with pytest.raises(SnapshotFormatError, match="before any node line") as info:
        load_firefox_cclog(path)
    assert info.value.record == "line 2"


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotFormatError, match="empty"):
        load_firefox_cclog(write_log(tmp_path, ""))


def test_truncated_gzip(tmp_path: Path) -> None:
    packed = gzip.compress(ALL_FORMS.read_bytes())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(SnapshotFormatError) as info:
        load_firefox_cclog(str(path))
    assert info.value.record == "gzip stream"
    assert "decompressed bytes" in info.value.problem


def test_addresses_above_2_63_are_kept_with_a_warning(tmp_path: Path) -> None:
    log = "0xffff800000001000 [rc=2] Kernel\n==========\n0xffff800000001000 [known=0]\n"
    g = load_firefox_cclog(write_log(tmp_path, log))
    assert int(g.node_id[1]) == 0xFFFF800000001000 - 2**64
    assert any("above 2**63" in p for p in g.problems)
    assert find_external_holders(g)[0].unknown_references == 2
