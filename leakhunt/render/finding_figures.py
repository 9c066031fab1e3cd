"""Diagrams of analyzer findings: a zombie context, a pinned cycle (adapters onto
:mod:`leakhunt.render.finding_diagrams`, which draws from plain paths and member lists)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers.cycles import PinnedCycle
from leakhunt.analyzers.results import RetentionPath
from leakhunt.analyzers.zombies import Zombie
from leakhunt.graph.core import RetentionGraph
from leakhunt.render.diagram import Diagram
from leakhunt.render.finding_diagrams import (
    CycleRoot,
    cycle_diagram,
    cycle_edges_from_graph,
    zombie_context_diagram,
)

__all__ = ["pinned_cycle_figure", "zombie_figure"]


def zombie_figure(
    graph: RetentionGraph, zombie: Zombie, retained: npt.NDArray[np.int64]
) -> Diagram:
    """The path from a GC root into the zombie, its context framed, the crossing highlighted."""
    path = RetentionPath(
        zombie.path_nodes[-1],
        zombie.root_kind,
        zombie.root_label,
        zombie.root_edge,
        zombie.path_nodes,
        zombie.path_edges,
    )
    return zombie_context_diagram(
        graph,
        path,
        zombie.crossing,
        [zombie.context],
        retained,
        title=f"Zombie context {zombie.name}: {zombie.mechanism.value}",
    )


def pinned_cycle_figure(
    graph: RetentionGraph, cycle: PinnedCycle, retained: npt.NDArray[np.int64]
) -> Diagram:
    """The cycle's members and edges by kind, with the handle or unseen references pinning it."""
    kind = "strong global handle" if cycle.handle_edge >= 0 else "held from outside the heap"
    return cycle_diagram(
        graph,
        cycle.members,
        cycle_edges_from_graph(graph, cycle.edges),
        retained,
        roots=[CycleRoot(kind, cycle.pin, cycle.pin_node)],
        title=f"Cycle pinned by {cycle.pin}: {cycle.retained_size:,} B kept alive",
    )
