"""Zero mismatches against Chrome DevTools (and memlab) on every node of every snapshot.

The DevTools oracle is ``tests/oracle/devtools_dump.js`` (npm ``heap-snapshot-toolkit``); the
memlab oracle is ``tests/integration/memlab_dump.js`` (memlab 2.0.5 from ``bench/node_modules``).
Inputs: the committed Node fixtures, the reference's worked example, and random adversarial
snapshots (:mod:`helpers.random_v8`) full of orphans, cliques, WeakMap pairs and the name-based
rules. Each oracle runs once per input and session; tests skip cleanly when ``node`` or the npm
packages are missing.

Set ``LEAKHUNT_BIG_SNAPSHOT=/path/to/file.heapsnapshot`` to also compare a large snapshot
(``bench/gen_snapshot.js`` writes one; needs about 1 GB for the oracle).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from leakhunt.analyzers.devtools.essential import compute_essential_edges
from leakhunt.analyzers.dominators import DominatorTree, Semantics, compute_dominators
from leakhunt.graph import RetentionGraph
from leakhunt.importers import load_graph

from conftest import REPO, V8_FIXTURES
from helpers.random_v8 import write_random_snapshot

pytestmark = pytest.mark.node

ORACLE_DIR = REPO / "tests" / "oracle"
DEVTOOLS_DUMP = ORACLE_DIR / "devtools_dump.js"
MEMLAB_DUMP = Path(__file__).with_name("memlab_dump.js")
CHROMIUM_FIXTURES = REPO / "fixtures" / "chromium"
FIXTURE_PATHS = {
    p.name.removesuffix(".heapsnapshot.gz"): p
    for directory in (V8_FIXTURES, CHROMIUM_FIXTURES)
    for p in directory.glob("*.heapsnapshot.gz")
}
FIXTURES = sorted(FIXTURE_PATHS)
# (seed, body nodes): small graphs give many orphans and cliques, larger ones deeper trees.
RANDOM = [(seed, (30, 120, 400, 1500)[seed % 4]) for seed in range(24)]
INPUTS = [*FIXTURES, "worked_example", *(f"random-{seed}" for seed, _ in RANDOM)]
MEMLAB_EXIT_NOT_INSTALLED = 3

Oracle = Callable[[str], dict[str, Any]]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    return node


@pytest.fixture(scope="session")
def snapshot_path(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    directory = tmp_path_factory.mktemp("random-snapshots")
    sizes = dict(RANDOM)

    def path(name: str) -> Path:
        if name == "worked_example":
            return V8_FIXTURES / "edge_cases" / "worked_example.heapsnapshot"
        if name.startswith("random-"):
            seed = int(name.removeprefix("random-"))
            file = directory / f"{name}.heapsnapshot"
            if not file.exists():
                write_random_snapshot(file, seed, sizes[seed])
            return file
        return FIXTURE_PATHS[name]

    return path


def _run_oracle(script: Path, snapshot: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_node(), "--max-old-space-size=16384", str(script), str(snapshot), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _cached_oracle(script: Path, tmp: Path, snapshot_path: Callable[[str], Path]) -> Oracle:
    cache: dict[str, dict[str, Any]] = {}

    def result(name: str) -> dict[str, Any]:
        if name not in cache:
            out = tmp / f"{name}.json"
            done = _run_oracle(script, snapshot_path(name), out)
            if done.returncode == MEMLAB_EXIT_NOT_INSTALLED and script == MEMLAB_DUMP:
                pytest.skip("memlab is not installed (bench/node_modules)")
            assert done.returncode == 0, done.stderr
            cache[name] = json.loads(out.read_text())
        return cache[name]

    return result


@pytest.fixture(scope="session")
def devtools_oracle(
    tmp_path_factory: pytest.TempPathFactory, snapshot_path: Callable[[str], Path]
) -> Oracle:
    _node()
    if not (ORACLE_DIR / "node_modules" / "heap-snapshot-toolkit").is_dir():
        pytest.skip("tests/oracle/node_modules is missing (cd tests/oracle && npm ci)")
    return _cached_oracle(DEVTOOLS_DUMP, tmp_path_factory.mktemp("devtools"), snapshot_path)


@pytest.fixture(scope="session")
def memlab_oracle(
    tmp_path_factory: pytest.TempPathFactory, snapshot_path: Callable[[str], Path]
) -> Oracle:
    _node()
    return _cached_oracle(MEMLAB_DUMP, tmp_path_factory.mktemp("memlab"), snapshot_path)


def _mismatches(expected: list[Any], actual: np.ndarray) -> int:
    reference = np.asarray(expected)
    assert reference.shape == actual.shape
    return int(np.count_nonzero(reference != actual))


def _check_problems(oracle: dict[str, Any], tree: DominatorTree) -> None:
    """DevTools' problem reports name the same counts and nodes as the result lists."""
    reports = {report["messages"][0]: report for report in oracle["problems"]}
    unreachable = [m for m in reports if "nodes are unreachable from the root" in m]
    if tree.unreachable_nodes.size == 0:
        assert not unreachable
    else:
        (message,) = unreachable
        count = re.search(r"(\d+) nodes are unreachable", message)
        assert count is not None and int(count.group(1)) == tree.unreachable_nodes.size
        listed = [node["ordinal"] for node in reports[message]["nodes"]]
        assert listed == tree.orphan_nodes[: len(listed)].tolist()
        assert len(listed) == min(tree.orphan_nodes.size, 99)
    still = [m for m in reports if m.startswith("Heap snapshot: Still found")]
    if tree.clique_nodes.size == 0:
        assert not still
    else:
        (message,) = still
        count = re.search(r"Still found (\d+) unreachable", message)
        assert count is not None and int(count.group(1)) == tree.clique_nodes.size
        listed = [node["ordinal"] for node in reports[message]["nodes"]]
        assert listed == tree.clique_nodes[: len(listed)].tolist()


