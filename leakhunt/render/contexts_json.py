"""JSON documents of ``contexts`` and ``zombies`` (schemas in ``docs/json.md``)."""

from __future__ import annotations

from typing import Any, TextIO

import numpy as np

from leakhunt.analyzers.context_results import ContextReport, ContextRow
from leakhunt.analyzers.zombies import Zombie, ZombieReport
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import node_json, source_json, write_json

__all__ = [
    "ContextsJsonRenderer",
    "ZombiesJsonRenderer",
    "contexts_document",
    "zombies_document",
]


def _node_id(graph: RetentionGraph, node: int) -> int | None:
    return int(graph.node_id[node]) if node >= 0 else None


def edge_json(graph: RetentionGraph, edge: int) -> dict[str, Any]:
    """An edge as JSON: its name (or index) and kind."""
    return {
        "name": graph.edge_name_text(edge),
        "kind": EdgeKind(int(graph.edge_kind[edge])).name.lower(),
    }


def edge_source(graph: RetentionGraph, edge: int) -> int:
    """The node an edge leaves."""
    return int(np.searchsorted(graph.node_first_edge, edge, side="right")) - 1


def _holder_json(graph: RetentionGraph, edge: int) -> dict[str, Any]:
    source = edge_source(graph, edge)
    return {"from": node_json(graph, source), "edge": edge_json(graph, edge)}


def context_row_json(graph: RetentionGraph, row: ContextRow) -> dict[str, Any]:
    """One context's accounting."""
    return {
        "name": row.name,
        "kind": row.kind,
        "role": row.role,
        "node_id": _node_id(graph, row.node),
        "global_id": _node_id(graph, row.global_node),
        "objects": row.objects,
        "self_size": row.self_size,
        "retained_size": row.retained_size,
        "retained_objects": row.retained_objects,
        "reachable": row.reachable,
        "front_door_held": row.front_door_held,
        "front_door_holders": [_holder_json(graph, e) for e in row.front_door_holders],
        "back_door_edges": row.back_door_edges,
        "root_kinds": [kind.label for kind in row.root_kinds],
        "entering": [{"from": label, "edges": count} for label, count in row.entering],
        "state": row.state,
        "state_note": row.state_note,
        "memory_limit": row.memory_limit,
        "memory_used": row.memory_used,
        "usage": row.usage,
        "usage_source": "embedder" if row.memory_used is not None else "attributed",
        "over_limit": row.over_limit,
    }


def contexts_document(graph: RetentionGraph, report: ContextReport) -> dict[str, Any]:
    """The ``leakhunt/contexts/1`` document."""
    b = report.buckets
    return {
        "schema": "leakhunt/contexts/1",
        "source": source_json(graph.source),
        "contexts": [context_row_json(graph, row) for row in report.rows],
        "buckets": {
            "attributed": {"size": b.attributed_size, "objects": b.attributed_objects},
            "shared": {"size": b.shared_size, "objects": b.shared_objects},
            "unattributed": {"size": b.unattributed_size, "objects": b.unattributed_objects},
        },
    }


def zombie_json(graph: RetentionGraph, zombie: Zombie) -> dict[str, Any]:
    """One zombie with its evidence, path, crossing edge and mechanism."""
    steps = []
    for index, node in enumerate(zombie.path_nodes):
        step: dict[str, Any] = {"node": node_json(graph, node)}
        if index < len(zombie.path_edges):
            step["edge"] = edge_json(graph, zombie.path_edges[index])
            step["crossing"] = index == zombie.crossing
            step["entry"] = index == zombie.entry
        steps.append(step)
    return {
        "name": zombie.name,
        "role": zombie.row.role,
        "retained_size": zombie.row.retained_size,
        "retained_objects": zombie.row.retained_objects,
        "evidence": [{"kind": e.kind.value, "detail": e.detail} for e in zombie.evidence],
        "mechanism": zombie.mechanism.value,
        "mechanism_node": node_json(graph, zombie.mechanism_node),
        "holder": node_json(graph, zombie.holder),
        "holder_context": zombie.holder_context or None,
        "crossing_edge": edge_json(graph, zombie.crossing_edge) if zombie.crossing >= 0 else None,
        "root": {"kind": zombie.root_kind.label, "label": zombie.root_label},
        "path": steps,
        "context": context_row_json(graph, zombie.row),
    }


def zombies_document(graph: RetentionGraph, report: ZombieReport) -> dict[str, Any]:
    """The ``leakhunt/zombies/1`` document."""
    return {
        "schema": "leakhunt/zombies/1",
        "source": source_json(graph.source),
        "expect_dead": list(report.expect_dead),
        "expect_live": list(report.expect_live),
        "unmatched_patterns": list(report.unmatched_patterns),
        "zombies": [zombie_json(graph, z) for z in report.zombies],
        "contexts": len(report.contexts.rows),
    }


class ContextsJsonRenderer(Renderer[ContextReport]):
    """``contexts --format json``."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: ContextReport, out: TextIO) -> None:
        """Write the document."""
        write_json(contexts_document(self.graph, result), out)


class ZombiesJsonRenderer(Renderer[ZombieReport]):
    """``zombies --format json``."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: ZombieReport, out: TextIO) -> None:
        """Write the document."""
        write_json(zombies_document(self.graph, result), out)
