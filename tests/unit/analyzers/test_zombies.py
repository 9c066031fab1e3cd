"""Zombie verdicts on real fixtures: exactly the leaked contexts, each with its mechanism and
crossing edge, and none of the traps. Ground truth comes from the generators' sidecars."""

from __future__ import annotations

import pytest

from leakhunt.analyzers.mechanisms import Mechanism
from leakhunt.analyzers.zombies import EvidenceKind, Zombie, find_zombie_contexts
from leakhunt.graph.core import RetentionGraph

from helpers.fixture_graphs import load, sidecar


def context_id(graph: RetentionGraph, zombie: Zombie) -> int:
    return int(graph.node_id[zombie.row.node])


def crossing_target(graph: RetentionGraph, zombie: Zombie) -> int:
    return zombie.path_nodes[zombie.crossing + 1]


def test_node_vm_zombies_exactly_the_leaked_contexts() -> None:
    graph = load("fixtures/v8/vm_zombies.heapsnapshot.gz")
    truth = sidecar("fixtures/v8/vm_zombies.expected.json")
    report = find_zombie_contexts(graph)
    found = {context_id(graph, z): z for z in report.zombies}
    leaked = {entry["native_context_id"]: entry for entry in truth["leaked"]}
    assert set(found) == set(leaked)
    mechanisms = {
        "listener": Mechanism.LISTENER,
        "map entry": Mechanism.COLLECTION_ENTRY,
        "timer": Mechanism.TIMER,
    }
    for node_id, entry in leaked.items():
        zombie = found[node_id]
        assert zombie.mechanism is mechanisms[entry["mechanism"]]
        assert zombie.holder_context == "main"
        assert graph.node_label(crossing_target(graph, zombie)) == entry["crossing_target"]
        assert [e.kind for e in zombie.evidence] == [EvidenceKind.FRONT_DOOR]
        assert zombie.row.retained_size > 8192 * 8  # each holds its 8,192-slot array
    alive = {entry["native_context_id"] for entry in truth["alive"]}
    assert not alive & set(found)
    sizes = [z.row.retained_size for z in report.zombies]
    assert sizes == sorted(sizes, reverse=True)


def test_node_vm_contexts_zombie_held_by_its_closure() -> None:
    graph = load("fixtures/v8/vm_contexts.heapsnapshot.gz")
    truth = sidecar("fixtures/v8/vm_contexts.expected.json")
    report = find_zombie_contexts(graph)
    assert [context_id(graph, z) for z in report.zombies] == [truth["zombie_native_context_id"]]
    zombie = report.zombies[0]
    assert int(graph.node_id[crossing_target(graph, zombie)]) == truth["zombie_closure_id"]
    assert int(graph.node_id[zombie.holder]) == truth["objects"]["leaked_closures_array"]["id"]
    assert zombie.mechanism is Mechanism.ARRAY_ELEMENT


def test_chromium_detached_iframe_not_the_extension_nor_the_page() -> None:
    graph = load("fixtures/chromium/chromium_page.heapsnapshot.gz")
    truth = sidecar("fixtures/chromium/chromium_page.expected.json")
    report = find_zombie_contexts(graph)
    assert [context_id(graph, z) for z in report.zombies] == [truth["detached_native_context_id"]]
    zombie = report.zombies[0]
    assert [e.kind for e in zombie.evidence] == [EvidenceKind.ENGINE, EvidenceKind.FRONT_DOOR]
    assert str(truth["detached_frame_document_id"]) in zombie.evidence[0].detail
    keeper = truth["objects"]["frame_keeper"]["id"]
    assert int(graph.node_id[crossing_target(graph, zombie)]) == keeper
    assert graph.edge_name_text(zombie.crossing_edge) == "keptFromFrame"
    assert zombie.mechanism is Mechanism.FUNCTION_FROM_CONTEXT


def test_spidermonkey_compartment_held_through_a_wrapper() -> None:
    graph = load("fixtures/spidermonkey/embedder/embedder_realms.log.gz")
    truth = sidecar("fixtures/spidermonkey/embedder/embedder_realms.expected.json")
    report = find_zombie_contexts(graph)
    globals_ = {int(graph.node_id[z.row.global_node]) for z in report.zombies}
    members = {
        int(m["address"], 16)
        for m in truth["zombies"][0]["members"]
        if m["id"] in ("zombie-global", "zombie-frame-global")
    }
    assert globals_ == members
    wrapper = int(truth["wrappers"][0]["wrapper"], 16)
    for zombie in report.zombies:
        assert zombie.mechanism is Mechanism.WRAPPER
        assert int(graph.node_id[zombie.holder]) == wrapper
        assert graph.edge_name_text(zombie.crossing_edge) == truth["zombies"][0]["cut_edge"]
        assert zombie.holder_context == "embedder://main/"
        assert zombie.root_kind.label == "strong global handle"


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        ({"expect_live": ["vm MapLeak*"]}, {"ListenerLeakSandbox", "TimerLeakSandbox"}),
        (
            {"expect_dead": ["KeptSandbox"]},
            {"ListenerLeakSandbox", "MapLeakSandbox", "TimerLeakSandbox", "KeptSandbox"},
        ),
        (
            {"expect_dead": ["class:ContextState"], "expect_live": ["class:CacheEntry"]},
            {"ListenerLeakSandbox", "TimerLeakSandbox", "KeptSandbox"},
        ),
    ],
)
def test_user_patterns(patterns: dict[str, list[str]], expected: set[str]) -> None:
    graph = load("fixtures/v8/vm_zombies.heapsnapshot.gz")
    report = find_zombie_contexts(graph, **patterns)  # type: ignore[arg-type]
    assert {z.name.split()[1] for z in report.zombies} == expected
    assert report.unmatched_patterns == ()
    for zombie in report.zombies:
        kinds = [e.kind for e in zombie.evidence]
        assert kinds == sorted(kinds, key=list(EvidenceKind).index)


