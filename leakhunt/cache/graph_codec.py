"""RetentionGraph ⇄ cache section (arrays + JSON attributes).

Examples
--------
>>> from leakhunt.graph import GraphBuilder, NodeKind, EdgeKind, RootKind, SourceInfo
>>> b = GraphBuilder()
>>> a = b.add_node(NodeKind.OBJECT, "Ünïcode \\ud800", node_id=3)
>>> _ = b.add_root(a, RootKind.USER, "global")
>>> g = b.freeze(SourceInfo("x", "test", "none", (("dump", "1 of 2"),)))
>>> arrays, attrs = encode_graph(g)
>>> back = decode_graph(arrays, attrs)
>>> back.strings == g.strings, back.source == g.source, back.node_count
(True, True, 2)
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.graph.code import CapturedUseTable, CodeLocationTable
from leakhunt.graph.core import ContextTable, EphemeronTable, RetentionGraph, RootTable, SourceInfo

__all__ = ["decode_graph", "decode_strings", "encode_graph", "encode_strings"]

_COLUMNS = (
    "node_type",
    "node_kind",
    "node_name",
    "node_class",
    "node_id",
    "node_self_size",
    "node_context",
    "node_detachedness",
    "node_first_edge",
    "edge_target",
    "edge_kind",
    "edge_name",
)


def encode_strings(strings: tuple[str, ...], prefix: str) -> dict[str, npt.NDArray[Any]]:
    """One UTF-8 blob plus character offsets (lone surrogates survive).

    When no string contains a NUL character (the usual case), the blob is NUL-separated
    instead, and decoding is one ``str.split`` rather than a slice per string.
    """
    if "\x00" not in "".join(strings):
        blob = "\x00".join(strings).encode("utf-8", "surrogatepass")
        return {
            f"{prefix}_joined": np.frombuffer(blob, dtype=np.uint8),
            f"{prefix}_count": np.array([len(strings)], dtype=np.int64),
        }
    lengths = np.fromiter((len(s) for s in strings), dtype=np.int64, count=len(strings))
    offsets = np.zeros(len(strings) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    blob = "".join(strings).encode("utf-8", "surrogatepass")
    return {f"{prefix}_blob": np.frombuffer(blob, dtype=np.uint8), f"{prefix}_offsets": offsets}


def decode_strings(arrays: dict[str, npt.NDArray[Any]], prefix: str) -> tuple[str, ...]:
    """Inverse of :func:`encode_strings`."""
    if f"{prefix}_joined" in arrays:
        count = int(np.asarray(arrays[f"{prefix}_count"])[0])
        if count == 0:
            return ()
        joined = np.asarray(arrays[f"{prefix}_joined"]).tobytes().decode("utf-8", "surrogatepass")
        return tuple(joined.split("\x00"))
    text = np.asarray(arrays[f"{prefix}_blob"]).tobytes().decode("utf-8", "surrogatepass")
    offsets = np.asarray(arrays[f"{prefix}_offsets"]).tolist()
    return tuple(text[a:b] for a, b in itertools.pairwise(offsets))


_OPTIONAL_CONTEXT_ARRAYS = {
    "memory_limit": "context_memory_limit",
    "memory_used": "context_memory_used",
    "front_door": "context_front_door",
    "weak_holder_edges": "context_weak_holder_edges",
    "wrapper_edges": "context_wrapper_edges",
}
"""Optional :class:`ContextTable` columns and their array names (stored only when present)."""


def _optional_context_arrays(contexts: ContextTable) -> dict[str, npt.NDArray[Any]]:
    stored: dict[str, npt.NDArray[Any]] = {}
    for field, key in _OPTIONAL_CONTEXT_ARRAYS.items():
        column = getattr(contexts, field)
        if column is not None:
            stored[key] = column
    return stored


def encode_graph(graph: RetentionGraph) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """Arrays and attributes that :func:`decode_graph` turns back into ``graph``."""
    arrays: dict[str, npt.NDArray[Any]] = {name: getattr(graph, name) for name in _COLUMNS}
    arrays.update(encode_strings(graph.strings, "strings"))
    arrays.update(
        root_edge=graph.roots.edge,
        root_kind=graph.roots.kind,
        root_label=graph.roots.label,
        eph_edge=graph.ephemerons.edge,
        eph_entry=graph.ephemerons.entry,
        eph_from_key=graph.ephemerons.from_key,
        eph_entry_halves=graph.ephemerons.entry_halves,
        context_node=graph.contexts.node,
        context_global=graph.contexts.global_node,
        location_node=graph.code_locations.node,
        location_script=graph.code_locations.script,
        location_line=graph.code_locations.line,
        location_column=graph.code_locations.column,
        use_function=graph.captured_uses.function,
        use_context=graph.captured_uses.context,
        use_name=graph.captured_uses.name,
        use_covered=graph.captured_uses.covered,
        use_contexts=graph.captured_uses.contexts,
    )
    arrays.update(_optional_context_arrays(graph.contexts))
    attrs = {
        "type_names": list(graph.type_names),
        "context_name": list(graph.contexts.name),
        "context_kind": list(graph.contexts.kind),
        "context_role": list(graph.contexts.role),
        "context_state": list(graph.contexts.state),
        "context_state_note": list(graph.contexts.state_note),
        "source": {
            "path": graph.source.path,
            "format": graph.source.format,
            "engine": graph.source.engine,
            "details": [list(pair) for pair in graph.source.details],
        },
        "problems": list(graph.problems),
        "uses_known": graph.captured_uses.known,
    }
    return arrays, attrs


def decode_graph(arrays: dict[str, npt.NDArray[Any]], attrs: dict[str, Any]) -> RetentionGraph:
    """Rebuild the graph stored by :func:`encode_graph` (arrays may be memory-mapped)."""
    source = attrs["source"]
    columns = {name: arrays[name] for name in _COLUMNS}
    return RetentionGraph(
        strings=decode_strings(arrays, "strings"),
        type_names=tuple(attrs["type_names"]),
        roots=RootTable(arrays["root_edge"], arrays["root_kind"], arrays["root_label"]),
        ephemerons=EphemeronTable(
            arrays["eph_edge"],
            arrays["eph_entry"],
            arrays["eph_from_key"],
            arrays["eph_entry_halves"],
        ),
        contexts=ContextTable(
            arrays["context_node"],
            arrays["context_global"],
            tuple(attrs["context_name"]),
            tuple(attrs["context_kind"]),
            role=tuple(attrs.get("context_role", ())),
            state=tuple(attrs.get("context_state", ())),
            state_note=tuple(attrs.get("context_state_note", ())),
            **{field: arrays.get(key) for field, key in _OPTIONAL_CONTEXT_ARRAYS.items()},
        ),
        source=SourceInfo(
            source["path"],
            source["format"],
            source["engine"],
            tuple((str(k), str(v)) for k, v in source["details"]),
        ),
        problems=tuple(attrs["problems"]),
        code_locations=CodeLocationTable(
            arrays["location_node"],
            arrays["location_script"],
            arrays["location_line"],
            arrays["location_column"],
        ),
        captured_uses=CapturedUseTable(
            bool(attrs["uses_known"]),
            arrays["use_function"],
            arrays["use_context"],
            arrays["use_name"],
            arrays["use_covered"],
            arrays["use_contexts"],
        ),
        **columns,
    )
