"""Root-dump words in graph terms: edge kinds, root kinds, node kinds, labels.

Examples
--------
>>> bool(EDGE_KIND_OF[EDGE_KINDS.index("weak_callback")] == EdgeKind.WEAK_CALLBACK)
True
>>> root_label("external", "JS_NewObject", 2)
'2 unknown references, JS_NewObject'
"""

from __future__ import annotations

import numpy as np

from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers.rootdump.schema import EDGE_KINDS

__all__ = [
    "EDGE_CODE",
    "EDGE_KINDS",
    "EDGE_KIND_OF",
    "HANDLES_CATEGORY",
    "ROOTS_CATEGORY",
    "ROOT_KIND_OF",
    "node_kind_of",
    "root_label",
]

EDGE_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
"""Dump edge-kind word to its code (the reader's column values)."""

_EDGE_KIND_BY_WORD = {
    "strong": EdgeKind.INTERNAL,
    "weak": EdgeKind.WEAK,
    "strong_global_handle": EdgeKind.NATIVE_HANDLE,
    "weak_global_handle": EdgeKind.WEAK,
    "weak_callback": EdgeKind.WEAK_CALLBACK,
    "host_options": EdgeKind.HOST_OPTIONS,
    "ephemeron": EdgeKind.EPHEMERON,
    "property": EdgeKind.PROPERTY,
    "element": EdgeKind.ELEMENT,
    "context_variable": EdgeKind.CONTEXT_VARIABLE,
    "internal": EdgeKind.INTERNAL,
}
EDGE_KIND_OF = np.array([int(_EDGE_KIND_BY_WORD[word]) for word in EDGE_KINDS], dtype=np.uint8)
"""Graph :class:`EdgeKind` value by dump edge-kind code."""

ROOT_KIND_OF = {
    "user": RootKind.USER,
    "embedder": RootKind.EMBEDDER,
    "strong_global_handle": RootKind.STRONG_GLOBAL_HANDLE,
    "engine": RootKind.ENGINE,
    "stack": RootKind.STACK,
    "external": RootKind.REFCOUNTED,
}
"""Graph :class:`RootKind` of each dump root kind."""

HANDLES_CATEGORY = "(Embedder handles)"
"""Synthetic node whose edges root the owners of strong global handles."""
ROOTS_CATEGORY = "(Embedder roots)"
"""Synthetic node whose edges carry the dump's own ``roots``."""

_DEFAULT_EDGE_NAMES = {
    "strong_global_handle": "strong global handle",
    "weak_global_handle": "weak global handle",
    "weak_callback": "weak callback",
    "host_options": "host-defined options",
    "ephemeron": "weak-map entry",
}


def node_kind_of(word: str) -> NodeKind:
    """Graph node kind of a standalone node's ``kind`` word.

    >>> node_kind_of("closure")
    <NodeKind.CLOSURE: 5>
    """
    return NodeKind[word.upper()]


def edge_name(word: str, name: str | int | None) -> str | int:
    """The name an edge gets in the graph: its own, or one saying what it is.

    Indexed kinds keep integer names; other kinds turn integers into text.

    >>> edge_name("weak_callback", None), edge_name("element", 3), edge_name("property", 3)
    ('weak callback', 3, '3')
    """
    if word == "element":
        return name if isinstance(name, int) else 0
    if name is None:
        return _DEFAULT_EDGE_NAMES.get(word, "")
    return str(name)


def root_label(kind: str, name: str, unseen: int) -> str:
    """Root label: external roots carry their count the way refcounted roots do."""
    if kind == "external":
        count = f"{unseen} unknown reference{'s' if unseen != 1 else ''}"
        return f"{count}, {name}" if name else count
    return name or f"({kind.replace('_', ' ')})"
