"""Engine-neutral vocabularies of the retention graph: node, edge and root kinds.

Importers translate their engine's words into these; analyzers speak only these.
Values are stable (they are stored in caches and JSON output by name).

Examples
--------
>>> EdgeKind.WEAK.is_strong
False
>>> EdgeKind.PROPERTY.is_strong
True
>>> RootKind.STACK.is_transient
True
>>> RootKind.SCOPED.lifetime_known, RootKind.EMBEDDER.lifetime_known
(False, True)
>>> RootKind.from_label("strong global handle")
<RootKind.STRONG_GLOBAL_HANDLE: 4>
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt

__all__ = ["STRONG_EDGE_KINDS", "EdgeKind", "NodeKind", "RootKind", "edge_kind_table"]


class NodeKind(IntEnum):
    """What a node is, independent of the engine that reported it."""

    HIDDEN = 0
    """Engine-internal object with no JavaScript meaning (V8 ``hidden``)."""
    ARRAY = 1
    """Internal backing store: property/element arrays, hash tables."""
    STRING = 2
    """A flat string; its name is (a possibly truncated prefix of) its value."""
    OBJECT = 3
    """A JavaScript object."""
    CODE = 4
    """Compiled code, bytecode, scripts, scope and function metadata."""
    CLOSURE = 5
    """A JavaScript function object."""
    REGEXP = 6
    """A regular-expression object."""
    NUMBER = 7
    """A boxed heap number."""
    NATIVE = 8
    """An object owned by the embedder (C++/DOM/GObject side)."""
    SYNTHETIC = 9
    """A node that exists only to structure the graph: the super root, root categories."""
    ROPE_STRING = 10
    """A string made of two halves (V8 ``concatenated string``, SpiderMonkey rope)."""
    SLICED_STRING = 11
    """A string that views part of another string (V8 sliced, SpiderMonkey dependent)."""
    SYMBOL = 12
    """A symbol."""
    BIGINT = 13
    """A BigInt."""
    SHAPE = 14
    """Hidden class / shape / descriptor metadata."""
    WASM_OBJECT = 15
    """A WebAssembly GC object."""
    SCOPE = 16
    """A lexical scope record (SpiderMonkey ``scope``)."""
    PLACEHOLDER = 17
    """A node referenced by the dump but never described in it (unlisted target)."""
    OTHER = 18
    """A kind the importer could not place."""


class EdgeKind(IntEnum):
    """How one node refers to another."""

    CONTEXT_VARIABLE = 0
    """A named variable of a function/declaration scope (V8 ``context``)."""
    ELEMENT = 1
    """An indexed element; the edge name is the index."""
    PROPERTY = 2
    """A named JavaScript property."""
    INTERNAL = 3
    """A named engine field (``map``, ``shape``, ``table``)."""
    HIDDEN = 4
    """An unnamed engine slot; the edge name is the slot index."""
    SHORTCUT = 5
    """A convenience edge added by the engine that duplicates a real path."""
    WEAK = 6
    """A reference that does not keep its target alive."""
    EPHEMERON = 7
    """One half of a weak-map entry: the value is alive iff the map and the key are."""
    WEAK_CALLBACK = 8
    """A weak handle whose callback owns native state (embedder dumps)."""
    NATIVE_HANDLE = 9
    """A strong handle owned by a native object (embedder dumps)."""
    HOST_OPTIONS = 10
    """Host-defined options attached to a script or module (embedder dumps)."""

    @property
    def is_strong(self) -> bool:
        """Whether the edge alone keeps its target alive."""
        return self in STRONG_EDGE_KINDS

    @property
    def is_indexed(self) -> bool:
        """Whether the edge name is an integer index rather than a string."""
        return self in (EdgeKind.ELEMENT, EdgeKind.HIDDEN)

    @property
    def label(self) -> str:
        """Human name, as used in reports and JSON.

        >>> EdgeKind.WEAK_CALLBACK.label
        'weak callback'
        """
        return self.name.lower().replace("_", " ")


STRONG_EDGE_KINDS = frozenset(
    {
        EdgeKind.CONTEXT_VARIABLE,
        EdgeKind.ELEMENT,
        EdgeKind.PROPERTY,
        EdgeKind.INTERNAL,
        EdgeKind.HIDDEN,
        EdgeKind.SHORTCUT,
        EdgeKind.NATIVE_HANDLE,
        EdgeKind.HOST_OPTIONS,
    }
)
"""Edge kinds that retain their target on their own."""


class RootKind(IntEnum):
    """Why the collector treats a root edge as live. Lower values are preferred in paths."""

    USER = 0
    """A user root: the global object of a page or script."""
    EMBEDDER = 1
    """Held by the embedder (Node environment, C++ roots, traced handles, GJS globals)."""
    ETERNAL_HANDLE = 2
    """An eternal handle: lives as long as the isolate."""
    REFCOUNTED = 3
    """A refcounted object with references from outside the graph (CC logs)."""
    STRONG_GLOBAL_HANDLE = 4
    """A strong persistent handle (V8 ``Global``, SpiderMonkey ``PersistentRooted``)."""
    MARKED = 5
    """A GC thing the collector already marked live (CC logs: ``[gc.marked]``)."""
    ENGINE = 6
    """Engine roots: builtins, caches, internalized strings, runtime vectors."""
    STACK = 7
    """A reference from a stack frame (transient)."""
    HANDLE_SCOPE = 8
    """A local handle in an open handle scope (transient)."""
    WEAK_GLOBAL_HANDLE = 9
    """A weak persistent handle; does not keep its target alive."""
    SCOPED = 10
    """A scoped root (SpiderMonkey ``JS::Rooted``, named ``exact-*``): alive as long as the C++
    scope that declared it, which the dump does not tell (an embedder's ``main`` may hold one
    for the whole program)."""

    @property
    def is_transient(self) -> bool:
        """Whether the root lives only while some code runs (stack, handle scopes)."""
        return self in (RootKind.STACK, RootKind.HANDLE_SCOPE)

    @property
    def lifetime_known(self) -> bool:
        """Whether the dump tells how long the root lives.

        Stack frames, handle scopes and scoped roots live while the code holding them runs,
        which may be a moment or the whole program: a target held only by them is neither
        proven leaked nor proven temporary.
        """
        return self not in (RootKind.STACK, RootKind.HANDLE_SCOPE, RootKind.SCOPED)

    @property
    def label(self) -> str:
        """Human name, as used in reports and JSON (``"strong global handle"``)."""
        return self.name.lower().replace("_", " ")

    @classmethod
    def from_label(cls, label: str) -> RootKind:
        """Inverse of :attr:`label`."""
        return cls[label.upper().replace(" ", "_")]


def edge_kind_table(kinds: frozenset[EdgeKind] | set[EdgeKind]) -> npt.NDArray[np.bool_]:
    """Boolean lookup table indexed by edge-kind value, true for ``kinds``.

    >>> table = edge_kind_table({EdgeKind.WEAK})
    >>> bool(table[EdgeKind.WEAK]), bool(table[EdgeKind.PROPERTY])
    (True, False)
    """
    table = np.zeros(max(EdgeKind) + 1, dtype=np.bool_)
    for kind in kinds:
        table[kind] = True
    return table
