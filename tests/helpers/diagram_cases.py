"""Inputs of the finding diagrams, shared by unit and golden tests.

``vm_seed_cycle`` rebuilds by hand the cycle of the Node.js ``vm.compileFunction`` leak
(/work/shared/seeds/node-vm-compilefunction-leak.txt): the native ``node::CompiledFnEntry``
holds its JS wrapper through a strong ``v8::Global``; the wrapper keys a WeakMap entry whose
value holds the ``importModuleDynamically`` closure, whose context holds the compiled
function; the function reaches the native entry only through a weak callback. The
``node::Environment`` (an embedder root) holds the entry in ``id_to_function_map``, and the
function's script holds the host-defined options.
"""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.analyzers import find_retaining_paths
from leakhunt.analyzers.results import RetentionPath
from leakhunt.graph import EdgeKind, GraphBuilder, NodeKind, RetentionGraph, SourceInfo
from leakhunt.render.finding_diagrams import CycleEdge, CycleRoot


@dataclass(frozen=True)
class CycleCase:
    graph: RetentionGraph
    members: list[int]
    edges: list[CycleEdge]
    roots: list[CycleRoot]


def vm_seed_cycle() -> CycleCase:
    b = GraphBuilder()
    env = b.add_node(NodeKind.NATIVE, "node::Environment", node_id=0x1000, self_size=4096)
    entry = b.add_node(NodeKind.NATIVE, "node::CompiledFnEntry", node_id=0x1010, self_size=48)
    wrapper = b.add_node(NodeKind.OBJECT, "CompiledFnEntry", node_id=0x2000, self_size=24)
    holder = b.add_node(NodeKind.OBJECT, "Object", node_id=0x2010, self_size=28)
    imd = b.add_node(NodeKind.CLOSURE, "importModuleDynamically", node_id=0x2020, self_size=32)
    context = b.add_node(NodeKind.HIDDEN, "system / Context", node_id=0x2030, self_size=40)
    fn = b.add_node(NodeKind.CLOSURE, "compiled", node_id=0x2040, self_size=32)
    script = b.add_node(NodeKind.CODE, "system / Script", node_id=0x2050, self_size=80)
    options = b.add_node(NodeKind.ARRAY, "PrimitiveArray", node_id=0x2060, self_size=24)
    g = b.freeze(SourceInfo("hand-built", "test", "Node embedder"))
    edges = [
        CycleEdge(env, entry, "id_to_function_map[1]", EdgeKind.NATIVE_HANDLE),
        CycleEdge(entry, wrapper, "object (v8::Global)", EdgeKind.NATIVE_HANDLE),
        CycleEdge(wrapper, holder, "callbackMap entry", EdgeKind.EPHEMERON),
        CycleEdge(holder, imd, "importModuleDynamically", EdgeKind.PROPERTY),
        CycleEdge(imd, context, "context", EdgeKind.INTERNAL),
        CycleEdge(context, fn, "func", EdgeKind.CONTEXT_VARIABLE),
        CycleEdge(fn, entry, "fn_ (weak v8::Global)", EdgeKind.WEAK_CALLBACK),
        CycleEdge(fn, script, "script", EdgeKind.INTERNAL),
        CycleEdge(script, options, "host_defined_options", EdgeKind.HOST_OPTIONS),
    ]
    members = [env, entry, wrapper, holder, imd, context, fn, script, options]
    return CycleCase(g, members, edges, [CycleRoot("embedder", "Node / Environment", env)])


def zombie_path(graph: RetentionGraph, target: int, zombie: int) -> tuple[RetentionPath, int]:
    """The preferred path to ``target`` and the index of its first edge into ``zombie``."""
    (path,) = find_retaining_paths(graph, [target]).paths
    contexts = graph.node_context
    for index in range(path.length):
        source, into = path.nodes[index], path.nodes[index + 1]
        if contexts[into] == zombie and contexts[source] != zombie:
            return path, index
    raise AssertionError(f"path {path} never enters context {zombie}")


def context_of_node_id(graph: RetentionGraph, node_id: int) -> int:
    """The context whose representing node has engine id ``node_id``."""
    for index, node in enumerate(graph.contexts.node.tolist()):
        if node >= 0 and int(graph.node_id[node]) == node_id:
            return index
    raise AssertionError(f"no context node @{node_id}")
