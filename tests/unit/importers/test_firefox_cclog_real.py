"""A real Firefox 153 CC log (``fixtures/firefox``): it imports, and its answers match the
generator's sidecar and the page's known leaks."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.analyzers.external import find_external_holders
from leakhunt.analyzers.paths import compute_root_distances, find_retaining_paths
from leakhunt.analyzers.selectors import select_nodes
from leakhunt.errors import UnsupportedFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.importers import load_graph, sniff_format
from leakhunt.importers.firefox_cc.importer import FORMAT_NAME

FIREFOX = Path(__file__).resolve().parents[3] / "fixtures" / "firefox"


@pytest.fixture(scope="module")
def sidecar() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIREFOX / "firefox_page_leak.expected.json").read_text())
    return data


@pytest.fixture(scope="module")
def graph(sidecar: dict[str, Any]) -> RetentionGraph:
    return load_graph(str(FIREFOX / sidecar["cc_file"]))


def test_counts_match_the_sidecar(graph: RetentionGraph, sidecar: dict[str, Any]) -> None:
    counts = sidecar["cc_counts"]
    types = [graph.type_names[int(t)] for t in graph.node_type]
    assert types.count("refcounted") == counts["rc_nodes"]
    assert types.count("gc") == counts["gc_nodes"]
    assert types.count("gc.marked") == counts["gc_marked_nodes"]
    assert (
        graph.node_count == 1 + counts["rc_nodes"] + counts["gc_nodes"] + counts["gc_marked_nodes"]
    )
    assert int(np.count_nonzero(graph.edge_kind == EdgeKind.PROPERTY)) == counts["edges"]
    details = dict(graph.source.details)
    assert details["weak-map entries"] == str(counts["weak_map_entries"])
    assert details["want all traces"].startswith(str(sidecar["want_all_traces"]).lower())
    assert details["garbage"].startswith(f"{counts['garbage']} node(s)")
    assert graph.problems == ()
    refcounted_roots = int(np.count_nonzero(graph.roots.kind == RootKind.REFCOUNTED))
    assert refcounted_roots == counts["known"] + counts["incremental_roots"]
    assert len(find_external_holders(graph)) == counts["known"]


def test_garbage_is_exactly_the_unreachable_part(
    graph: RetentionGraph, sidecar: dict[str, Any]
) -> None:
    distance = compute_root_distances(graph).distance
    assert int(np.count_nonzero(distance[1:] < 0)) == sidecar["cc_counts"]["garbage"]


def test_the_page_leaks(graph: RetentionGraph, sidecar: dict[str, Any]) -> None:
    markers = sidecar["markers"]
    distance = compute_root_distances(graph).distance
    (window,) = [
        v
        for v in select_nodes(graph, ["class:nsGlobalWindowInner"])
        if graph.node_label(v).endswith(markers["window_url_suffix"])
    ]
    assert distance[window] > 0
    garbage = select_nodes(graph, [f"name:{c}" for c in markers["garbage_cycle_classes"]])
    assert len(garbage) == 2 and all(distance[garbage] < 0)
    detached = select_nodes(graph, [f"name:class='{c}'" for c in markers["detached_classes"]])
    report = find_retaining_paths(graph, detached)
    assert report.unreachable == () and len(report.paths) == 3
    for path in report.paths:
        # Held by its JS reflector, which the GC marked: continue in the GC log from there.
        assert path.root_kind == RootKind.MARKED
        assert graph.edge_name_text(path.edges[-1]) == "UnwrapDOMObject(obj)"
    listeners = select_nodes(graph, [f"name:{markers['listener_function']}"])
    assert all(distance[listeners] > 0)


def test_the_gc_log_of_the_pair_is_not_taken_for_a_cc_log(sidecar: dict[str, Any]) -> None:
    with contextlib.suppress(UnsupportedFormatError):  # until a GC-log importer exists
        assert sniff_format(str(FIREFOX / sidecar["gc_file"])) != FORMAT_NAME
