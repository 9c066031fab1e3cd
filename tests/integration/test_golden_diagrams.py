"""DOT text of diagrams compared with golden files (LEAKHUNT_REGOLD=1 rewrites them after review).

Paths diagrams go through the command line (``paths --format dot``) as a user runs it; the
zombie, cycle and representative-path diagrams through their adapters, since the analyzers
that will feed them live on other branches.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from leakhunt.analyzers import compute_dominators, find_retaining_paths, select_nodes
from leakhunt.importers import load_graph
from leakhunt.render.dot import diagram_to_dot
from leakhunt.render.finding_diagrams import cycle_diagram, path_diagram, zombie_context_diagram

from conftest import v8_expected, v8_fixture
from helpers.cli import run
from helpers.diagram_cases import context_of_node_id, vm_seed_cycle, zombie_path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
HOSTILE = "fixtures/v8/edge_cases/hostile_labels.heapsnapshot"

CLI_CASES = {
    "diagram_paths_leak_chain_sessions.dot": (
        "paths",
        "fixtures/v8/leak_chain.heapsnapshot.gz",
        "class:Session",
    ),
    "diagram_paths_vm_contexts_by_context.dot": (
        "paths",
        "fixtures/v8/vm_contexts.heapsnapshot.gz",
        "@77037",
        "@73403",
        "--by-context",
    ),
    "diagram_paths_hostile_labels.dot": (
        "paths",
        HOSTILE,
        *(f"@{i}" for i in (9, 11, 13, 15, 17, 21, 23)),
    ),
}


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("LEAKHUNT_REGOLD"):
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("golden", sorted(CLI_CASES))
def test_paths_dot_matches_golden(golden: str) -> None:
    result = run(*CLI_CASES[golden], "--format", "dot", "--no-cache", "-q", cwd=REPO)
    assert result.returncode == 0, result.stderr
    _check(golden, result.stdout)


def _zombie() -> str:
    g = load_graph(str(v8_fixture("vm_contexts")))
    expected = v8_expected("vm_contexts")
    zombie = context_of_node_id(g, expected["zombie_native_context_id"])
    (state,) = select_nodes(g, [f"@{expected['zombie_state_id']}"])
    path, crossing = zombie_path(g, int(state), zombie)
    return diagram_to_dot(
        zombie_context_diagram(g, path, crossing, [zombie], compute_dominators(g).retained_size)
    )


def _cycle() -> str:
    case = vm_seed_cycle()
    return diagram_to_dot(cycle_diagram(case.graph, case.members, case.edges, roots=case.roots))


def _representative_path() -> str:
    g = load_graph(str(v8_fixture("leak_chain")))
    (session,) = select_nodes(g, [f"@{v8_expected('leak_chain')['leaked_session_id']}"])
    (path,) = find_retaining_paths(g, [session]).paths
    return diagram_to_dot(path_diagram(g, path, retained=compute_dominators(g).retained_size))


ADAPTER_CASES: dict[str, Callable[[], str]] = {
    "diagram_zombie_vm_contexts.dot": _zombie,
    "diagram_cycle_vm_seed.dot": _cycle,
    "diagram_path_leak_chain_session.dot": _representative_path,
}


@pytest.mark.parametrize("golden", sorted(ADAPTER_CASES))
def test_finding_dot_matches_golden(golden: str) -> None:
    _check(golden, ADAPTER_CASES[golden]())
