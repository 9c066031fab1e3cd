"""The class table's retained sizes (DevTools' rule) and the biggest-retainer list."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from leakhunt.analyzers._kernels import (
    first_of_class_on_path,
    first_of_class_on_path_reference,
)
from leakhunt.analyzers.dominators import compute_dominators
from leakhunt.analyzers.top import class_table, find_top_retainers
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, RootKind, SourceInfo


def _random_tree(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    idom = np.zeros(n, dtype=np.int32)
    for v in range(1, n):
        idom[v] = rng.integers(0, v)
    klass = rng.integers(0, 6, n).astype(np.uint32)
    size = rng.integers(0, 3, n).astype(np.int64)
    return idom, klass, size


def _brute_force(idom: np.ndarray, klass: np.ndarray, size: np.ndarray) -> np.ndarray:
    counted = np.zeros(idom.size, dtype=bool)
    for v in range(idom.size):
        if size[v] == 0:
            continue
        u, shadowed = v, False
        while u != 0:
            u = int(idom[u])
            if klass[u] == klass[v] and size[u] != 0:
                shadowed = True
                break
        counted[v] = not shadowed
    return counted


@pytest.mark.parametrize("seed", range(10))
def test_class_walk_matches_brute_force_and_reference(seed: int) -> None:
    idom, klass, size = _random_tree(seed)
    expected = _brute_force(idom, klass, size)
    assert np.array_equal(first_of_class_on_path_reference(idom, klass, size), expected)
    assert np.array_equal(first_of_class_on_path(idom, klass, size), expected)


def _chain_graph() -> tuple[RetentionGraph, list[int]]:
    b = GraphBuilder()
    glob = b.add_node(NodeKind.OBJECT, "global", node_id=1, self_size=10)
    b.add_root(glob, RootKind.USER, "global", edge_kind=EdgeKind.SHORTCUT)
    items = [b.add_node(NodeKind.OBJECT, "Item", node_id=3 + 2 * i, self_size=20) for i in range(4)]
    b.add_edge(glob, items[0], EdgeKind.PROPERTY, "head")
    for a, c in itertools.pairwise(items):
        b.add_edge(a, c, EdgeKind.PROPERTY, "next")
    payload = b.add_node(NodeKind.OBJECT, "Payload", node_id=99, self_size=500)
    b.add_edge(items[3], payload, EdgeKind.PROPERTY, "data")
    return b.freeze(SourceInfo("inline", "test", "none")), items


def test_linked_list_is_counted_once_per_class() -> None:
    graph, _items = _chain_graph()
    tree = compute_dominators(graph)
    table = {c.class_name: c for c in class_table(graph, tree)}
    assert table["Item"].count == 4
    assert table["Item"].self_size == 80
    assert table["Item"].retained_size == 580  # the head's retained size, not 580+560+540+520
    assert table["Payload"].retained_size == 500
    assert table["global"].min_distance == 1


def test_top_retainers_are_sorted_and_skip_synthetic_nodes() -> None:
    graph, items = _chain_graph()
    report = find_top_retainers(graph, compute_dominators(graph), top=3, class_top=1)
    assert [graph.node_label(r.node) for r in report.retainers] == ["global", "Item", "Item"]
    assert [r.retained_size for r in report.retainers] == [590, 580, 560]
    assert report.retainers[1].node == items[0]
    assert report.retainers[1].dominated_count == 1
    assert report.total_size == 590
    assert len(report.classes) == 1 and report.class_count == 3
