"""Parity of the DevTools-model kernels: each compiled kernel equals its plain-Python twin.

Graphs are random CSR arrays (every edge kind, ephemeron entries with one or two halves,
self edges, repeated edges, isolated nodes), from seeded numpy generators driven by
hypothesis. Lengauer-Tarjan is also checked against networkx where the answer is unique.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakhunt.analyzers import _kernels as k
from leakhunt.graph.kinds import EdgeKind

KIND_COUNT = max(EdgeKind) + 1


@dataclass(frozen=True)
class Csr:
    first_edge: npt.NDArray[np.int64]
    edge_target: npt.NDArray[np.int32]
    edge_kind: npt.NDArray[np.uint8]
    eph_edge: npt.NDArray[np.int64]
    eph_entry: npt.NDArray[np.int32]
    eph_from_key: npt.NDArray[np.bool_]
    entry_halves: npt.NDArray[np.uint8]

    @property
    def n(self) -> int:
        return int(self.first_edge.shape[0] - 1)


def random_csr(seed: int, n: int, density: float) -> Csr:
    rng = np.random.default_rng(seed)
    m = int(n * density)
    source = np.sort(rng.integers(0, n, m))
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=n), out=first[1:])
    target = rng.integers(0, n, m).astype(np.int32)
    kind = rng.choice(KIND_COUNT, size=m, p=_kind_weights()).astype(np.uint8)
    eph_edge = np.flatnonzero(kind == EdgeKind.EPHEMERON).astype(np.int64)
    # Pair ephemeron halves into entries of one or two halves.
    entries = np.zeros(eph_edge.size, dtype=np.int32)
    halves: list[int] = []
    position = 0
    while position < eph_edge.size:
        size = 2 if position + 1 < eph_edge.size and rng.random() < 0.7 else 1
        entries[position : position + size] = len(halves)
        halves.append(size)
        position += size
    permutation = rng.permutation(len(halves)).astype(np.int32)
    return Csr(
        first,
        target,
        kind,
        eph_edge,
        permutation[entries] if len(halves) else entries,
        rng.random(eph_edge.size) < 0.5,
        np.array(halves, dtype=np.uint8)[np.argsort(permutation)]
        if halves
        else np.zeros(0, np.uint8),
    )


def _kind_weights() -> npt.NDArray[np.float64]:
    weights = np.ones(KIND_COUNT)
    weights[EdgeKind.PROPERTY] = 6
    weights[EdgeKind.INTERNAL] = 4
    weights[EdgeKind.EPHEMERON] = 2
    return weights / weights.sum()


graphs = st.builds(
    random_csr,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 80),
    density=st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0]),
)


def _bools(seed: int, n: int, p: float) -> npt.NDArray[np.bool_]:
    return np.random.default_rng(seed).random(n) < p


def _assert_same(compiled: object, reference: object) -> None:
    if isinstance(compiled, tuple):
        assert isinstance(reference, tuple) and len(compiled) == len(reference)
        for a, b in zip(compiled, reference, strict=True):
            _assert_same(a, b)
        return
    assert isinstance(compiled, np.ndarray) and isinstance(reference, np.ndarray)
    assert compiled.dtype == reference.dtype
    np.testing.assert_array_equal(compiled, reference)


def _skip_table(seed: int) -> npt.NDArray[np.bool_]:
    table = _bools(seed, KIND_COUNT, 0.3)
    table[EdgeKind.WEAK] = True
    return table


@settings(max_examples=60, deadline=None)
@given(graphs, st.integers(0, 1000))
def test_mark_reachable(g: Csr, seed: int) -> None:
    seeds = np.random.default_rng(seed).integers(0, g.n, 3).astype(np.int32)
    args = (g.first_edge, g.edge_target, g.edge_kind, _skip_table(seed), seeds)
    _assert_same(k.mark_reachable(*args), k.mark_reachable_reference(*args))


@settings(max_examples=60, deadline=None)
@given(graphs, st.integers(0, 1000))
def test_dom_state(g: Csr, seed: int) -> None:
    rng = np.random.default_rng(seed)
    detachedness = rng.choice([0, 0, 0, 1, 2, 3], size=g.n).astype(np.uint8)
    args = (
        g.first_edge,
        g.edge_target,
        g.edge_kind,
        _skip_table(seed),
        _bools(seed, g.n, 0.6),
        detachedness,
    )
    _assert_same(k.dom_state(*args), k.dom_state_reference(*args))


@settings(max_examples=80, deadline=None)
@given(graphs, st.integers(0, 1000), st.integers(0, 3))
def test_devtools_distances(g: Csr, seed: int, seed_count: int) -> None:
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, g.n, seed_count).astype(np.int32)
    rule_node = _bools(seed, g.n, 0.2)
    ruled = np.flatnonzero(rule_node[np.repeat(np.arange(g.n), np.diff(g.first_edge))])
    rule_edge = np.sort(rng.choice(ruled, size=ruled.size // 2, replace=False)).astype(np.int64)
    rule_follow = rng.random(rule_edge.size) < 0.5
    args = (
        g.first_edge,
        g.edge_target,
        g.edge_kind,
        _skip_table(seed),
        seeds,
        0,
        g.eph_edge,
        g.eph_entry,
        g.entry_halves,
        rule_node,
        rule_edge,
        rule_follow,
    )
    _assert_same(k.devtools_distances(*args), k.devtools_distances_reference(*args))


@settings(max_examples=60, deadline=None)
@given(graphs, st.integers(0, 1000))
def test_shallow_sizes(g: Csr, seed: int) -> None:
    rng = np.random.default_rng(seed)
    cannot_own = _bools(seed + 1, g.n, 0.1)
    cannot_own[0] = True
    sizes = rng.integers(0, 1000, g.n).astype(np.int64)
    args = (
        g.first_edge,
        g.edge_target,
        g.edge_kind,
        _skip_table(seed),
        _bools(seed, g.n, 0.4),
        cannot_own,
        sizes,
    )
    compiled = k.shallow_sizes(*args)
    _assert_same(compiled, k.shallow_sizes_reference(*args))
    assert compiled.sum() == sizes.sum()


@settings(max_examples=60, deadline=None)
@given(graphs, st.integers(0, 1000))
def test_essential_edges_and_retainers(g: Csr, seed: int) -> None:
    args = (g.first_edge, g.edge_target, g.edge_kind, _skip_table(seed), _bools(seed, g.n, 0.5), 0)
    essential = k.essential_edges(*args)
    _assert_same(essential, k.essential_edges_reference(*args))
    retainers = k.essential_retainers(g.first_edge, g.edge_target, essential)
    _assert_same(retainers, k.essential_retainers_reference(g.first_edge, g.edge_target, essential))
    first, sources = retainers
    # Each node's essential retainers, in decreasing edge order (DevTools' buildRetainers).
    edge_source = np.repeat(np.arange(g.n), np.diff(g.first_edge))
    for node in range(g.n):
        expected = edge_source[np.flatnonzero(essential & (g.edge_target == node))][::-1]
        assert sources[first[node] : first[node + 1]].tolist() == expected.tolist()


@settings(max_examples=40, deadline=None)
@given(graphs, st.integers(0, 1000))
def test_referenced(g: Csr, seed: int) -> None:
    counted = ~_skip_table(seed)
    args = (g.n, g.edge_target, g.edge_kind, counted)
    _assert_same(k.referenced(*args), k.referenced_reference(*args))


def _lengauer_tarjan_inputs(g: Csr, seed: int, mask_p: float) -> tuple[object, ...]:
    essential = ~_bools(seed, g.edge_target.size, mask_p)
    first, sources = k.essential_retainers(g.first_edge, g.edge_target, essential)
    candidates = _bools(seed + 7, g.n, 0.5) | (first[1:] == first[:-1])
    return (g.first_edge, g.edge_target, essential, first, sources, candidates, 0)


@settings(max_examples=100, deadline=None)
@given(graphs, st.integers(0, 1000), st.sampled_from([0.0, 0.2, 0.6]))
def test_lengauer_tarjan_and_retained(g: Csr, seed: int, mask_p: float) -> None:
    inputs = _lengauer_tarjan_inputs(g, seed, mask_p)
    compiled = k.lengauer_tarjan(*inputs)  # type: ignore[arg-type]
    _assert_same(compiled, k.lengauer_tarjan_reference(*inputs))  # type: ignore[arg-type]
    idom, order, _ = compiled
    assert sorted(order.tolist()) == list(range(g.n))
    sizes = np.random.default_rng(seed).integers(0, 100, g.n).astype(np.int64)
    retained = k.accumulate_retained(idom, order, sizes)
    _assert_same(retained, k.accumulate_retained_reference(idom, order, sizes))
    assert retained[0] == sizes.sum()


def _orphan_friendly_graph(
    seed: int, n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    """Edges (sources, targets) where everything the root misses hangs below a node without
    retainers: a random backbone (each node kept by an earlier one with probability 0.85),
    forward edges, and back edges only into backbone nodes. So no cliques."""
    rng = np.random.default_rng(seed)
    sources: list[int] = []
    targets: list[int] = []
    backbone = np.zeros(n, dtype=np.bool_)
    for node in range(1, n):
        if rng.random() < 0.85:
            backbone[node] = True
            sources.append(int(rng.integers(0, node)))
            targets.append(node)
    for _ in range(2 * n):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a < b or (a > b and backbone[b]):
            sources.append(a)
            targets.append(b)
    order = np.argsort(np.array(sources, dtype=np.int64), kind="stable")
    src = np.array(sources, dtype=np.int64)[order]
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=first[1:])
    return first, np.array(targets, dtype=np.int32)[order], src


@pytest.mark.parametrize("seed", range(30))
def test_lengauer_tarjan_matches_networkx(seed: int) -> None:
    n = 8 + seed * 3
    first, target, source = _orphan_friendly_graph(seed, n)
    essential = np.ones(target.size, dtype=np.bool_)
    first_retainer, retainer_node = k.essential_retainers(first, target, essential)
    orphan = first_retainer[1:] == first_retainer[:-1]
    idom, _, reach = k.lengauer_tarjan(
        first, target, essential, first_retainer, retainer_node, orphan, 0
    )
    assert not (reach == 3).any()
    # DevTools' flowgraph: the root also "retains" every orphan DFS start.
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(n))
    digraph.add_edges_from(zip(source.tolist(), target.tolist(), strict=True))
    digraph.add_edges_from((0, int(v)) for v in np.flatnonzero(reach == 1))
    expected = nx.immediate_dominators(digraph, 0)
    assert 0 not in expected  # networkx >= 3.6: the start node is not in the result
    assert len(expected) == n - 1
    assert {v: int(idom[v]) for v in range(1, n)} == expected
    assert idom[0] == 0
