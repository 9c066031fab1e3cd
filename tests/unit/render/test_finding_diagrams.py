"""Zombie-context, cycle and representative-path diagrams on real and hand-built inputs."""

from __future__ import annotations

import pytest

from leakhunt.analyzers import compute_dominators, find_retaining_paths, select_nodes
from leakhunt.graph import RetentionGraph
from leakhunt.importers import load_graph
from leakhunt.render.diagram import EdgeRole, NodeRole
from leakhunt.render.dot import diagram_to_dot
from leakhunt.render.finding_diagrams import (
    cycle_diagram,
    cycle_edges_from_graph,
    path_diagram,
    zombie_context_diagram,
)

from conftest import v8_expected, v8_fixture
from helpers.diagram_cases import context_of_node_id, vm_seed_cycle, zombie_path


@pytest.fixture(scope="module")
def vm_contexts() -> RetentionGraph:
    return load_graph(str(v8_fixture("vm_contexts")))


def test_zombie_context_frames_each_context_and_highlights_the_crossing(
    vm_contexts: RetentionGraph,
) -> None:
    g = vm_contexts
    expected = v8_expected("vm_contexts")
    zombie = context_of_node_id(g, expected["zombie_native_context_id"])
    main = context_of_node_id(g, expected["main_native_context_id"])
    (state,) = select_nodes(g, [f"@{expected['zombie_state_id']}"])
    path, crossing = zombie_path(g, int(state), zombie)
    diagram = zombie_context_diagram(g, path, crossing, [zombie])
    (cross,) = [e for e in diagram.edges if e.role is EdgeRole.CROSSING]
    by_key = {n.key: n for n in diagram.nodes}
    frames = {c.key: c for c in diagram.clusters}
    zombie_name = f"context {g.contexts.name[zombie]}"
    assert frames[by_key[cross.source].cluster or ""].label == f"context {g.contexts.name[main]}"
    assert not frames[by_key[cross.source].cluster or ""].highlighted
    assert by_key[cross.target].ident == f"@{expected['zombie_closure_id']}"
    (dead,) = [c for c in diagram.clusters if c.highlighted]
    assert dead.label == f"zombie {zombie_name}" and by_key[cross.target].cluster == dead.key
    inside = {n.ident for n in diagram.nodes if n.cluster == dead.key}
    attributed = {f"@{int(g.node_id[v])}" for v in path.nodes if g.node_context[v] == zombie}
    assert inside == attributed
    assert {f"@{expected['zombie_state_id']}", f"@{expected['zombie_native_context_id']}"} <= inside
    assert diagram.roots[0].title == "user root"
    dot = diagram_to_dot(diagram)
    assert 'color="#d0021b"' in dot and "crosses into a dead context" in dot


def test_zombie_crossing_must_be_an_edge_of_the_path(vm_contexts: RetentionGraph) -> None:
    (state,) = select_nodes(vm_contexts, ["@77037"])
    (path,) = find_retaining_paths(vm_contexts, [state]).paths
    with pytest.raises(ValueError, match="not an edge index"):
        zombie_context_diagram(vm_contexts, path, path.length, [2])
    held_by_root = zombie_context_diagram(vm_contexts, path, -1, [2])
    assert not [e for e in held_by_root.edges if e.role is EdgeRole.CROSSING]


def test_vm_seed_cycle_draws_natives_and_handles_apart() -> None:
    case = vm_seed_cycle()
    diagram = cycle_diagram(case.graph, case.members, case.edges, roots=case.roots)
    roles = {n.title: n.role for n in diagram.nodes}
    assert roles["node::CompiledFnEntry"] is NodeRole.NATIVE
    assert roles["node::Environment"] is NodeRole.NATIVE
    assert roles["CompiledFnEntry"] is NodeRole.OBJECT
    assert roles["embedder root"] is NodeRole.ROOT
    edge_roles = {e.label: e.role for e in diagram.edges}
    assert edge_roles["fn_ (weak v8::Global)"] is EdgeRole.WEAK_CALLBACK
    assert edge_roles["object (v8::Global)"] is EdgeRole.STRONG_HANDLE
    assert edge_roles["host_defined_options"] is EdgeRole.STRONG_HANDLE
    assert edge_roles["func"] is EdgeRole.REFERENCE
    dot = diagram_to_dot(diagram)
    assert dot.count("arrowhead=odiamond") == 1 and dot.count("shape=box3d") == 2
    assert dot.count("style=bold") == 3


def test_cycle_members_beyond_the_cap_fold(vm_contexts: RetentionGraph) -> None:
    case = vm_seed_cycle()
    diagram = cycle_diagram(case.graph, case.members, case.edges, max_nodes=4)
    (more,) = [n for n in diagram.nodes if n.role is NodeRole.MORE]
    assert more.title == "+5 more"
    drawn = {n.key for n in diagram.nodes}
    assert all(e.source in drawn and e.target in drawn for e in diagram.edges)


def test_cycle_edges_from_graph_edges(vm_contexts: RetentionGraph) -> None:
    g = vm_contexts
    (state,) = select_nodes(g, ["@77037"])
    (path,) = find_retaining_paths(g, [state]).paths
    rows = cycle_edges_from_graph(g, list(path.edges))
    assert [(r.source, r.target) for r in rows] == list(
        zip(path.nodes, path.nodes[1:], strict=False)
    )
    assert [r.name for r in rows] == [g.edge_name_text(e) for e in path.edges]


def test_path_diagram_shows_a_size_per_hop(vm_contexts: RetentionGraph) -> None:
    g = vm_contexts
    tree = compute_dominators(g)
    (state,) = select_nodes(g, ["@77037"])
    (path,) = find_retaining_paths(g, [state]).paths
    growth = [1000 * (i + 1) for i in range(len(path.nodes))]
    diagram = path_diagram(g, path, growth)
    assert [n.retained_size for n in diagram.nodes if n.ident] == growth
    by_retained = path_diagram(g, path, retained=tree.retained_size)
    assert [n.retained_size for n in by_retained.nodes if n.ident] == [
        int(tree.retained_size[v]) for v in path.nodes
    ]
    assert by_retained.nodes[-1].role is NodeRole.TARGET
    with pytest.raises(ValueError, match="one size per node"):
        path_diagram(g, path, growth[:-1])
