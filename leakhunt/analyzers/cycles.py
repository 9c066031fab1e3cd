"""Cycles the collector cannot see: self-pinning loops through handles and unseen references.

A collector keeps alive what its roots reach. Two kinds of root are *pins*: they hold their
target for a reason that may lie inside the very structure they hold.

* A **strong global handle owned by a native object** (``native handle`` edges, from root dumps):
  the handle is a root, but the native that owns it may be freed by a weak callback of a JS
  object the handle's target reaches (``vm.compileFunction``'s ``CompiledFnEntry``: function F's
  weak callback frees entry N, N's handle holds wrapper O, O reaches F through a WeakMap entry).
* **References the dump cannot see** (``refcounted`` roots with K unknown references, Firefox CC
  logs, QuickJS ``external`` roots): if the node's known owners are all inside a cycle with it,
  the unseen references are likely the cycle's own, hidden from the collector.

One pass answers for every pin at once:

1. *collector view*: nodes reached from every non-weak root over retaining edges;
2. *embedder view*: nodes reached from every root **but the pins**, over retaining edges and
   weak callbacks read as ownership (F alive ⇒ the native it frees alive);
3. ``U`` = (1) minus (2): what only pins keep alive. Strongly connected components of ``U``
   (retaining edges, weak callbacks, weak-map halves) decide: a handle pin is a cycle when its
   owner shares a component with the handle's target; a refcounted pin when its node is in a
   non-trivial component that holds all of its known owners.
4. Each cycle is the shortest loop through the pin (breadth-first, inside the component);
   retained sizes come from the dominator tree of ``U`` under a virtual root linked to every
   pin: what only that pin keeps.

Healthy weak-callback entries are not reported: either their JS side is alive through other
roots (so the entry is in the embedder view), or their handle's target does not reach it.

Examples
--------
>>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
>>> from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
>>> b = GraphBuilder()
>>> fn = b.add_node(NodeKind.CLOSURE, "compiled", node_id=3, self_size=32)
>>> wrapper = b.add_node(NodeKind.OBJECT, "CompiledFnEntry", node_id=5, self_size=16)
>>> entry = b.add_node(NodeKind.NATIVE, "entry", node_id=-1, self_size=64)
>>> _ = b.add_edge(fn, entry, EdgeKind.WEAK_CALLBACK, "weak callback")
>>> _ = b.add_edge(entry, wrapper, EdgeKind.NATIVE_HANDLE, "object_")
>>> _ = b.add_edge(wrapper, fn, EdgeKind.PROPERTY, "fn")
>>> _ = b.add_root(entry, RootKind.STRONG_GLOBAL_HANDLE, "entry")
>>> g = b.freeze(SourceInfo("inline", "test", "none"))
>>> [ [g.node_label(m) for m in c.members] for c in find_pinned_cycles(g).cycles]
[['entry', 'CompiledFnEntry', 'compiled']]
>>> find_pinned_cycles(g).cycles[0].retained_size
112
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from leakhunt.analyzers._kernels import root_bfs
from leakhunt.analyzers.external import parse_unknown_references
from leakhunt.graph.core import RetentionGraph

if TYPE_CHECKING:
    import networkx as nx
from leakhunt.graph.kinds import STRONG_EDGE_KINDS, EdgeKind, NodeKind, RootKind, edge_kind_table

__all__ = ["CyclesReport", "PinnedCycle", "find_pinned_cycles"]

HANDLE_PIN = "strong global handle"
UNSEEN_PIN = "unseen references"

HINT_WEAK_CALLBACK = (
    "The native object is freed by a weak callback of a JS object that its own strong handle "
    "keeps alive, so the callback never runs. Make the handle weak and express the reference "
    "inside the heap (a JS property or private symbol on the object that should own it), or key "
    "the embedder's lookup by the script's host-defined options instead of by the function, as "
    "the Node.js vm.compileFunction() fix did."
)
HINT_NATIVE = (
    "A native object holds a strong handle to JS that references the native back; the "
    "collector cannot see the native's side. Make the handle weak, or let the collector trace "
    "it (a traced reference / cppgc member instead of a global handle)."
)
HINT_UNSEEN = (
    "Every known owner of this node is inside a cycle with it, yet it has references the log "
    "cannot see: most likely a member of the cycle holds it without reporting the edge to the "
    "cycle collector (check that class's Traverse/Unlink), or the cycle is held from outside "
    "by a leaked reference."
)


@dataclass(frozen=True, slots=True)
class PinnedCycle:
    """A cycle kept alive only through one pin."""

    pin: str
    """``"strong global handle"`` or ``"unseen references"``."""
    pin_node: int
    """The node the pin holds: the handle's owner, or the node with unseen references."""
    root_row: int
    """Row of the pin in ``graph.roots``."""
    handle_edge: int
    """The ``native handle`` edge that closes the loop, or -1 for unseen-reference pins."""
    unseen_references: int
    """Unknown references of the pinned node (0 for handle pins)."""
    members: tuple[int, ...]
    """Node ordinals around the loop, starting at :attr:`pin_node`."""
    edges: tuple[int, ...]
    """``edges[i]`` leads from ``members[i]`` to ``members[(i + 1) % len(members)]``."""
    weak_callback_edges: tuple[int, ...]
    """The loop's ``weak callback`` hops (the reason the handle's owner should have died)."""
    retained_size: int
    """Bytes of everything kept alive only by this pin (its dominator subtree in ``U``)."""
    retained_count: int
    """Nodes in that subtree."""
    component_size: int
    """Nodes in the strongly connected component holding the loop."""
    hint: str
    """What to change."""


