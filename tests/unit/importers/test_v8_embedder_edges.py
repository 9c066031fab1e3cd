"""What V8 snapshots themselves show of handles and host-defined options, counted from the raw JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.importers import load_graph

REPO = Path(__file__).resolve().parents[3]
FIXTURES = [
    REPO / "fixtures" / "v8" / "vm_contexts.heapsnapshot.gz",
    REPO / "fixtures" / "chromium" / "chromium_page.heapsnapshot.gz",
    REPO / "fixtures" / "node_rootdump" / "compiled_fn_entry.heapsnapshot.gz",
]


def _raw_counts(path: Path) -> dict[str, int]:
    with gzip.open(path) as stream:
        data = json.loads(stream.read())
    meta = data["snapshot"]["meta"]
    nf, ef = len(meta["node_fields"]), len(meta["edge_fields"])
    node_types, edge_types = meta["node_types"][0], meta["edge_types"][0]
    nodes, edges, strings = data["nodes"], data["edges"], data["strings"]
    counts = {"host": 0, "handle": 0, "strong_global": 0, "weak_global": 0}
    first = [0]
    for node in range(len(nodes) // nf):
        first.append(first[-1] + nodes[node * nf + 4])
    # The "(Global handles)" category under "(GC roots)" (a node of that name elsewhere is not).
    gc_roots = [
        edges[e * ef + 2] // nf
        for e in range(first[0], first[1])
        if strings[nodes[edges[e * ef + 2] + 1]] == "(GC roots)"
    ]
    global_handles = {
        edges[e * ef + 2] // nf
        for r in gc_roots
        for e in range(first[r], first[r + 1])
        if strings[nodes[edges[e * ef + 2] + 1]] == "(Global handles)"
    }
    edge = 0
    for node in range(len(nodes) // nf):
        name = strings[nodes[node * nf + 1]]
        native = node_types[nodes[node * nf]] == "native"
        for _ in range(nodes[node * nf + 4]):
            kind = edge_types[edges[edge * ef]]
            label = strings[edges[edge * ef + 1]] if kind not in ("element", "hidden") else ""
            if (kind, label) in (
                ("internal", "host_defined_options"),
                ("property", "<symbol node:host_defined_option_symbol>"),
            ):
                counts["host"] += 1
            if (
                native
                and name.startswith("Node / ")
                and (kind, label) == ("internal", "native_to_javascript")
            ):
                counts["handle"] += 1
            if node in global_handles:
                counts["weak_global" if kind == "weak" else "strong_global"] += 1
            edge += 1
    return counts


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_host_options_native_handles_and_global_handles(path: Path) -> None:
    graph = load_graph(str(path))
    raw = _raw_counts(path)
    assert int((graph.edge_kind == EdgeKind.HOST_OPTIONS).sum()) == raw["host"]
    assert int((graph.edge_kind == EdgeKind.NATIVE_HANDLE).sum()) == raw["handle"]
    kinds = graph.roots.kind
    labels = [graph.strings[int(i)] for i in graph.roots.label.tolist()]
    strong = sum(
        1
        for k, lab in zip(kinds, labels, strict=True)
        if lab == "(Global handles)" and k == RootKind.STRONG_GLOBAL_HANDLE
    )
    weak = sum(
        1
        for k, lab in zip(kinds, labels, strict=True)
        if lab == "(Global handles)" and k == RootKind.WEAK_GLOBAL_HANDLE
    )
    assert (strong, weak) == (raw["strong_global"], raw["weak_global"])
    if "vm_contexts" in path.name:
        assert raw["host"] > 0 and raw["handle"] > 0
    if "chromium" in path.name:
        assert raw["host"] > 0
