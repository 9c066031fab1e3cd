"""A plain, independent reader of V8 ``.heapsnapshot`` files for fixture tests.

It shares no code with ``leakhunt.importers``: it reads the JSON with :mod:`json`, takes the
field offsets from ``meta`` and answers the small questions sidecar checks need (does id N
exist, what is its type and name, is there an edge ``type name`` from id A to id B, which
nodes can be reached without ``weak`` edges).
"""

from __future__ import annotations

import gzip
import json
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PlainEdge:
    type: str
    name: str | int
    to: int  # ordinal


@dataclass
class PlainSnapshot:
    doc: dict[str, Any]
    _out: list[list[PlainEdge]] = field(default_factory=list, repr=False)

    @classmethod
    def read(cls, path: Path) -> PlainSnapshot:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        return cls(json.loads(raw))

    @cached_property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.doc["snapshot"]["meta"]
        return meta

    @cached_property
    def node_fields(self) -> list[str]:
        return list(self.meta["node_fields"])

    @property
    def node_count(self) -> int:
        return len(self.doc["nodes"]) // len(self.node_fields)

    def _field(self, ordinal: int, name: str) -> int:
        nf = len(self.node_fields)
        value: int = self.doc["nodes"][ordinal * nf + self.node_fields.index(name)]
        return value

    @cached_property
    def ordinal_by_id(self) -> dict[int, int]:
        return {self._field(o, "id"): o for o in range(self.node_count)}

    def ordinal(self, node_id: int) -> int:
        return self.ordinal_by_id[node_id]

    def has_id(self, node_id: int) -> bool:
        return node_id in self.ordinal_by_id

    def node_id(self, ordinal: int) -> int:
        return self._field(ordinal, "id")

    def type_of(self, ordinal: int) -> str:
        types: list[str] = self.meta["node_types"][0]
        return types[self._field(ordinal, "type")]

    def name_of(self, ordinal: int) -> str:
        name: str = self.doc["strings"][self._field(ordinal, "name")]
        return name

    def self_size(self, ordinal: int) -> int:
        return self._field(ordinal, "self_size")

    def detachedness(self, ordinal: int) -> int:
        if "detachedness" not in self.node_fields:
            return 0
        return self._field(ordinal, "detachedness")

    def out_edges(self, ordinal: int) -> list[PlainEdge]:
        if not self._out:
            self._build_edges()
        return self._out[ordinal]

    def _build_edges(self) -> None:
        nf = len(self.node_fields)
        edge_fields: list[str] = self.meta["edge_fields"]
        ef = len(edge_fields)
        ti, ni, to = (edge_fields.index(k) for k in ("type", "name_or_index", "to_node"))
        edge_types: list[str] = self.meta["edge_types"][0]
        strings: list[str] = self.doc["strings"]
        edges: list[int] = self.doc["edges"]
        out: list[list[PlainEdge]] = []
        e = 0
        for o in range(self.node_count):
            row: list[PlainEdge] = []
            for _ in range(self._field(o, "edge_count")):
                kind = edge_types[edges[e + ti]]
                raw = edges[e + ni]
                name: str | int = raw if kind in ("element", "hidden") else strings[raw]
                row.append(PlainEdge(kind, name, edges[e + to] // nf))
                e += ef
            out.append(row)
        self._out = out

    def has_edge(self, from_id: int, edge_type: str, edge_name: str | int, to_id: int) -> bool:
        target = self.ordinal(to_id)
        return any(
            e.type == edge_type and e.name == edge_name and e.to == target
            for e in self.out_edges(self.ordinal(from_id))
        )

    def reachable(self, start: int, *, skip_weak: bool = True) -> set[int]:
        """Ordinals reachable from ordinal ``start`` (plain BFS)."""
        seen = {start}
        queue = deque([start])
        while queue:
            cur = queue.popleft()
            for e in self.out_edges(cur):
                if skip_weak and e.type == "weak":
                    continue
                if e.to not in seen:
                    seen.add(e.to)
                    queue.append(e.to)
        return seen

    def retainers(self, ordinal: int) -> list[tuple[int, PlainEdge]]:
        return [
            (o, e) for o in range(self.node_count) for e in self.out_edges(o) if e.to == ordinal
        ]


def assert_chain(snap: PlainSnapshot, chain: list[dict[str, Any]], start_id: int) -> None:
    """Every hop ``{from_id, edge_type, edge_name, to_id, to_type, to_name}`` exists, in order."""
    assert chain, "empty chain"
    current = start_id
    for hop in chain:
        assert hop["from_id"] == current, hop
        assert snap.has_edge(hop["from_id"], hop["edge_type"], hop["edge_name"], hop["to_id"]), hop
        target = snap.ordinal(hop["to_id"])
        assert snap.type_of(target) == hop["to_type"], hop
        assert snap.name_of(target).startswith(hop["to_name"].removesuffix("...")), hop
        current = hop["to_id"]
