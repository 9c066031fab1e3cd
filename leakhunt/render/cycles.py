"""Pinned cycles (``leakhunt cycles``) as text and JSON."""

from __future__ import annotations

from typing import Any, TextIO

from leakhunt.analyzers.cycles import CyclesReport, PinnedCycle
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import node_json, source_json, write_json
from leakhunt.render.labels import edge_label, node_label
from leakhunt.render.safe_text import visible

__all__ = ["CyclesConsoleRenderer", "CyclesJsonRenderer", "cycle_json"]

_KIND_NAMES = tuple(kind.name.lower() for kind in EdgeKind)


def _size(value: int) -> str:
    return f"{value:,} B"


class CyclesConsoleRenderer(Renderer[CyclesReport]):
    """Each cycle as a loop of hops, with its pin, what it retains and what to change."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def _cycle(self, index: int, cycle: PinnedCycle, out: TextIO) -> None:
        g = self.graph
        pin = node_label(g, cycle.pin_node)
        if cycle.handle_edge >= 0:
            held = f"pinned by the strong global handle {visible(g.edge_name_text(cycle.handle_edge))!s}"
            held += f" owned by {visible(pin)}"
        else:
            held = f"pinned by {cycle.unseen_references} reference(s) the dump cannot see on {visible(pin)}"
        out.write(f"Cycle {index}: {len(cycle.members)} members, {held}\n")
        out.write(
            f"  keeps alive {_size(cycle.retained_size)} in {cycle.retained_count} nodes "
            f"that nothing else holds (component of {cycle.component_size} nodes)\n"
        )
        out.write("  ┌→ ")
        for position, (node, edge) in enumerate(zip(cycle.members, cycle.edges, strict=True)):
            prefix = "  │  " if position else ""
            out.write(f"{prefix}{visible(node_label(g, node))}\n")
            out.write(f"  │    ↓ {visible(edge_label(g, edge))}\n")
        out.write(f"  └─ back to {visible(pin)}\n")
        out.write(f"  Fix: {cycle.hint}\n\n")

    def render(self, result: CyclesReport, out: TextIO) -> None:
        """Write every cycle, largest retained size first."""
        out.write(
            f"{len(result.cycles)} pinned cycle(s); examined {result.handle_pins} handle owner(s) "
            f"and {result.unseen_pins} node(s) with unseen references; "
            f"{result.pinned_only:,} node(s), {_size(result.pinned_only_size)}, live only "
            "through such pins\n"
        )
        if not result.handle_pins and not result.unseen_pins:
            out.write(
                "No pins to examine: handle cycles need an embedder root dump "
                "(--overlay DUMP, docs/rootdump.md); unseen-reference cycles need refcounted "
                "roots (Firefox CC logs, standalone dumps with external roots).\n"
            )
        out.write("\n")
        for index, cycle in enumerate(result.cycles, 1):
            self._cycle(index, cycle, out)


def cycle_json(graph: RetentionGraph, cycle: PinnedCycle) -> dict[str, Any]:
    """One cycle as the JSON document's ``cycles`` entry (docs/json.md)."""
    hops = []
    for node, edge in zip(cycle.members, cycle.edges, strict=True):
        hops.append(
            {
                "node": node_json(graph, node),
                "edge": {
                    "name": graph.edge_name_text(edge),
                    "kind": _KIND_NAMES[int(graph.edge_kind[edge])],
                    "retains": int(graph.edge_kind[edge]) != EdgeKind.WEAK_CALLBACK,
                },
            }
        )
    return {
        "pin": cycle.pin,
        "pin_node": node_json(graph, cycle.pin_node),
        "root_label": graph.strings[int(graph.roots.label[cycle.root_row])],
        "handle": graph.edge_name_text(cycle.handle_edge) if cycle.handle_edge >= 0 else None,
        "unseen_references": cycle.unseen_references,
        "hops": hops,
        "retained_size": cycle.retained_size,
        "retained_count": cycle.retained_count,
        "component_size": cycle.component_size,
        "hint": cycle.hint,
    }


def cycles_document(graph: RetentionGraph, result: CyclesReport) -> dict[str, Any]:
    """The ``leakhunt/cycles/1`` document (schema in docs/json.md)."""
    return {
        "schema": "leakhunt/cycles/1",
        "source": source_json(graph.source),
        "handle_pins": result.handle_pins,
        "unseen_pins": result.unseen_pins,
        "pinned_only_nodes": result.pinned_only,
        "pinned_only_size": result.pinned_only_size,
        "cycles": [cycle_json(graph, c) for c in result.cycles],
    }


class CyclesJsonRenderer(Renderer[CyclesReport]):
    """The report as one JSON document (schema in docs/json.md)."""

    def __init__(self, graph: RetentionGraph) -> None:
        self.graph = graph

    def render(self, result: CyclesReport, out: TextIO) -> None:
        """Write the document."""
        write_json(cycles_document(self.graph, result), out)
