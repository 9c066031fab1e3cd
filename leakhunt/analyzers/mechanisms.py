"""Naming the mechanism that holds a context, from the retaining path around its crossing edge.

The crossing edge is the last edge of the path that enters the context from outside. The
words come from what is recognisable on the path up to that edge, strongest first:

1. a cross-context wrapper (the context table lists the edge as a wrapper edge);
2. a timer (a ``Timeout``/``Immediate``/``DOMTimer``-like holder, or ``_onTimeout``);
3. an event listener (``_events`` of an emitter, or a holder or edge named like a listener);
4. an entry of a ``Map``/``Set``-like collection (one on the path just before the crossing);
5. an element of an array;
6. a closure capturing the context's global or window (a closure variable into a front door);
7. a function created inside the context held from outside;
8. otherwise, a plain reference.

These are names the dumps of V8 and SpiderMonkey share with the programs that made them
(constructor and property names); none is a verdict, only a description.

Examples
--------
>>> Mechanism.TIMER.value
'timer'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

import numpy as np

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

__all__ = ["Mechanism", "recognise_mechanism", "recognise_root_mechanism"]


class Mechanism(StrEnum):
    """What keeps a context alive, in words."""

    WRAPPER = "cross-compartment wrapper"
    TIMER = "timer"
    LISTENER = "event listener"
    COLLECTION_ENTRY = "collection entry"
    ARRAY_ELEMENT = "array element"
    CLOSURE_CAPTURING_GLOBAL = "closure capturing the global"
    FUNCTION_FROM_CONTEXT = "function created in the context"
    REFERENCE = "reference"


_TIMER_CLASSES = frozenset(
    {"Timeout", "Immediate", "TimersList", "DOMTimer", "ScheduledAction", "TimerHandle"}
)
_TIMER_EDGES = frozenset({"_onTimeout", "_onImmediate", "_timerArgs"})
_LISTENER = re.compile(r"listener|eventhandler|event_handler|^_events$|^on[a-z]+$", re.IGNORECASE)
_CALLBACK_ROOT = re.compile(r"listener|callback|handler", re.IGNORECASE)
_COLLECTIONS = frozenset({"Map", "Set", "WeakMap", "WeakSet"})
_ARRAYS = frozenset({"Array"})
_LOOKBACK = 4


def _class(graph: RetentionGraph, node: int) -> str:
    return graph.strings[int(graph.node_class[node])]


def _class_word(graph: RetentionGraph, node: int) -> str:
    """The class's first word: SpiderMonkey descriptions append slots (``Map 0:Private(…)``)."""
    return _class(graph, node).split(" ", 1)[0]


def _edge_name(graph: RetentionGraph, edge: int) -> str:
    return graph.edge_name_text(edge)


def recognise_mechanism(
    graph: RetentionGraph,
    nodes: Sequence[int],
    edges: Sequence[int],
    crossing: int,
    front_doors: frozenset[int],
) -> tuple[Mechanism, int]:
    """The mechanism holding ``nodes[-1]``'s context, and the path index of its key holder.

    ``edges[crossing]`` is the crossing edge (from ``nodes[crossing]`` into the context);
    ``front_doors`` the context's front-door nodes. The returned index names the node the
    description should show (the timer, the emitter, the map, the crossing edge's source).
    """
    holder = crossing
    edge = edges[crossing]
    wrappers = graph.contexts.wrapper_edges
    if wrappers is not None and np.isin(edge, wrappers):
        return Mechanism.WRAPPER, holder
    window = range(crossing, max(0, crossing - _LOOKBACK) - 1, -1)  # nearest holder first
    for index in window:
        if _class_word(graph, nodes[index]) in _TIMER_CLASSES or _edge_name(
            graph, edges[index]
        ) in (_TIMER_EDGES):
            return Mechanism.TIMER, index
    for index in window:
        names = (_edge_name(graph, edges[index]), _class(graph, nodes[index]))
        if any(_LISTENER.search(name) for name in names if name):
            return Mechanism.LISTENER, index
    for index in window:
        if _class_word(graph, nodes[index]) in _COLLECTIONS:
            return Mechanism.COLLECTION_ENTRY, index
    source_class = _class_word(graph, nodes[crossing])
    previous = _class_word(graph, nodes[crossing - 1]) if crossing > 0 else ""
    if source_class in _ARRAYS or (
        int(graph.node_kind[nodes[crossing]]) == NodeKind.ARRAY and previous in _ARRAYS
    ):
        return Mechanism.ARRAY_ELEMENT, crossing if source_class in _ARRAYS else crossing - 1
    target = nodes[crossing + 1]
    if int(graph.edge_kind[edge]) == EdgeKind.CONTEXT_VARIABLE and target in front_doors:
        return Mechanism.CLOSURE_CAPTURING_GLOBAL, holder
    if int(graph.node_kind[target]) == NodeKind.CLOSURE:
        return Mechanism.FUNCTION_FROM_CONTEXT, holder
    return Mechanism.REFERENCE, holder


def recognise_root_mechanism(graph: RetentionGraph, root_label: str, target: int) -> Mechanism:
    """The mechanism when a root points straight into the context (no crossing edge).

    An embedder root named like a callback or listener (Gecko's ``mCallback`` of an event
    listener) is a listener; any other root at a function made inside the context is that
    function; anything else a plain reference.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> b = GraphBuilder()
    >>> f = b.add_node(NodeKind.CLOSURE, "onPing", node_id=1)
    >>> g = b.freeze(SourceInfo("inline", "test", "none"))
    >>> recognise_root_mechanism(g, "mCallback, holder 0x7f", f).value
    'event listener'
    """
    if _CALLBACK_ROOT.search(root_label):
        return Mechanism.LISTENER
    if int(graph.node_kind[target]) == NodeKind.CLOSURE:
        return Mechanism.FUNCTION_FROM_CONTEXT
    return Mechanism.REFERENCE
