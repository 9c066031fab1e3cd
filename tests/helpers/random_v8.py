"""Random, adversarial V8 heap snapshots for cross-checking the DevTools model against oracles.

Each snapshot is a valid ``.heapsnapshot`` document (Node 20 meta) whose graph exercises every
rule of DevTools' heap model: user roots of several kinds (shortcut, ``(Document DOM trees)``,
non-synthetic element children, repeated and weak root edges), WeakMap pair edges (both
halves, lone halves, halves met late, key == value self edges), ``system / NativeContext``
nodes with ``sloppy_function_map`` edges, ``(map descriptors)`` arrays with numeric and odd
edge names, ``system / ExternalStringData`` natives, detached and attached natives, self
edges, shortcuts, weak-only nodes (orphans) and groups that only retain each other (cliques).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from helpers.snapshots import EDGE_TYPES, NODE_FIELDS, NODE_TYPES, assemble_document

_PLAIN_NAMES = ["", "Object", "Item", "Map", "system / Context", "x", "(object elements)"]
_SPECIAL = {
    "native_context": ("hidden", "system / NativeContext"),
    "descriptors": ("array", "(map descriptors)"),
    "external": ("native", "system / ExternalStringData"),
    "dom_trees": ("synthetic", "(Document DOM trees)"),
    "gc_roots": ("synthetic", "(GC roots)"),
    "category": ("synthetic", "(Global handles)"),
}
_EDGE_NAMES = [
    "a",
    "b",
    "map",
    "sloppy_function_map",
    "4",
    " 7x",
    "-3",
    "elements",
    "2",
]
# Edge-type draw weights: context, element, property, internal, hidden, shortcut, weak.
_EDGE_WEIGHTS = np.array([1, 4, 6, 5, 2, 1, 2], dtype=np.float64)


class _Doc:
    def __init__(self) -> None:
        self.strings: list[str] = [""]
        self.index: dict[str, int] = {"": 0}
        self.nodes: list[tuple[int, int, int, int, int]] = []  # type, name, id, size, detached
        self.edges: list[list[tuple[int, int, int]]] = []  # per source: (type, name, target)

    def intern(self, text: str) -> int:
        if text not in self.index:
            self.index[text] = len(self.strings)
            self.strings.append(text)
        return self.index[text]

    def add_node(self, node_type: str, name: str, size: int, detached: int = 0) -> int:
        ordinal = len(self.nodes)
        node_id = 2 * ordinal + 1
        self.nodes.append((NODE_TYPES.index(node_type), self.intern(name), node_id, size, detached))
        self.edges.append([])
        return ordinal

    def node_id(self, node: int) -> int:
        return self.nodes[node][2]

    def node_name(self, node: int) -> str:
        return self.strings[self.nodes[node][1]]

    def add_edge(self, source: int, edge_type: str, name: str | int, target: int) -> None:
        value = int(name) if edge_type in ("element", "hidden") else self.intern(str(name))
        self.edges[source].append((EDGE_TYPES.index(edge_type), value, target))

    def document(self) -> dict[str, Any]:
        width = len(NODE_FIELDS)
        flat_nodes: list[int] = []
        flat_edges: list[int] = []
        for (node_type, name, node_id, size, detached), edges in zip(
            self.nodes, self.edges, strict=True
        ):
            flat_nodes += [node_type, name, node_id, size, len(edges), 0, detached]
            for edge_type, value, target in edges:
                flat_edges += [edge_type, value, target * width]
        return assemble_document(flat_nodes, flat_edges, self.strings)


def _weakmap_name(doc: _Doc, index: int, key: int, value: int, table: int) -> str:
    return (
        f"{index} / part of key ({doc.node_name(key)} @{doc.node_id(key)}) -> value "
        f"({doc.node_name(value)} @{doc.node_id(value)}) pair in WeakMap (table @{doc.node_id(table)})"
    )


def random_snapshot(seed: int, nodes: int = 120) -> dict[str, Any]:
    """A random snapshot document of about ``nodes`` nodes; the same seed gives the same file."""
    rng = np.random.default_rng(seed)
    doc = _Doc()
    root = doc.add_node("synthetic", "", 0)
    gc_roots = doc.add_node(*_SPECIAL["gc_roots"], 0)
    category = doc.add_node(*_SPECIAL["category"], 0)
    user_roots = [doc.add_node("object", "global", int(rng.integers(0, 200)))]
    if rng.random() < 0.5:
        user_roots.append(doc.add_node("object", "Window", int(rng.integers(0, 200))))
    dom_trees = doc.add_node(*_SPECIAL["dom_trees"], 0) if rng.random() < 0.4 else -1
    body: list[int] = []
    for _ in range(nodes):
        draw = rng.random()
        if draw < 0.05:
            special = str(rng.choice(["native_context", "descriptors", "external"]))
            node_type, name = _SPECIAL[special]
        else:
            node_type = str(rng.choice(NODE_TYPES, p=_type_weights()))
            name = str(rng.choice(_PLAIN_NAMES))
        detached = int(rng.choice([0, 0, 0, 1, 2])) if node_type == "native" else 0
        if node_type != "native" and rng.random() < 0.03:
            detached = int(rng.integers(1, 3))
        body.append(doc.add_node(node_type, name, int(rng.integers(0, 400)), detached))
    body_array = np.array(body)

    # Root edges: (GC roots), user roots, DOM trees, and a few odd ones.
    doc.add_edge(root, "element", 1, gc_roots)
    shortcut_targets = user_roots if rng.random() < 0.85 else []
    for position, node in enumerate(user_roots):
        if node in shortcut_targets:
            doc.add_edge(root, "shortcut", str(position + 2), node)
        else:
            doc.add_edge(root, "element", position + 2, node)
    if dom_trees >= 0:
        doc.add_edge(root, "element", 7, dom_trees)
    if rng.random() < 0.3:
        doc.add_edge(root, "shortcut", "2", user_roots[0])  # repeated user root
    if rng.random() < 0.3:
        doc.add_edge(root, "weak", "9", int(rng.choice(body_array)))
    if rng.random() < 0.3:
        doc.add_edge(root, "element", 8, int(rng.choice(body_array)))
    doc.add_edge(gc_roots, "element", 1, category)
    for _ in range(int(rng.integers(1, 6))):
        kind = "weak" if rng.random() < 0.3 else "internal"
        doc.add_edge(category, kind, str(rng.integers(1, 9)), int(rng.choice(body_array)))
    if rng.random() < 0.5:
        doc.add_edge(gc_roots, "element", 2, user_roots[0])

    # Random body edges; nodes near the end stay sparse so that orphans and cliques appear.
    holders = user_roots + ([dom_trees] if dom_trees >= 0 else []) + body
    reachable_part = body_array[: int(len(body) * 0.8)]
    for _ in range(int(nodes * 2.2)):
        source = int(rng.choice(holders[: len(holders) - len(body) + len(reachable_part)]))
        target = int(rng.choice(body_array))
        _random_edge(doc, rng, source, target)
    tail = body_array[int(len(body) * 0.8) :]
    for _ in range(len(tail)):
        a, b = (int(x) for x in rng.choice(tail, size=2))
        _random_edge(doc, rng, a, b)
    for node in rng.choice(body_array, size=4):
        doc.add_edge(int(node), "property", "self", int(node))  # self edges

    # Groups that retain only each other (cliques), some holding further nodes of their own.
    for _ in range(int(rng.integers(0, 4))):
        group = [
            doc.add_node("object", "Cycle", int(rng.integers(0, 100)))
            for _ in range(int(rng.integers(2, 6)))
        ]
        for position, node in enumerate(group):
            doc.add_edge(node, "property", "next", group[(position + 1) % len(group)])
        for _ in range(int(rng.integers(0, 4))):
            a, b = (int(x) for x in rng.choice(group, size=2))
            doc.add_edge(a, str(rng.choice(["property", "internal", "hidden"])), 3, b)
        if rng.random() < 0.5:
            below = doc.add_node("array", "", int(rng.integers(0, 100)))
            doc.add_edge(int(rng.choice(group)), "internal", "elements", below)
            doc.add_edge(below, "element", 0, int(rng.choice(group)))
        if rng.random() < 0.3:
            doc.add_edge(int(rng.choice(group)), "property", "out", int(rng.choice(body_array)))

    # WeakMap entries.
    tables = [n for n in body if NODE_TYPES[doc.nodes[n][0]] == "array"] or body
    for entry in range(int(rng.integers(2, 8))):
        table = int(rng.choice(tables))
        key = int(rng.choice(body_array))
        value = key if rng.random() < 0.1 else int(rng.choice(body_array))
        halves = [(table, int(rng.integers(1, 40))), (key, int(rng.integers(1, 40)))]
        if rng.random() < 0.15:
            halves = halves[: int(rng.integers(1, 3))][-1:]  # a lone half
        for holder, index in halves:
            doc.add_edge(holder, "internal", _weakmap_name(doc, index, key, value, table), value)
        doc.add_edge(table, "weak", str(entry), key)

    # Descriptor arrays get element edges 0..9 and a few named ones.
    for node in body:
        if doc.node_name(node) == "(map descriptors)":
            for slot in rng.choice(10, size=int(rng.integers(2, 8)), replace=False):
                doc.add_edge(node, "element", int(slot), int(rng.choice(body_array)))
        if doc.node_name(node) == "system / NativeContext":
            doc.add_edge(node, "internal", "sloppy_function_map", int(rng.choice(body_array)))
    for source_edges in doc.edges:
        rng.shuffle(source_edges)  # type: ignore[arg-type]
    return doc.document()


def _type_weights() -> np.ndarray:
    weights = np.ones(len(NODE_TYPES))
    weights[NODE_TYPES.index("object")] = 8
    weights[NODE_TYPES.index("array")] = 4
    weights[NODE_TYPES.index("hidden")] = 3
    weights[NODE_TYPES.index("native")] = 3
    weights[NODE_TYPES.index("synthetic")] = 1.5
    return weights / weights.sum()


def _random_edge(doc: _Doc, rng: np.random.Generator, source: int, target: int) -> None:
    edge_type = str(rng.choice(EDGE_TYPES, p=_EDGE_WEIGHTS / _EDGE_WEIGHTS.sum()))
    if edge_type in ("element", "hidden"):
        doc.add_edge(source, edge_type, int(rng.integers(0, 12)), target)
    else:
        doc.add_edge(source, edge_type, str(rng.choice(_EDGE_NAMES)), target)


def write_random_snapshot(path: Path, seed: int, nodes: int = 120) -> Path:
    """Write :func:`random_snapshot` to ``path``."""
    path.write_text(json.dumps(random_snapshot(seed, nodes)))
    return path
