"""A standalone root dump as a complete graph (engines without a snapshot format: QuickJS).

Nodes: the super root, then the dump's ``nodes`` in file order, then its natives (negative node
ids ``-1, -2, …``), then the synthetic ``(Embedder handles)`` node when any native owns a strong
global handle. Roots: the dump's ``roots`` leave the super root (``external`` ones become
``refcounted`` roots labelled ``"K unknown references"``); every native that owns a strong
global handle is rooted from ``(Embedder handles)``, and the handle is its ``native handle``
edge. Contexts: one per context of ``processes``, in file order.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.builder import GraphBuilder
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers.rootdump.context_state import with_dump_facts
from leakhunt.importers.rootdump.reader import RootDump
from leakhunt.importers.rootdump.vocabulary import (
    EDGE_CODE,
    EDGE_KIND_OF,
    EDGE_KINDS,
    HANDLES_CATEGORY,
    ROOT_KIND_OF,
    edge_name,
    node_kind_of,
    root_label,
)

__all__ = ["build_standalone_graph"]

_STRONG_HANDLE = EDGE_CODE["strong_global_handle"]


class _Problems:
    def __init__(self, dump: RootDump, lenient: bool) -> None:
        self.dump = dump
        self.lenient = lenient
        self.warnings: list[str] = list(dump.warnings)

    def report(self, pointer: str, problem: str, consequence: str = "record dropped") -> None:
        if not self.lenient:
            raise SnapshotFormatError(self.dump.path, pointer, problem)
        self.warnings.append(f"{self.dump.path}: {pointer}: {problem} ({consequence})")


def build_standalone_graph(dump: RootDump, *, lenient: bool = False) -> RetentionGraph:
    """The graph of a ``"standalone"`` dump.

    Raises
    ------
    SnapshotFormatError
        A ``{"js": ID}`` that names no node, or a ``context`` that names no context (warnings
        under ``lenient``).
    """
    problems = _Problems(dump, lenient)
    b = GraphBuilder()
    only = dump.only_isolate()
    context_index: dict[tuple[str | None, str], int] = {}
    facts = [
        (isolate.id, context)
        for isolate in dump.processes.isolates()
        for context in isolate.contexts
    ]
    known_contexts = {(isolate_id, c.id) for isolate_id, c in facts}
    nodes = dump.nodes
    ordinal_of_id = {int(node_id): 1 + i for i, node_id in enumerate(nodes.ids.tolist())}
    # A heap that gives every object its address is named by address, as SpiderMonkey and CC
    # logs are: 0xADDR selectors work, and two dumps of one process compare object by object.
    engine_ids = nodes.ids
    by_address = (
        nodes.addresses is not None
        and bool((nodes.addresses >= 0).all())
        and np.unique(nodes.addresses).size == len(nodes)
    )
    if by_address and nodes.addresses is not None:
        engine_ids = nodes.addresses
    for i in range(len(nodes)):
        node_context_id = nodes.contexts[i]
        b.add_node(
            node_kind_of(nodes.kinds[i]),
            nodes.names[i],
            node_id=int(engine_ids[i]),
            self_size=int(nodes.sizes[i]),
            type_name=nodes.kinds[i],
            class_name=nodes.classes[i],
        )
        if (
            node_context_id is not None
            and (nodes.isolates[i] or only, node_context_id) not in known_contexts
        ):
            problems.report(
                f"/nodes/{i}/context",
                f"no context {node_context_id!r} in the dump",
                "attribution dropped",
            )
    first_native = b.node_count
    natives = dump.natives
    for i in range(len(natives)):
        b.add_node(
            NodeKind.NATIVE,
            natives.names[i],
            node_id=-(i + 1),
            self_size=int(natives.sizes[i]),
            type_name="native",
            class_name=natives.classes[i],
        )
    for isolate_id, context in facts:
        node = ordinal_of_id.get(context.node_id, -1) if context.node_id is not None else -1
        glob = (
            ordinal_of_id.get(context.global_node_id, -1)
            if context.global_node_id is not None
            else -1
        )
        context_index[(isolate_id, context.id)] = b.add_context(
            node, glob, context.name or context.id, "context"
        )
    edges = dump.edges

    def ordinal(is_native: bool, value: int, pointer: str) -> int | None:
        if is_native:
            return first_native + value
        found = ordinal_of_id.get(value)
        if found is None:
            problems.report(pointer, f"no node with id {value} in the dump")
        return found

    handle_owners: dict[int, None] = {}
    for e in range(len(edges)):
        code = int(edges.kind[e])
        word = EDGE_KINDS[code]
        source = ordinal(
            bool(edges.from_native[e]), int(edges.from_value[e]), edges.pointer(e, "from")
        )
        target = ordinal(bool(edges.to_native[e]), int(edges.to_value[e]), edges.pointer(e, "to"))
        key = (
            ordinal(bool(edges.key_native[e]), int(edges.key_value[e]), edges.pointer(e, "key"))
            if edges.has_key[e]
            else None
        )
        if source is None or target is None or (edges.has_key[e] and key is None):
            continue
        name = edge_name(word, edges.name(e))
        if word == "ephemeron":
            assert key is not None
            b.add_ephemeron(source, key, target, str(name))
            continue
        b.add_edge(source, target, EdgeKind(int(EDGE_KIND_OF[code])), name)
        if code == _STRONG_HANDLE:
            handle_owners[source] = None
    if handle_owners:
        category = b.add_node(NodeKind.SYNTHETIC, HANDLES_CATEGORY, node_id=0)
        b.add_edge(b.root, category, EdgeKind.ELEMENT, 1)
        for owner in handle_owners:
            b.add_root(owner, RootKind.STRONG_GLOBAL_HANDLE, HANDLES_CATEGORY, source=category)
    for root in dump.roots:
        target = ordinal(root.to_native, root.to_value, f"/roots/{root.record}/to")
        if target is None:
            continue
        label = root_label(root.kind, root.name, root.unseen_references)
        b.add_root(target, ROOT_KIND_OF[root.kind], label)
    graph = b.freeze(
        SourceInfo(
            dump.path,
            "leakhunt-rootdump",
            _engine(dump),
            (
                *(("producer " + k, v) for k, v in dump.producer),
                *_process_detail(dump, by_address),
            ),
        )
    )
    node_context = graph.node_context.copy()
    for i, own in enumerate(nodes.contexts):
        if own is not None:
            node_context[1 + i] = context_index.get((nodes.isolates[i] or only, own), -1)
    for i, own in enumerate(natives.contexts):
        if own is not None:
            node_context[first_native + i] = context_index.get(
                (natives.isolates[i] or only, own), -1
            )
    facts_by_index = {
        context_index[(isolate_id, context.id)]: context for isolate_id, context in facts
    }
    return dataclasses.replace(
        graph,
        contexts=with_dump_facts(graph.contexts, facts_by_index),
        node_context=node_context.astype(np.int32),
        problems=graph.problems + tuple(problems.warnings[:100]),
    )


def _process_detail(dump: RootDump, by_address: bool) -> tuple[tuple[str, str], ...]:
    """``("process", "pid N")`` when nodes are named by address and the dump names its one
    process: two dumps with the same detail name the same objects by the same addresses."""
    pids = {p.pid for p in dump.processes.processes}
    if not by_address or len(pids) != 1 or None in pids:
        return ()
    return (("process", f"pid {pids.pop()}"),)


def _engine(dump: RootDump) -> str:
    for key, value in dump.producer:
        if key == "engine":
            return value
    return "embedder"
