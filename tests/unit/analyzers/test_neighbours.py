"""find_neighbours against a plain scan of the edge list, on a real snapshot."""

from __future__ import annotations

import pytest

from leakhunt.analyzers import compute_dominators
from leakhunt.analyzers.neighbours import find_neighbours
from leakhunt.errors import ConfigError
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers import load_graph

from conftest import v8_fixture


@pytest.fixture(scope="module")
def graph() -> RetentionGraph:
    return load_graph(str(v8_fixture("leak_chain")))


def _plain_edges(graph: RetentionGraph, node: int) -> tuple[list[int], list[tuple[int, int]]]:
    sources = graph.edge_source().tolist()
    targets = graph.edge_target.tolist()
    out = [e for e, s in enumerate(sources) if s == node]
    into = [(e, s) for e, (s, t) in enumerate(zip(sources, targets, strict=True)) if t == node]
    return out, into


@pytest.mark.parametrize("node_id", [78371, 50471, 6051, 78267])
def test_pages_cover_exactly_the_edges(graph: RetentionGraph, node_id: int) -> None:
    node = int((graph.node_id == node_id).nonzero()[0][0])
    tree = compute_dominators(graph)
    out, into = _plain_edges(graph, node)
    pages = []
    offset = 0
    while True:
        page = find_neighbours(graph, node, limit=7, offset=offset, distance=tree.distance)
        pages.append(page)
        if not page.outgoing and not page.incoming:
            break
        offset += 7
    assert [e for p in pages for e in p.outgoing] == out
    incoming = [(e, s) for p in pages for e, s in zip(p.incoming, p.incoming_sources, strict=True)]
    assert sorted(incoming) == sorted(into)
    distances = [int(tree.distance[s]) for _, s in incoming]
    reached = [d for d in distances if d >= 0]
    assert reached == sorted(reached)  # closest retainer first
    assert all(p.outgoing_total == len(out) and p.incoming_total == len(into) for p in pages)


def test_bad_paging_is_refused(graph: RetentionGraph) -> None:
    with pytest.raises(ConfigError):
        find_neighbours(graph, 1, limit=0)