@dataclass(frozen=True, slots=True)
class CyclesReport:
    """Every pinned cycle of a graph, largest retained size first."""

    cycles: tuple[PinnedCycle, ...]
    handle_pins: int
    """Handle owners examined (natives with a strong global handle that are roots)."""
    unseen_pins: int
    """Nodes with unseen references examined."""
    pinned_only: int
    """Nodes alive only through pins (the set ``U``)."""
    pinned_only_size: int
    """Their total self size."""


def _retaining_table(with_weak_callbacks: bool) -> npt.NDArray[np.bool_]:
    kinds = set(STRONG_EDGE_KINDS) | {EdgeKind.EPHEMERON}
    if with_weak_callbacks:
        kinds.add(EdgeKind.WEAK_CALLBACK)
    return edge_kind_table(kinds)


def _pins(graph: RetentionGraph) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Handle pins (owner node → root row) and unseen pins (node → (root row, count))."""
    roots = graph.roots
    targets = graph.edge_target[roots.edge]
    handle_sources = np.zeros(graph.node_count, dtype=np.bool_)
    handle_edges = np.flatnonzero(graph.edge_kind == EdgeKind.NATIVE_HANDLE)
    if handle_edges.size:
        sources = np.searchsorted(graph.node_first_edge, handle_edges, side="right") - 1
        handle_sources[sources] = True
    rows = np.flatnonzero(roots.kind == RootKind.STRONG_GLOBAL_HANDLE)
    nodes = targets[rows]
    owning = handle_sources[nodes] & (graph.node_kind[nodes] == NodeKind.NATIVE)
    owner_nodes, first = np.unique(nodes[owning], return_index=True)
    handle_pins = dict(zip(owner_nodes.tolist(), rows[owning][first].tolist(), strict=True))
    unseen: dict[int, tuple[int, int]] = {}
    for row in np.flatnonzero(roots.kind == RootKind.REFCOUNTED).tolist():
        count = parse_unknown_references(graph.strings[int(roots.label[row])])
        node = int(targets[row])
        if count and (node not in unseen or unseen[node][1] < count):
            unseen[node] = (row, count)
    return handle_pins, unseen


def _reached(
    graph: RetentionGraph, rows: npt.NDArray[np.int64], table: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    eph = graph.ephemerons
    distance, _, _ = root_bfs(
        graph.node_first_edge,
        graph.edge_target,
        graph.edge_kind,
        table,
        graph.roots.edge[rows].astype(np.int64),
        np.zeros(rows.size, dtype=np.int32),
        eph.edge,
        eph.entry,
        eph.from_key,
        eph.entry_halves,
    )
    reached: npt.NDArray[np.bool_] = distance >= 0
    return reached


def find_pinned_cycles(graph: RetentionGraph) -> CyclesReport:
    """Find every cycle kept alive only by a handle or by unseen references (one pass).

    Parameters
    ----------
    graph
        Any graph; handle pins need a root dump (``--overlay`` or a standalone dump), unseen
        pins come from refcounted roots (Firefox CC logs, QuickJS ``external`` roots).

    Returns
    -------
    CyclesReport
        Cycles ordered by retained size (largest first), then by pin node.
    """
    handle_pins, unseen_pins = _pins(graph)
    roots = graph.roots
    weak_root = (roots.kind == RootKind.WEAK_GLOBAL_HANDLE) | (
        graph.edge_kind[roots.edge] == EdgeKind.WEAK
    )
    live_rows = np.flatnonzero(~weak_root).astype(np.int64)
    if not handle_pins and not unseen_pins:
        return CyclesReport((), 0, 0, 0, 0)
    pin_rows = np.zeros(len(roots), dtype=np.bool_)
    pin_rows[list(handle_pins.values())] = True
    pin_rows[[row for row, _ in unseen_pins.values()]] = True
    collector = _reached(graph, live_rows, _retaining_table(False))
    embedder = _reached(
        graph, np.flatnonzero(~weak_root & ~pin_rows).astype(np.int64), _retaining_table(True)
    )
    in_u = collector & ~embedder
    u_nodes = np.flatnonzero(in_u)
    if not u_nodes.size:
        return CyclesReport((), len(handle_pins), len(unseen_pins), 0, 0)
    # The subgraph on U: retaining edges, weak callbacks and weak-map halves between U nodes.
    sources = graph.edge_source()
    keep = in_u[sources] & in_u[graph.edge_target] & _retaining_table(True)[graph.edge_kind]
    sub_edges = np.flatnonzero(keep)
    sub_source = sources[sub_edges].tolist()
    sub_target = graph.edge_target[sub_edges].tolist()
    edge_list = sub_edges.tolist()
    import networkx as nx  # only when there are cycles to find: a gate run without pins skips it

    digraph: nx.DiGraph[int] = nx.DiGraph()
    digraph.add_nodes_from(u_nodes.tolist())
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for s, t, e in zip(sub_source, sub_target, edge_list, strict=True):
        digraph.add_edge(s, t)
        adjacency.setdefault(s, []).append((t, e))
    component_of: dict[int, int] = {}
    component_size: list[int] = []
    for index, component in enumerate(nx.strongly_connected_components(digraph)):
        component_size.append(len(component))
        for node in component:
            component_of[node] = index
    retained = _retained_in_u(
        graph, u_nodes, sub_source, sub_target, edge_list, handle_pins, unseen_pins
    )
    cycles: list[PinnedCycle] = []
    for owner, row in handle_pins.items():
        if not in_u[owner]:
            continue
        for target, edge in adjacency.get(owner, ()):
            if graph.edge_kind[edge] != EdgeKind.NATIVE_HANDLE:
                continue
            if component_of.get(target) != component_of[owner]:
                continue
            loop = _shortest_loop(adjacency, component_of, owner, first_hop=(target, edge))
            if loop is None:
                continue
            cycles.append(
                _cycle(
                    graph,
                    HANDLE_PIN,
                    owner,
                    row,
                    edge,
                    0,
                    loop,
                    retained,
                    component_size[component_of[owner]],
                )
            )
            break
    reverse_owners = _known_owners(graph, sources, list(unseen_pins))
    for node, (row, count) in unseen_pins.items():
        if not in_u[node]:
            continue
        component = component_of[node]
        if component_size[component] < 2 and not digraph.has_edge(node, node):
            continue
        owners = reverse_owners.get(node, [])
        if not owners or any(component_of.get(o) != component for o in owners):
            continue
        loop = _shortest_loop(adjacency, component_of, node, first_hop=None)
        if loop is None:
            continue
        cycles.append(
            _cycle(
                graph, UNSEEN_PIN, node, row, -1, count, loop, retained, component_size[component]
            )
        )
    cycles.sort(key=lambda c: (-c.retained_size, int(graph.node_id[c.pin_node])))
    return CyclesReport(
        tuple(cycles),
        len(handle_pins),
        len(unseen_pins),
        int(u_nodes.size),
        int(graph.node_self_size[u_nodes].sum()),
    )


def _known_owners(
    graph: RetentionGraph, sources: npt.NDArray[np.int32], nodes: list[int]
) -> dict[int, list[int]]:
    """Sources of the non-root, non-weak-map edges into each of ``nodes``."""
    if not nodes:
        return {}
    wanted = np.zeros(graph.node_count, dtype=np.bool_)
    wanted[nodes] = True
    root_edges = np.zeros(graph.edge_count, dtype=np.bool_)
    root_edges[graph.roots.edge] = True
    strong = _retaining_table(False)
    strong[EdgeKind.EPHEMERON] = False
    hits = np.flatnonzero(wanted[graph.edge_target] & ~root_edges & strong[graph.edge_kind])
    owners: dict[int, list[int]] = {}
    for edge in hits.tolist():
        owners.setdefault(int(graph.edge_target[edge]), []).append(int(sources[edge]))
    return owners


def _shortest_loop(
    adjacency: dict[int, list[tuple[int, int]]],
    component_of: dict[int, int],
    start: int,
    first_hop: tuple[int, int] | None,
) -> tuple[list[int], list[int]] | None:
    """Nodes and edges of a shortest loop through ``start`` (through ``first_hop`` if given),
    staying inside ``start``'s component."""
    component = component_of[start]
    parent: dict[int, tuple[int, int]] = {}
    queue: deque[int] = deque()
    if first_hop is not None:
        node, edge = first_hop
        if node == start:
            return [start], [edge]
        parent[node] = (start, edge)
        queue.append(node)
    else:
        for node, edge in adjacency.get(start, ()):
            if component_of.get(node) != component:
                continue
            if node == start:
                return [start], [edge]
            if node not in parent:
                parent[node] = (start, edge)
                queue.append(node)
    closing: tuple[int, int] | None = None
    while queue and closing is None:
        node = queue.popleft()
        for nxt, edge in adjacency.get(node, ()):
            if nxt == start:
                closing = (node, edge)
                break
            if nxt not in parent and component_of.get(nxt) == component:
                parent[nxt] = (node, edge)
                queue.append(nxt)
    if closing is None:
        return None
    nodes: list[int] = []
    edges: list[int] = [closing[1]]
    node = closing[0]
    while node != start:
        nodes.append(node)
        previous, edge = parent[node]
        edges.append(edge)
        node = previous
    nodes.append(start)
    nodes.reverse()
    edges.reverse()
    return nodes, edges


