"""Per-context accounting on real fixtures, checked against plain reachability written here.

The independent computation: decide per edge whether it retains (strong kinds but shortcuts,
a weak-map value through its key's half, root edges unless weak, never Node's weak
ContextifyContext edge), then for each context cut every retaining edge entering it from
outside (root edges into it included) and run a plain breadth-first search from the roots.
The freed nodes and their self sizes must equal the analyzer's figures exactly, and every
front-door holder the analyzer names must survive the cut of the context it holds.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from leakhunt.analyzers.contexts import analyze_contexts, compute_context_report
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind

from helpers.fixture_graphs import load

FIXTURES = [
    "fixtures/quickjs/tenants-1.rootdump.json.gz",
    "fixtures/v8/vm_zombies.heapsnapshot.gz",
    "fixtures/v8/vm_contexts.heapsnapshot.gz",
    "fixtures/chromium/chromium_page.heapsnapshot.gz",
    "fixtures/spidermonkey/embedder/embedder_realms.log.gz",
    "fixtures/spidermonkey/js102_compartments.heap.gz",
    "fixtures/spidermonkey/js78_compartments.heap.gz",
    "fixtures/spidermonkey/gjs_plain_leak.heap.gz",
    "fixtures/firefox/firefox_page_leak.gc.log.gz",
    "fixtures/chromium/removed_iframes.heapsnapshot.gz",
    "fixtures/firefox/firefox_removed_iframes.gc.log.gz",
]
_RETAINING = {
    EdgeKind.CONTEXT_VARIABLE,
    EdgeKind.ELEMENT,
    EdgeKind.PROPERTY,
    EdgeKind.INTERNAL,
    EdgeKind.HIDDEN,
    EdgeKind.NATIVE_HANDLE,
    EdgeKind.HOST_OPTIONS,
}


class PlainModel:
    """Adjacency lists and a BFS, nothing shared with the analyzer beyond the graph."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph
        n = graph.node_count
        first = graph.node_first_edge.tolist()
        targets = graph.edge_target.tolist()
        kinds = graph.edge_kind.tolist()
        through_key = set()
        eph = graph.ephemerons
        for edge, entry, from_key in zip(
            eph.edge.tolist(), eph.entry.tolist(), eph.from_key.tolist(), strict=True
        ):
            if from_key or int(eph.entry_halves[entry]) == 1:
                through_key.add(edge)
        weak_holders = set()
        if graph.contexts.weak_holder_edges is not None:
            weak_holders = set(graph.contexts.weak_holder_edges.tolist())
        self.out: list[list[int]] = [[] for _ in range(n)]
        for node in range(n):
            for edge in range(first[node], first[node + 1]):
                kind = EdgeKind(kinds[edge])
                retains = kind in _RETAINING or edge in through_key
                if retains and edge not in weak_holders:
                    self.out[node].append(targets[edge])
        self.seeds = []
        for edge, kind in zip(graph.roots.edge.tolist(), graph.roots.kind.tolist(), strict=True):
            if kind != RootKind.WEAK_GLOBAL_HANDLE and kinds[edge] != EdgeKind.WEAK:
                self.seeds.append(targets[edge])
        self.context = graph.node_context.tolist()
        self.alive = self.reach(cut=-1)

    def reach(self, cut: int) -> list[bool]:
        """Plain BFS from the roots, skipping every edge that enters context ``cut``."""
        seen = [False] * self.graph.node_count
        queue: deque[int] = deque()

        def visit(source_context: int, target: int) -> None:
            owner = self.context[target]
            if cut >= 0 and owner == cut and owner != source_context:
                return
            if not seen[target]:
                seen[target] = True
                queue.append(target)

        for target in self.seeds:
            visit(-1, target)
        while queue:
            node = queue.popleft()
            for target in self.out[node]:
                visit(self.context[node], target)
        return seen

    def survivors(self, context: int) -> list[bool]:
        """What stays reachable when ``context``'s entering edges are cut."""
        return self.reach(cut=context)

    def freed(self, context: int) -> tuple[int, int]:
        after = self.survivors(context)
        nodes = [v for v in range(self.graph.node_count) if self.alive[v] and not after[v]]
        return int(self.graph.node_self_size[nodes].sum()), len(nodes)


