"""Dump-given context state, limits and usage (as an embedder root dump will attach them)."""

from __future__ import annotations

import dataclasses

import numpy as np

from leakhunt.analyzers.contexts import compute_context_report
from leakhunt.analyzers.zombies import EvidenceKind, find_zombie_contexts
from leakhunt.cache.graph_codec import decode_graph, encode_graph
from leakhunt.graph.builder import GraphBuilder, SourceInfo
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind


def two_tenants() -> RetentionGraph:
    """Two contexts, both held through their globals from an embedder root."""
    b = GraphBuilder()
    b.add_context(-1, 1, "tenant-a", "context")
    b.add_context(-1, 3, "tenant-b", "context")
    a = b.add_node(NodeKind.OBJECT, "GlobalA", node_id=1, self_size=10, context=0)
    a_data = b.add_node(NodeKind.OBJECT, "Data", node_id=2, self_size=90, context=0)
    c = b.add_node(NodeKind.OBJECT, "GlobalB", node_id=3, self_size=10, context=1)
    _ = b.add_root(a, RootKind.EMBEDDER, "tenant a")
    _ = b.add_root(c, RootKind.EMBEDDER, "tenant b")
    _ = b.add_edge(a, a_data, EdgeKind.PROPERTY, "data")
    graph = b.freeze(SourceInfo("inline", "test", "none"))
    contexts = dataclasses.replace(
        graph.contexts,
        state=("disposed", "live"),
        state_note=("the embedder disposed it", ""),
        memory_limit=np.array([50, -1], dtype=np.int64),
        memory_used=np.array([100, 7], dtype=np.int64),
    )
    return dataclasses.replace(graph, contexts=contexts)


def test_limits_usage_and_state_reach_the_rows() -> None:
    rows = compute_context_report(two_tenants()).rows
    assert [(r.state, r.memory_limit, r.memory_used, r.over_limit) for r in rows] == [
        ("disposed", 50, 100, True),
        ("live", None, 7, False),
    ]
    assert [r.retained_size for r in rows] == [100, 10]


def test_a_disposed_context_still_held_is_a_zombie_by_the_embedders_word() -> None:
    report = find_zombie_contexts(two_tenants())
    (zombie,) = report.zombies
    assert zombie.name == "tenant-a"
    assert [e.kind for e in zombie.evidence] == [EvidenceKind.ENGINE]
    assert "the embedder disposed it" in zombie.evidence[0].detail
    assert zombie.root_kind is RootKind.EMBEDDER and zombie.crossing == -1


def test_defaults_say_unknown() -> None:
    base = two_tenants().contexts
    plain = dataclasses.replace(base, state=(), state_note=(), memory_limit=None, memory_used=None)
    assert [plain.state_of(i) for i in range(2)] == ["unknown", "unknown"]
    assert plain.limit_of(0) is None and plain.used_of(1) is None


def test_the_index_cache_keeps_the_optional_columns() -> None:
    graph = two_tenants()
    arrays, attrs = encode_graph(graph)
    back = decode_graph(arrays, attrs).contexts
    assert back.state == graph.contexts.state and back.state_note == graph.contexts.state_note
    assert back.memory_limit is not None and back.memory_limit.tolist() == [50, -1]
    assert back.memory_used is not None and back.memory_used.tolist() == [100, 7]
    assert back.front_door is None and back.weak_holder_edges is None