def _compare_devtools(graph: RetentionGraph, oracle: dict[str, Any]) -> DominatorTree:
    tree = compute_dominators(graph, Semantics.DEVTOOLS)
    assert oracle["node_count"] == graph.node_count
    assert oracle["edge_count"] == graph.edge_count
    mismatches = {
        "retained_size": _mismatches(oracle["retained_size"], tree.retained_size),
        "dominator": _mismatches(oracle["dominator"], tree.idom),
        "distance": _mismatches(oracle["distance"], tree.distance),
        "self_size": _mismatches(oracle["self_size"], tree.self_size_used),
        "page_owned": _mismatches(oracle["page_owned"], tree.page_owned.astype(np.int64)),
    }
    assert mismatches == dict.fromkeys(mismatches, 0)
    assert tree.essential_edge_count == oracle["essential_edge_count"]
    assert tree.total_size == oracle["total_size"]
    return tree


@pytest.mark.parametrize("name", INPUTS)
def test_devtools_every_node(
    name: str, devtools_oracle: Oracle, snapshot_path: Callable[[str], Path]
) -> None:
    oracle = devtools_oracle(name)
    graph = load_graph(str(snapshot_path(name)))
    tree = _compare_devtools(graph, oracle)
    non_essential = np.flatnonzero(~compute_essential_edges(graph)).tolist()
    assert non_essential == oracle["non_essential_edges"]
    _check_problems(oracle, tree)


def test_random_snapshots_exercise_every_fallback(snapshot_path: Callable[[str], Path]) -> None:
    """The random inputs are only useful if they reach the rare paths."""
    orphans = cliques = pending = 0
    for seed, _ in RANDOM:
        graph = load_graph(str(snapshot_path(f"random-{seed}")))
        tree = compute_dominators(graph)
        orphans += tree.orphan_nodes.size
        cliques += tree.clique_nodes.size
        pending += len(graph.ephemerons)
    assert orphans > 50 and cliques > 20 and pending > 50


@pytest.mark.parametrize("name", INPUTS)
def test_memlab_every_node(
    name: str, memlab_oracle: Oracle, snapshot_path: Callable[[str], Path]
) -> None:
    oracle = memlab_oracle(name)
    graph = load_graph(str(snapshot_path(name)))
    tree = compute_dominators(graph, Semantics.MEMLAB)
    assert oracle["node_count"] == graph.node_count
    mismatches = {
        "retained_size": _mismatches(oracle["retained_size"], tree.retained_size),
        "dominator": _mismatches(oracle["dominator"], tree.idom),
        "self_size": _mismatches(oracle["self_size"], tree.self_size_used),
    }
    assert mismatches == dict.fromkeys(mismatches, 0)


@pytest.mark.slow
def test_big_snapshot_every_node(tmp_path: Path) -> None:
    big = os.environ.get("LEAKHUNT_BIG_SNAPSHOT")
    if not big:
        pytest.skip("set LEAKHUNT_BIG_SNAPSHOT to a large .heapsnapshot to run")
    out = tmp_path / "big.json"
    done = _run_oracle(DEVTOOLS_DUMP, Path(big), out)
    assert done.returncode == 0, done.stderr
    oracle = json.loads(out.read_text())
    _compare_devtools(load_graph(big), oracle)
