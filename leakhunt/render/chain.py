"""Diagrams from plain hop lists: a chain from a root (path, trace) or a ring (cycle).

These builders need no graph: a hop carries the class, name, id, size and the edge that
leads into it, so they draw analysis results straight from their JSON documents (a diff
cluster's trace, a zombie's path, a cycle's hops) as well as from graph paths.

Examples
--------
>>> hops = [Hop("global", "", "@1", 900), Hop("Cache", "", "@3", 800, "cache", "property"),
...         Hop("Item", "", "@5", 16, "7", "element")]
>>> d = chain_diagram("path", "trace", "user", "global", hops)
>>> [(n.title, n.role.value) for n in d.nodes]
[('user root', 'root'), ('global', 'object'), ('Cache', 'object'), ('Item', 'target')]
>>> [e.label for e in d.edges]
['', 'cache', '7']
>>> edge_kind_from_words("native_handle"), edge_kind_from_words("no such kind")
(<EdgeKind.NATIVE_HANDLE: 9>, None)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from leakhunt.graph.kinds import EdgeKind
from leakhunt.render.diagram import Cluster, Diagram, DiagramEdge, DiagramNode, EdgeRole, NodeRole
from leakhunt.render.diagram_nodes import Elision, edge_role, elided_node, visible_runs

__all__ = ["Hop", "RingRoot", "chain_diagram", "edge_kind_from_words", "ring_diagram"]


class Hop(NamedTuple):
    """One object of a chain or ring, with the reference that leads into it."""

    class_name: str
    """Class (heap text)."""
    name: str
    """Name (heap text); shown when it differs from the class."""
    ident: str
    """``@id`` or ``0xADDR``."""
    retained_size: int | None = None
    """Size shown in the box (retained size, or a diff's growth)."""
    edge_name: str = ""
    """Name of the reference into this object from the previous one."""
    edge_kind: str = ""
    """Its kind in words (``property``, ``weak callback``; ``native_handle`` is accepted)."""
    native: bool = False
    """Whether the object belongs to the embedder (drawn as a 3-D box)."""
    context: str | None = None
    """Name of the engine context it belongs to, if known (drawn as a frame)."""


class RingRoot(NamedTuple):
    """A root holding one member of a ring."""

    kind: str
    """Root kind in words."""
    label: str
    """Root label (heap text)."""
    member: int
    """Index into the ring's hops."""


def edge_kind_from_words(words: str) -> EdgeKind | None:
    """The :class:`EdgeKind` named by ``words`` (spaces or underscores), or None."""
    try:
        return EdgeKind[words.strip().upper().replace(" ", "_")]
    except KeyError:
        return None


def _edge(source: str, target: str, hop: Hop, role: EdgeRole | None = None) -> DiagramEdge:
    kind = edge_kind_from_words(hop.edge_kind)
    words = hop.edge_kind.replace("_", " ")
    chosen = role or (edge_role(kind) if kind is not None else EdgeRole.REFERENCE)
    return DiagramEdge(source, target, hop.edge_name, words, chosen)


def _box(hop: Hop, key: str, *, target: bool, cluster: str | None) -> DiagramNode:
    role = NodeRole.TARGET if target else NodeRole.NATIVE if hop.native else NodeRole.OBJECT
    subtitle = "" if hop.name == hop.class_name else hop.name
    return DiagramNode(
        key, hop.class_name, subtitle, hop.ident, hop.retained_size, role, None, cluster
    )


def chain_diagram(
    kind: str,
    title: str,
    root_kind: str,
    root_label: str,
    hops: Sequence[Hop],
    *,
    crossing: int | None = None,
    highlighted_contexts: Collection[str] = (),
    pinned: Collection[int] = (),
    max_chain: int = 8,
) -> Diagram:
    """A chain from one root: root box on top, long runs collapsed, contexts framed.

    ``crossing`` is the index of the hop whose incoming reference crosses into a dead
    context (highlighted); ``highlighted_contexts`` are drawn as the finding; ``pinned``
    hops are never collapsed (the first and last never are).
    """
    if crossing is not None and not 0 < crossing < len(hops):
        raise ValueError(f"crossing {crossing} is not a hop after the first of {len(hops)}")
    contexts = list(dict.fromkeys(h.context for h in hops if h.context is not None))
    contexts = list(dict.fromkeys([*contexts, *highlighted_contexts]))
    cluster_of = {name: f"cluster_{index}" for index, name in enumerate(contexts)}
    keep = {0, len(hops) - 1, *pinned}
    if crossing is not None:
        keep |= {crossing - 1, crossing}
    nodes = [DiagramNode("r0", f"{root_kind} root", root_label, "", None, NodeRole.ROOT)]
    edges: list[DiagramEdge] = []
    previous, after_elision, collapsed = "r0", False, 0
    for item in visible_runs(len(hops), keep, max_run=max_chain):
        if isinstance(item, Elision):
            key = f"e{len(nodes)}"
            nodes.append(elided_node(key, item.hidden))
            edges.append(DiagramEdge(previous, key, "", "", EdgeRole.ELIDED))
            previous, after_elision, collapsed = key, True, collapsed + item.hidden
            continue
        hop = hops[item]
        key = f"n{item}"
        cluster = cluster_of.get(hop.context) if hop.context is not None else None
        nodes.append(_box(hop, key, target=item == len(hops) - 1, cluster=cluster))
        if item == 0:
            edges.append(DiagramEdge(previous, key, "", "root", EdgeRole.REFERENCE))
        else:
            role = EdgeRole.ELIDED if after_elision else None
            role = EdgeRole.CROSSING if item == crossing else role
            edges.append(_edge(previous, key, hop, role))
        previous, after_elision = key, False
    highlighted = set(highlighted_contexts)
    clusters = tuple(
        Cluster(
            cluster_of[name], f"zombie {name}" if name in highlighted else name, name in highlighted
        )
        for name in contexts
        if any(n.cluster == cluster_of[name] for n in nodes)
    )
    notes = (f"{collapsed:,} hop(s) collapsed",) if collapsed else ()
    return Diagram(kind, title, tuple(nodes), tuple(edges), clusters, notes)


def ring_diagram(
    title: str,
    hops: Sequence[Hop],
    *,
    roots: Sequence[RingRoot] = (),
    max_nodes: int = 60,
) -> Diagram:
    """A cycle: ``hops[i]``'s reference leads into it from ``hops[i - 1]`` (from the last for 0).

    Strong handles bold, weak callbacks dashed with a diamond end, native objects apart.
    Members beyond ``max_nodes`` fold into one "+N more" box.
    """
    shown = min(len(hops), max_nodes)
    nodes = [
        DiagramNode(f"r{index}", f"{root.kind} root", root.label, "", None, NodeRole.ROOT)
        for index, root in enumerate(roots)
        if root.member < shown
    ]
    nodes += [
        _box(hop, f"m{index}", target=False, cluster=None) for index, hop in enumerate(hops[:shown])
    ]
    edges = [
        DiagramEdge(f"r{index}", f"m{root.member}", "", "root", EdgeRole.REFERENCE)
        for index, root in enumerate(roots)
        if root.member < shown
    ]
    for index in range(shown):
        source = (index - 1) % len(hops)
        if source < shown and (index > 0 or len(hops) > 1):
            edges.append(_edge(f"m{source}", f"m{index}", hops[index]))
    if shown < len(hops):
        hidden = len(hops) - shown
        nodes.append(DiagramNode("more", f"+{hidden:,} more", "members", "", None, NodeRole.MORE))
    return Diagram("cycle", title, tuple(nodes), tuple(edges))