@pytest.mark.parametrize("path", FIXTURES)
def test_retained_sizes_equal_the_plain_cut(path: str) -> None:
    graph = load(path)
    analysis = analyze_contexts(graph)
    report = compute_context_report(graph, analysis)
    model = PlainModel(graph)
    assert report.rows, "every fixture here has contexts"
    for row in report.rows:
        after = model.survivors(row.context)
        freed = [v for v in range(graph.node_count) if model.alive[v] and not after[v]]
        assert (row.retained_size, row.retained_objects) == (
            int(graph.node_self_size[freed].sum()),
            len(freed),
        ), row.name
        assert row.retained_size >= row.self_size * int(row.reachable) or not row.reachable
        # A front door held from outside is held by something that survives the cut.
        sources = graph.edge_source()
        for edge in row.front_door_holders:
            source = int(sources[edge])
            assert not model.alive[source] or after[source] or graph.node_context[source] < 0, (
                row.name,
                edge,
            )


@pytest.mark.parametrize("path", FIXTURES)
def test_names_are_unique(path: str) -> None:
    names = [row.name for row in compute_context_report(load(path)).rows]
    assert len(names) == len(set(names))
    assert names.count("main") <= 1


@pytest.mark.parametrize("path", FIXTURES)
def test_buckets_split_the_live_heap(path: str) -> None:
    graph = load(path)
    report = compute_context_report(graph)
    alive = PlainModel(graph).alive
    b = report.buckets
    total = int(graph.node_self_size[np.array(alive)].sum())
    assert b.attributed_size + b.shared_size + b.unattributed_size == total
    attributed = sum(row.self_size for row in report.rows if row.reachable)
    assert b.attributed_size >= attributed


def test_node_vm_roles_front_doors_and_the_weak_contextify_edge() -> None:
    graph = load("fixtures/v8/vm_zombies.heapsnapshot.gz")
    rows = {row.name.split(" @")[0]: row for row in compute_context_report(graph).rows}
    assert rows["main"].role == "main" and rows["main"].front_door_held
    assert RootKind.USER in rows["main"].root_kinds
    assert rows["vm KeptSandbox"].front_door_held
    for leaked in ("ListenerLeakSandbox", "MapLeakSandbox", "TimerLeakSandbox"):
        row = rows[f"vm {leaked}"]
        assert row.role == "vm" and row.reachable and not row.front_door_held
        assert "ContextifyContext" in row.state_note and "not evidence" in row.state_note
        assert dict(row.entering).get("main", 0) >= 1


def test_chromium_roles_and_document_state() -> None:
    graph = load("fixtures/chromium/chromium_page.heapsnapshot.gz")
    rows = compute_context_report(graph).rows
    by_role = {row.role: row for row in rows}
    assert set(by_role) == {"window", "extension", "iframe"}
    assert (
        by_role["iframe"].state == "detached" and "detachedness 2" in by_role["iframe"].state_note
    )
    assert by_role["window"].state == "attached"
    assert by_role["extension"].front_door_held
    assert RootKind.STRONG_GLOBAL_HANDLE in by_role["extension"].root_kinds


def test_spidermonkey_wrapper_is_a_back_door() -> None:
    graph = load("fixtures/spidermonkey/embedder/embedder_realms.log.gz")
    held = {row.name: row.front_door_held for row in compute_context_report(graph).rows}
    assert held == {
        "embedder://main/": True,
        "embedder://main/about:blank": True,
        "embedder://zone-mate/": True,
        "embedder://plugin/": True,
        "embedder://zombie-addon/": False,
        "embedder://zombie-addon/frame": False,
    }
