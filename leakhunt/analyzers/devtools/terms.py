"""Names and edge classes Chrome DevTools' heap model tests for, shared by its analyzers.

DevTools recognises a handful of V8 nodes and edges by their exact names (its heap-snapshot
worker compares strings). The analyzers that reproduce its numbers keep those names here, and
the one rule that decides which edge kinds count as weak.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, edge_kind_table

__all__ = [
    "DOCUMENT_DOM_TREES",
    "EXTERNAL_STRING_DATA",
    "MAP_DESCRIPTORS",
    "NATIVE_CONTEXT",
    "SLOPPY_FUNCTION_MAP",
    "nodes_named",
    "string_indices",
    "weak_kinds",
]

DOCUMENT_DOM_TREES = "(Document DOM trees)"
"""Blink's synthetic container of DOM trees: a user root although synthetic."""
NATIVE_CONTEXT = "system / NativeContext"
"""V8's native context (exact name; Chromium's ``… / <url>`` variant never matches)."""
SLOPPY_FUNCTION_MAP = "sloppy_function_map"
"""The NativeContext slot DevTools' distance BFS never follows."""
MAP_DESCRIPTORS = "(map descriptors)"
"""Legacy V8 descriptor arrays, whose key/type/value slots DevTools' BFS partly skips."""
EXTERNAL_STRING_DATA = "system / ExternalStringData"
"""Native backing store of external strings: unowned at the start of ownership."""


def weak_kinds() -> npt.NDArray[np.bool_]:
    """Edge kinds DevTools treats as ``weak``: never followed, never essential.

    >>> table = weak_kinds()
    >>> bool(table[EdgeKind.WEAK]), bool(table[EdgeKind.EPHEMERON])
    (True, False)
    """
    return edge_kind_table({EdgeKind.WEAK, EdgeKind.WEAK_CALLBACK})


def string_indices(
    graph: RetentionGraph, texts: Iterable[str]
) -> dict[str, npt.NDArray[np.uint32]]:
    """Every index of ``graph.strings`` holding each of ``texts`` (tables may repeat strings).

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> g = GraphBuilder().freeze(SourceInfo("inline", "test", "none"))
    >>> string_indices(g, ["(root)", "absent"])["(root)"].tolist()
    [1]
    """
    strings = graph.strings
    found: dict[str, npt.NDArray[np.uint32]] = {}
    for text in texts:
        hits: list[int] = []
        start = 0
        while True:
            try:  # tuple.index scans in C: far faster than a Python loop over the table
                start = strings.index(text, start)
            except ValueError:
                break
            hits.append(start)
            start += 1
        found[text] = np.array(hits, dtype=np.uint32)
    return found


def nodes_named(graph: RetentionGraph, indices: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """Per node: whether its name is one of the string ``indices``.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> g = GraphBuilder().freeze(SourceInfo("inline", "test", "none"))
    >>> nodes_named(g, string_indices(g, ["(root)"])["(root)"]).tolist()
    [True]
    """
    if indices.size == 0:
        return np.zeros(graph.node_count, dtype=np.bool_)
    named: npt.NDArray[np.bool_]
    if indices.size == 1:
        named = graph.node_name == indices[0]
    else:
        named = np.isin(graph.node_name, indices)
    return named
