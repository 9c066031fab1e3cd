"""Independent reading of the SpiderMonkey fixtures, for exact expectations in tests.

The fixture directory ships ``check_fixtures.py``, a small stdlib-only reader of
``js::DumpHeap`` logs that does not import leakhunt (it checks every sidecar). Tests use it
as the oracle: its cells, edges, reachability (weak maps as ephemerons) and class names are
compared with the importer's graph. Also here: walking a sidecar chain through a graph.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind

REPO = Path(__file__).resolve().parents[2]
SM_FIXTURES = REPO / "fixtures" / "spidermonkey"
EDGE_CASES = SM_FIXTURES / "edge_cases"

REAL_FIXTURES = {
    "gjs_plain_leak": SM_FIXTURES / "gjs_plain_leak.heap.gz",
    "gjs_native_leak": SM_FIXTURES / "gjs_native_leak.heap.gz",
    "gjs_two_dumps": SM_FIXTURES / "gjs_two_dumps.heap.gz",
    "gjs_weakmaps": SM_FIXTURES / "gjs_weakmaps.heap.gz",
    "js102_compartments": SM_FIXTURES / "js102_compartments.heap.gz",
    "js78_compartments": SM_FIXTURES / "js78_compartments.heap.gz",
    "embedder_realms": SM_FIXTURES / "embedder" / "embedder_realms.log.gz",
    "embedder_realms_sizes": SM_FIXTURES / "embedder" / "embedder_realms_sizes.log.gz",
}


@cache
def oracle() -> ModuleType:
    """``fixtures/spidermonkey/check_fixtures.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        "check_fixtures", SM_FIXTURES / "check_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sidecar(name: str) -> dict[str, Any]:
    """The ``*.expected.json`` next to a real fixture or an edge case."""
    path = REAL_FIXTURES.get(name)
    directory = path.parent if path is not None else EDGE_CASES
    data: dict[str, Any] = json.loads((directory / f"{name}.expected.json").read_text())
    return data


@cache
def oracle_dumps(path: Path) -> list[Any]:
    """The oracle's ``Dump`` objects of a file."""
    dumps: list[Any] = oracle().read_dumps(path)
    return dumps


def address(text: str) -> int:
    """An address as the importer stores it (``(nil)`` → 0; Windows spelling accepted)."""
    return 0 if text in ("(nil)",) else int(text, 16)


def node_of(graph: RetentionGraph, text: str | int) -> int:
    """The node ordinal of a cell address."""
    value = address(text) if isinstance(text, str) else text
    hits = np.flatnonzero(graph.node_id == value)
    assert hits.size == 1, f"{value:#x} matches {hits.size} nodes"
    return int(hits[0])


def hex_id(graph: RetentionGraph, node: int) -> str:
    """The oracle's spelling of a node's address (glibc ``0x…``)."""
    return f"0x{int(graph.node_id[node]):x}"


def edge_text(graph: RetentionGraph, edge: int) -> str:
    """An edge's name as the dump printed it."""
    if graph.edge_kind[edge] == EdgeKind.ELEMENT:
        return f"objectElements[{int(graph.edge_name[edge])}]"
    return graph.strings[int(graph.edge_name[edge])]


def cell_nodes(graph: RetentionGraph) -> np.ndarray:
    """Ordinals of the listed cells (not the super root, not placeholders)."""
    kinds = graph.node_kind
    return np.flatnonzero((kinds != NodeKind.SYNTHETIC) & (kinds != NodeKind.PLACEHOLDER))


def walk_chain(
    graph: RetentionGraph, descriptions: dict[str, str], start: int, chain: list[dict[str, Any]]
) -> set[int]:
    """Nodes reached from ``start`` along a sidecar chain (edge names, cell descriptions)."""
    current = {start} if descriptions.get(hex_id(graph, start)) == chain[0]["node"] else set()
    for step in chain[1:]:
        following: set[int] = set()
        for node in current:
            for edge in range(
                int(graph.node_first_edge[node]), int(graph.node_first_edge[node + 1])
            ):
                target = int(graph.edge_target[edge])
                if edge_text(graph, edge) != step["edge"]:
                    continue
                if descriptions.get(hex_id(graph, target)) == step["node"]:
                    following.add(target)
        if "address" in step:
            following &= {node_of(graph, step["address"])}
        current = following
    return current
