"""Retained-via queries against a plain breadth-first search written here."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

import numpy as np
import pytest

from leakhunt.analyzers.retained_via import (
    RetainedViaQuery,
    find_retained_via,
    query_edges,
    query_nodes,
    query_root_kind,
)
from leakhunt.analyzers.selectors import parse_selector, select_nodes
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind

from helpers.fixture_graphs import load

_RETAINING = {
    EdgeKind.CONTEXT_VARIABLE,
    EdgeKind.ELEMENT,
    EdgeKind.PROPERTY,
    EdgeKind.INTERNAL,
    EdgeKind.HIDDEN,
}


def plain_alive(
    graph: RetentionGraph, cut_edge: Callable[[int], bool], keep_root: Callable[[int], bool]
) -> list[bool]:
    """Reachability from the kept, non-weak roots over retaining, uncut edges."""
    first, targets, kinds = (
        graph.node_first_edge.tolist(),
        graph.edge_target.tolist(),
        graph.edge_kind.tolist(),
    )
    eph = graph.ephemerons
    key_halves = {
        int(e)
        for e, entry, key in zip(eph.edge, eph.entry, eph.from_key, strict=True)
        if key or eph.entry_halves[entry] == 1
    }
    weak = set()
    if graph.contexts.weak_holder_edges is not None:
        weak = set(graph.contexts.weak_holder_edges.tolist())
    seen = [False] * graph.node_count
    queue: deque[int] = deque()
    for row, (edge, kind) in enumerate(
        zip(graph.roots.edge.tolist(), graph.roots.kind.tolist(), strict=True)
    ):
        if kind == RootKind.WEAK_GLOBAL_HANDLE or kinds[edge] == EdgeKind.WEAK:
            continue
        if keep_root(row) and not cut_edge(edge) and not seen[targets[edge]]:
            seen[targets[edge]] = True
            queue.append(targets[edge])
    while queue:
        node = queue.popleft()
        for edge in range(first[node], first[node + 1]):
            retains = kinds[edge] in _RETAINING or edge in key_halves
            if not retains or edge in weak or cut_edge(edge) or seen[targets[edge]]:
                continue
            seen[targets[edge]] = True
            queue.append(targets[edge])
    return seen


def check(graph: RetentionGraph, query: RetainedViaQuery, expected_freed: np.ndarray) -> None:
    report = find_retained_via(graph, query, top=5)
    assert report.freed_objects == int(expected_freed.sum())
    assert report.freed_size == int(graph.node_self_size[expected_freed].sum())
    assert all(expected_freed[v] for v in report.top_nodes)


def test_root_kind_query() -> None:
    graph = load("fixtures/v8/vm_zombies.heapsnapshot.gz")
    kinds = graph.roots.kind.tolist()
    before = np.array(plain_alive(graph, lambda e: False, lambda r: True))
    after = np.array(
        plain_alive(graph, lambda e: False, lambda r: kinds[r] != RootKind.STRONG_GLOBAL_HANDLE)
    )
    check(graph, query_root_kind(graph, RootKind.STRONG_GLOBAL_HANDLE), before & ~after)


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("fixtures/v8/vm_zombies.heapsnapshot.gz", "^_events$"),
        ("fixtures/chromium/removed_iframes.heapsnapshot.gz", "^frameWindow$"),
    ],
)
def test_edge_class_query(path: str, pattern: str) -> None:
    graph = load(path)
    regex = re.compile(pattern)
    named = {EdgeKind.ELEMENT, EdgeKind.HIDDEN}
    cut = {
        e
        for e in range(graph.edge_count)
        if EdgeKind(int(graph.edge_kind[e])) not in named
        and regex.search(graph.strings[int(graph.edge_name[e])])
    }
    before = np.array(plain_alive(graph, lambda e: False, lambda r: True))
    after = np.array(plain_alive(graph, cut.__contains__, lambda r: True))
    freed = before & ~after
    assert freed.any()
    check(graph, query_edges(graph, pattern), freed)


def test_selector_query_counts_its_own_nodes_apart() -> None:
    graph = load("fixtures/chromium/removed_iframes.heapsnapshot.gz")
    nodes = select_nodes(graph, [parse_selector("class:V8EventListener")])
    sources = set(nodes.tolist())
    first = graph.node_first_edge
    cut = {e for v in sources for e in range(int(first[v]), int(first[v + 1]))}
    before = np.array(plain_alive(graph, lambda e: False, lambda r: True))
    after = np.array(plain_alive(graph, cut.__contains__, lambda r: True))
    freed = before & ~after
    freed[list(sources)] = False
    check(graph, query_nodes(graph, nodes, "class:V8EventListener"), freed)
    report = find_retained_via(graph, query_nodes(graph, nodes, "x"))
    assert report.own_objects == int(before[list(sources)].sum())
