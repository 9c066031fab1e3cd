"""Write small, valid V8 heap snapshots from a readable spec (for edge cases only).

A spec is a list of nodes ``(type, name, id, self_size, edges)`` where each edge is
``(edge_type, name_or_index, target_ordinal)``; string names are interned automatically.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

NODE_FIELDS = ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"]
NODE_TYPES = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
    "wasm object",
]
EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]

Edge = tuple[str, "str | int", int]
Node = tuple[str, str, int, int, list[Edge]]


def snapshot_document(nodes: list[Node]) -> dict[str, Any]:
    strings: list[str] = [""]
    index: dict[str, int] = {"": 0}

    def intern(text: str) -> int:
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    flat_nodes: list[int] = []
    flat_edges: list[int] = []
    width = len(NODE_FIELDS)
    for node_type, name, node_id, size, edges in nodes:
        flat_nodes += [NODE_TYPES.index(node_type), intern(name), node_id, size, len(edges), 0, 0]
        for edge_type, name_or_index, target in edges:
            if edge_type in ("element", "hidden"):
                assert isinstance(name_or_index, int)
                name_value = name_or_index
            else:
                name_value = intern(str(name_or_index))
            flat_edges += [EDGE_TYPES.index(edge_type), name_value, target * width]
    return assemble_document(flat_nodes, flat_edges, strings)


def assemble_document(
    flat_nodes: list[int], flat_edges: list[int], strings: list[str]
) -> dict[str, Any]:
    """A Node 20 style snapshot document from flat node/edge numbers and the string table."""
    meta = {
        "node_fields": list(NODE_FIELDS),
        "node_types": [
            list(NODE_TYPES),
            "string",
            "number",
            "number",
            "number",
            "number",
            "number",
        ],
        "edge_fields": ["type", "name_or_index", "to_node"],
        "edge_types": [list(EDGE_TYPES), "string_or_number", "node"],
    }
    return {
        "snapshot": {
            "meta": meta,
            "node_count": len(flat_nodes) // len(NODE_FIELDS),
            "edge_count": len(flat_edges) // 3,
            "trace_function_count": 0,
        },
        "nodes": flat_nodes,
        "edges": flat_edges,
        "trace_function_infos": [],
        "trace_tree": [],
        "samples": [],
        "locations": [],
        "strings": strings,
    }


def write_snapshot(path: Path, nodes: list[Node], *, gz: bool = False) -> Path:
    text = json.dumps(snapshot_document(nodes))
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def small_heap() -> list[Node]:
    """Root, (GC roots) with a (Global handles) category, a global holding an App → Leak chain."""
    return [
        ("synthetic", "", 1, 0, [("element", 1, 1), ("shortcut", "2", 4)]),
        ("synthetic", "(GC roots)", 3, 0, [("element", 1, 2), ("element", 2, 3)]),
        ("synthetic", "(Global handles)", 5, 0, [("internal", "1 / handle", 5), ("weak", "2", 6)]),
        ("synthetic", "(Stack roots)", 7, 0, [("internal", "1", 6)]),
        ("object", "global", 9, 100, [("property", "app", 5), ("property", "Leak", 7)]),
        ("object", "App", 11, 40, [("property", "leak", 6), ("internal", "map", 7)]),
        ("object", "Leak", 13, 30, []),
        ("closure", "Leak", 15, 32, []),
    ]