def test_unmatched_pattern_is_reported() -> None:
    graph = load("fixtures/v8/vm_zombies.heapsnapshot.gz")
    report = find_zombie_contexts(graph, expect_dead=["no-such-context"])
    assert report.unmatched_patterns == ("no-such-context",)


CHROMIUM_MECHANISMS = {
    "closure": Mechanism.CLOSURE_CAPTURING_GLOBAL,
    "listener": Mechanism.LISTENER,
    "cache": Mechanism.COLLECTION_ENTRY,
}


def test_chromium_removed_iframes_each_with_its_crossing_edge() -> None:
    graph = load("fixtures/chromium/removed_iframes.heapsnapshot.gz")
    truth = sidecar("fixtures/chromium/removed_iframes.expected.json")
    report = find_zombie_contexts(graph)
    found = {context_id(graph, z): z for z in report.zombies}
    frames = {f["native_context"]["id"]: f for f in truth["frames"] if f["expected_zombie"]}
    assert set(found) == set(frames)
    for node_id, frame in frames.items():
        zombie = found[node_id]
        crossing = frame["crossing_edge"]
        source = zombie.path_nodes[zombie.crossing]
        assert int(graph.node_id[source]) == crossing["from_id"]
        assert int(graph.node_id[crossing_target(graph, zombie)]) == crossing["to_id"]
        assert graph.edge_name_text(zombie.crossing_edge) == str(crossing["edge_name"])
        assert zombie.mechanism is CHROMIUM_MECHANISMS[frame["role"]]
        assert zombie.evidence[0].kind is EvidenceKind.ENGINE
        assert zombie.holder_context.startswith(truth["page"]["origin"])
    traps = {int(k) for k, role in truth["native_context_roles"].items() if "zombie" not in role}
    assert traps and not traps & set(found)


def test_firefox_removed_iframes_listener_root_and_map_entry() -> None:
    graph = load("fixtures/firefox/firefox_removed_iframes.gc.log.gz")
    truth = sidecar("fixtures/firefox/firefox_removed_iframes.expected.json")
    report = find_zombie_contexts(graph)
    frames = {f["realm_header"]["name"]: f for f in truth["frames"] if f["expected_zombie"]}
    assert {z.name for z in report.zombies} == set(frames)
    for zombie in report.zombies:
        frame = frames[zombie.name]
        if frame["role"] == "listener":
            # An embedder root points straight at the listener function made in the iframe.
            assert zombie.crossing == -1 and zombie.mechanism is Mechanism.LISTENER
            assert zombie.root_label == frame["holder_roots"][0]["name"]
            first = int(frame["first_frame_cell"]["address"], 16)
            assert int(graph.node_id[zombie.path_nodes[0]]) == first
        else:
            crossing = frame["crossing_edge"]
            assert zombie.mechanism is Mechanism.COLLECTION_ENTRY
            assert graph.edge_name_text(zombie.crossing_edge) == crossing["edge_name"]
            assert int(graph.node_id[zombie.holder]) == int(crossing["from"], 16)
            assert zombie.holder_context == truth["main_realm"]["name"]


def _marked(graph: RetentionGraph, edge: str, text: str) -> int:
    """The node whose edge ``edge`` leads to a string whose value is ``text``."""
    first = graph.node_first_edge
    for node in range(graph.node_count):
        for e in range(int(first[node]), int(first[node + 1])):
            target = int(graph.edge_target[e])
            if graph.edge_name_text(e) == edge and graph.node_label(target) == text:
                return node
    raise AssertionError(f"no node with {edge} = {text!r}")


@pytest.mark.parametrize("name", ["js102_compartments", "js78_compartments"])
def test_shell_zombie_compartment_not_the_realms_held_through_window_proxies(name: str) -> None:
    graph = load(f"fixtures/spidermonkey/{name}.heap.gz")
    truth = sidecar(f"fixtures/spidermonkey/{name}.expected.json")["zombies"][0]
    marker = truth["members"][0]["marker"]
    zombie_context = int(graph.node_context[_marked(graph, marker["edge"], marker["text"])])
    report = find_zombie_contexts(graph)
    assert [z.context for z in report.zombies] == [zombie_context]
    zombie = report.zombies[0]
    assert zombie.mechanism is Mechanism.WRAPPER
    assert graph.edge_name_text(zombie.crossing_edge) == truth["cut_edge"]
    wrapper_step = truth["wrapper_chain"][-1]
    assert graph.edge_name_text(zombie.path_edges[zombie.crossing - 1]) == wrapper_step["edge"]
