"""``show --format json``: the ``leakhunt/show/1`` document (see ``docs/json.md``)."""

from __future__ import annotations

from typing import Any, TextIO

from leakhunt.analyzers.dominator_results import DominatorTree
from leakhunt.analyzers.neighbours import Neighbours, NodeReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import node_json, source_json, write_json

__all__ = ["ShowJsonRenderer", "show_document"]


def _sized(graph: RetentionGraph, tree: DominatorTree, node: int) -> dict[str, Any]:
    return {
        **node_json(graph, node),
        "retained_size": int(tree.retained_size[node]),
        "distance": int(tree.distance[node]),
    }


def _edge(graph: RetentionGraph, edge: int) -> dict[str, Any]:
    return {
        "name": graph.edge_name_text(edge),
        "kind": EdgeKind(int(graph.edge_kind[edge])).name.lower(),
    }


def _page(graph: RetentionGraph, tree: DominatorTree, page: Neighbours) -> dict[str, Any]:
    node = page.node
    context = int(graph.node_context[node])
    return {
        "node": {
            **_sized(graph, tree, node),
            "shallow_size": int(tree.self_size_used[node]),
            "dominator_id": int(graph.node_id[tree.idom[node]]),
            "context": graph.contexts.name[context] if context >= 0 else None,
        },
        "outgoing": {
            "total": page.outgoing_total,
            "offset": page.offset,
            "edges": [
                {"edge": _edge(graph, e), "node": _sized(graph, tree, int(graph.edge_target[e]))}
                for e in page.outgoing
            ],
        },
        "incoming": {
            "total": page.incoming_total,
            "offset": page.offset,
            "edges": [
                {"edge": _edge(graph, e), "node": _sized(graph, tree, s)}
                for e, s in zip(page.incoming, page.incoming_sources, strict=True)
            ],
        },
    }


def show_document(graph: RetentionGraph, report: NodeReport) -> dict[str, Any]:
    """The ``leakhunt/show/1`` document."""
    return {
        "schema": "leakhunt/show/1",
        "source": source_json(graph.source),
        "semantics": report.tree.semantics.value,
        "nodes": [_page(graph, report.tree, page) for page in report.pages],
    }


class ShowJsonRenderer(Renderer[NodeReport]):
    """``show --format json``."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: NodeReport, out: TextIO) -> None:
        """Write the document."""
        write_json(show_document(self.graph, result), out)