def _retained_in_u(
    graph: RetentionGraph,
    u_nodes: npt.NDArray[np.int64],
    sub_source: list[int],
    sub_target: list[int],
    sub_edges: list[int],
    handle_pins: dict[int, int],
    unseen_pins: dict[int, tuple[int, int]],
) -> dict[int, tuple[int, int]]:
    """(bytes, count) each pin alone keeps: its dominator subtree in U in the collector's view
    (weak callbacks are not retaining there)."""
    import networkx as nx

    virtual = -1
    view: nx.DiGraph[int] = nx.DiGraph()
    view.add_node(virtual)
    in_u = set(u_nodes.tolist())
    pins = [p for p in (*handle_pins, *unseen_pins) if p in in_u]
    for pin in pins:
        view.add_edge(virtual, pin)
    for s, t, e in zip(sub_source, sub_target, sub_edges, strict=True):
        if graph.edge_kind[e] != EdgeKind.WEAK_CALLBACK:
            view.add_edge(s, t)
    idom = nx.immediate_dominators(view, virtual)
    children: dict[int, list[int]] = {}
    for node, dominator in idom.items():
        if node != dominator:
            children.setdefault(dominator, []).append(node)
    result: dict[int, tuple[int, int]] = {}
    for pin in pins:
        size = count = 0
        stack = [pin]
        while stack:
            node = stack.pop()
            size += int(graph.node_self_size[node])
            count += 1
            stack.extend(children.get(node, ()))
        result[pin] = (size, count)
    return result


def _cycle(
    graph: RetentionGraph,
    pin: str,
    node: int,
    row: int,
    handle_edge: int,
    unseen: int,
    loop: tuple[list[int], list[int]],
    retained: dict[int, tuple[int, int]],
    component_size: int,
) -> PinnedCycle:
    members, edges = loop
    weak_callbacks = tuple(e for e in edges if graph.edge_kind[e] == EdgeKind.WEAK_CALLBACK)
    if pin == UNSEEN_PIN:
        hint = HINT_UNSEEN
    else:
        hint = HINT_WEAK_CALLBACK if weak_callbacks else HINT_NATIVE
    size, count = retained.get(node, (0, 0))
    return PinnedCycle(
        pin=pin,
        pin_node=node,
        root_row=row,
        handle_edge=handle_edge,
        unseen_references=unseen,
        members=tuple(members),
        edges=tuple(edges),
        weak_callback_edges=weak_callbacks,
        retained_size=size,
        retained_count=count,
        component_size=component_size,
        hint=hint,
    )
