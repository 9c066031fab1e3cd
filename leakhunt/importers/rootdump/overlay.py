"""Merge an overlay root dump into a heap snapshot's graph, by snapshot node id.

What is added (``docs/rootdump.md``, "What leakhunt makes of a dump"):

* one ``native`` node per native of the snapshot's isolate (node ids ``-1, -2, …``);
* one edge per dump edge, of the kind its word maps to (ephemerons as two halves);
* a synthetic ``(Embedder handles)`` node under the super root with a ``strong global handle``
  root edge to every native that owns a strong global handle; for each such handle one of the
  snapshot's own ``(Global handles)`` strong root edges to the same target is removed, so the
  root that holds the target is the owner's handle and retained sizes credit the owner;
* a synthetic ``(Embedder roots)`` node carrying the dump's own ``roots``.

The CSR is rebuilt in ``O(n + m)`` array operations (no sort of the snapshot's edges): the
snapshot's edges keep their order within each source, the dump's follow them.

Which isolate: a dump that describes one isolate (or none) applies whole; a dump of several
isolates applies the records of the isolate whose ``snapshot`` names the snapshot file (same
base name, with or without ``.gz``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import EphemeronTable, RetentionGraph, RootTable
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers.rootdump.reader import RootDump
from leakhunt.importers.rootdump.standalone import native_root_label
from leakhunt.importers.rootdump.vocabulary import (
    EDGE_CODE,
    EDGE_KIND_OF,
    EDGE_KINDS,
    HANDLES_CATEGORY,
    ROOT_KIND_OF,
    ROOTS_CATEGORY,
    edge_name,
    root_label,
)

__all__ = ["OverlayResult", "apply_overlay"]

I64 = npt.NDArray[np.int64]
_GLOBAL_HANDLES = "(Global handles)"
_STRONG_HANDLE = EDGE_CODE["strong_global_handle"]
_EPHEMERON = EDGE_CODE["ephemeron"]
_ELEMENT = EDGE_CODE["element"]


@dataclass(frozen=True, slots=True)
class OverlayResult:
    """The merged graph and what the merge noticed."""

    graph: RetentionGraph
    native_ordinals: I64
    """Graph ordinal of each native of the dump, -1 for natives of other isolates."""
    warnings: tuple[str, ...]
    """Records dropped under ``lenient`` (and the reader's own warnings)."""


def _basename(path: str) -> str:
    name = os.path.basename(path)
    return name[:-3] if name.endswith(".gz") else name


def _select_isolate(graph: RetentionGraph, dump: RootDump) -> str | None:
    isolates = dump.processes.isolates()
    if len(isolates) <= 1:
        return None
    wanted = _basename(graph.source.path)
    for isolate in isolates:
        if isolate.snapshot and _basename(isolate.snapshot) == wanted:
            return isolate.id
    raise SnapshotFormatError(
        dump.path,
        "/processes",
        f"describes {len(isolates)} isolates and none has snapshot {wanted!r}",
    )


class _Problems:
    def __init__(self, dump: RootDump, lenient: bool) -> None:
        self.dump = dump
        self.lenient = lenient
        self.warnings: list[str] = list(dump.warnings)

    def report(self, pointer: str, problem: str) -> None:
        if not self.lenient:
            raise SnapshotFormatError(self.dump.path, pointer, problem)
        self.warnings.append(f"{self.dump.path}: {pointer}: {problem} (record dropped)")


def _id_lookup(graph: RetentionGraph, ids: I64) -> I64:
    """Ordinal of each snapshot node id, -1 when absent."""
    node_ids = graph.node_id
    if node_ids.size > 1 and bool(np.all(node_ids[1:] > node_ids[:-1])):
        order = None
        sorted_ids = node_ids
    else:
        order = np.argsort(node_ids, kind="stable")
        sorted_ids = node_ids[order]
    position = np.searchsorted(sorted_ids, ids)
    position = np.minimum(position, max(sorted_ids.size - 1, 0))
    found = sorted_ids[position] == ids if sorted_ids.size else np.zeros(ids.shape, np.bool_)
    ordinals = position if order is None else order[position]
    return np.where(found, ordinals, -1).astype(np.int64)


def apply_overlay(graph: RetentionGraph, dump: RootDump, *, lenient: bool = False) -> OverlayResult:
    """Merge ``dump`` into ``graph`` (see the module docstring).

    Raises
    ------
    SnapshotFormatError
        The dump is not an overlay, names a node id the snapshot lacks, or describes several
        isolates none of which is this snapshot's (warnings instead under ``lenient`` for
        per-record problems).
    """
    if dump.graph != "overlay":
        raise SnapshotFormatError(
            dump.path, "/graph", f"a {dump.graph!r} dump cannot be overlaid on a snapshot"
        )
    problems = _Problems(dump, lenient)
    isolate = _select_isolate(graph, dump)
    natives, edges = dump.natives, dump.edges
    n = graph.node_count
    if isolate is None:
        included = np.ones(len(natives), dtype=np.bool_)
    else:
        included = np.array([i == isolate for i in natives.isolates], dtype=np.bool_)
        for index in np.flatnonzero(
            ~included & np.array([i is None for i in natives.isolates], dtype=np.bool_)
        ).tolist():
            problems.report(
                f"/natives/{natives.records[index]}/isolate",
                "a dump of several isolates must say which isolate each native belongs to",
            )
    native_ordinals = np.full(len(natives), -1, dtype=np.int64)
    native_ordinals[included] = n + np.arange(int(included.sum()), dtype=np.int64)
    native_count = int(included.sum())

    # Which edges apply, and their endpoints as ordinals.
    keep = np.ones(len(edges), dtype=np.bool_)
    if isolate is not None:
        own_isolate = np.array([i is None or i == isolate for i in edges.isolates], dtype=np.bool_)
        keep &= own_isolate
    endpoints: list[I64] = []
    for side, is_native, value, present in (
        ("from", edges.from_native, edges.from_value, np.ones(len(edges), np.bool_)),
        ("to", edges.to_native, edges.to_value, np.ones(len(edges), np.bool_)),
        ("key", edges.key_native, edges.key_value, edges.has_key),
    ):
        ordinal = np.full(len(edges), -1, dtype=np.int64)
        native_rows = present & is_native
        ordinal[native_rows] = native_ordinals[value[native_rows]]
        # An edge touching a native of another isolate belongs to that isolate's snapshot.
        keep &= ~(native_rows & (ordinal < 0))
        js_rows = present & ~is_native
        ordinal[js_rows] = _id_lookup(graph, value[js_rows])
        missing = np.flatnonzero(keep & js_rows & (ordinal < 0))
        for row in missing.tolist():
            problems.report(
                f"/edges/{int(edges.records[row])}/{side}",
                f"no node with id {int(value[row])} in snapshot "
                f"{os.path.basename(graph.source.path)!r}",
            )
        keep &= ~(js_rows & (ordinal < 0))
        endpoints.append(ordinal)
    source, target, key = endpoints
    rows = np.flatnonzero(keep)

    strings = list(graph.strings)
    new_index: dict[str, int] = {}

    def intern(text: str) -> int:
        found = new_index.get(text)
        if found is None:
            found = new_index[text] = len(strings)
            strings.append(text)
        return found

    # Plain edges (every kind but ephemeron) and ephemeron halves.
    codes = edges.kind[rows]
    plain = rows[codes != _EPHEMERON]
    eph_rows = rows[codes == _EPHEMERON]
    name_cache: dict[tuple[int, str | int | None], int] = {}
    plain_names = np.empty(plain.size, dtype=np.uint32)
    for i, row in enumerate(plain.tolist()):
        code = int(edges.kind[row])
        raw = edges.names[row]
        cached = name_cache.get((code, raw))
        if cached is None:
            text = edge_name(EDGE_KINDS[code], raw)
            cached = int(text) if code == _ELEMENT else intern(str(text))
            name_cache[(code, raw)] = cached
        plain_names[i] = cached
    new_src = [source[plain]]
    new_tgt = [target[plain]]
    new_kind = [EDGE_KIND_OF[edges.kind[plain]]]
    new_name = [plain_names]
    eph_names = np.array(
        [intern(str(edge_name("ephemeron", edges.names[r]))) for r in eph_rows.tolist()],
        dtype=np.uint32,
    )
    eph_kind = np.full(eph_rows.size, int(EdgeKind.EPHEMERON), dtype=np.uint8)
    new_src += [source[eph_rows], key[eph_rows]]
    new_tgt += [target[eph_rows], target[eph_rows]]
    new_kind += [eph_kind, eph_kind]
    new_name += [eph_names, eph_names]
    eph_offset = plain.size  # new-edge index of the first table half

    # Synthetic category nodes and their root edges.
    extra_nodes: list[tuple[str, int]] = []  # (name, ordinal)
    root_new_edge: list[int] = []  # new-edge index of each new root edge
    root_kind: list[int] = []
    root_label_index: list[int] = []
    base_count = sum(a.size for a in new_src)
    category_src: list[int] = []
    category_tgt: list[int] = []
    category_kind: list[int] = []
    category_name: list[int] = []

    def add_category(name: str) -> int:
        ordinal = n + native_count + len(extra_nodes)
        extra_nodes.append((name, ordinal))
        category_src.append(0)
        category_tgt.append(ordinal)
        category_kind.append(int(EdgeKind.ELEMENT))
        category_name.append(
            int(graph.node_first_edge[1] - graph.node_first_edge[0]) + len(extra_nodes)
        )
        return ordinal

    def add_root_edge(category: int, target_ordinal: int, kind: RootKind, label: str) -> None:
        label_index = intern(label)
        root_new_edge.append(base_count + len(category_src))
        category_src.append(category)
        category_tgt.append(target_ordinal)
        category_kind.append(int(EdgeKind.INTERNAL))
        category_name.append(label_index)
        root_kind.append(int(kind))
        root_label_index.append(label_index)

    handle_rows = plain[edges.kind[plain] == _STRONG_HANDLE]
    owners = np.unique(edges.from_value[handle_rows])
    if owners.size:
        handles_node = add_category(HANDLES_CATEGORY)
        for owner in owners.tolist():
            add_root_edge(
                handles_node,
                int(native_ordinals[owner]),
                RootKind.STRONG_GLOBAL_HANDLE,
                native_root_label(dump, owner),
            )
    dump_roots = []
    for root in dump.roots:
        if root.to_native:
            rooted = int(native_ordinals[root.to_value])
            if rooted < 0:
                continue
        else:
            rooted = int(_id_lookup(graph, np.array([root.to_value], dtype=np.int64))[0])
            if rooted < 0:
                problems.report(
                    f"/roots/{root.record}/to",
                    f"no node with id {root.to_value} in snapshot "
                    f"{os.path.basename(graph.source.path)!r}",
                )
                continue
        dump_roots.append((rooted, root))
    if dump_roots:
        roots_node = add_category(ROOTS_CATEGORY)
        for rooted, root in dump_roots:
            add_root_edge(
                roots_node,
                rooted,
                ROOT_KIND_OF[root.kind],
                root_label(root.kind, root.name, root.unseen_references),
            )
    new_src.append(np.array(category_src, dtype=np.int64))
    new_tgt.append(np.array(category_tgt, dtype=np.int64))
    new_kind.append(np.array(category_kind, dtype=np.uint8))
    new_name.append(np.array(category_name, dtype=np.uint32))

    add_src = np.concatenate(new_src).astype(np.int64)
    add_tgt = np.concatenate(new_tgt).astype(np.int32)
    add_kind = np.concatenate(new_kind).astype(np.uint8)
    add_name = np.concatenate(new_name).astype(np.uint32)

    # Snapshot root edges the dump's handles supersede.
    drop_rows = _superseded_global_handles(graph, target[handle_rows])
    kept_edges = np.ones(graph.edge_count, dtype=np.bool_)
    kept_edges[graph.roots.edge[drop_rows]] = False

    total_nodes = n + native_count + len(extra_nodes)
    merged, old_to_new, add_to_new = _merge_csr(graph, kept_edges, add_src, total_nodes)
    total_edges = int(merged[-1])
    edge_target = np.empty(total_edges, dtype=np.int32)
    edge_kind = np.empty(total_edges, dtype=np.uint8)
    edge_name_col = np.empty(total_edges, dtype=np.uint32)
    old_positions = old_to_new[kept_edges]
    edge_target[old_positions] = graph.edge_target[kept_edges]
    edge_kind[old_positions] = graph.edge_kind[kept_edges]
    edge_name_col[old_positions] = graph.edge_name[kept_edges]
    edge_target[add_to_new] = add_tgt
    edge_kind[add_to_new] = add_kind
    edge_name_col[add_to_new] = add_name

    roots_keep = np.ones(len(graph.roots), dtype=np.bool_)
    roots_keep[drop_rows] = False
    roots = RootTable(
        edge=np.concatenate(
            [
                old_to_new[graph.roots.edge[roots_keep]],
                add_to_new[np.array(root_new_edge, dtype=np.int64)],
            ]
        ).astype(np.int64),
        kind=np.concatenate([graph.roots.kind[roots_keep], np.array(root_kind, dtype=np.uint8)]),
        label=np.concatenate(
            [graph.roots.label[roots_keep], np.array(root_label_index, dtype=np.uint32)]
        ),
    )

    old_eph = graph.ephemerons
    entries = len(old_eph)
    new_entry = entries + np.arange(eph_rows.size, dtype=np.int32)
    eph_edge = np.concatenate(
        [
            old_to_new[old_eph.edge],
            add_to_new[eph_offset : eph_offset + eph_rows.size],
            add_to_new[eph_offset + eph_rows.size : eph_offset + 2 * eph_rows.size],
        ]
    )
    eph_entry = np.concatenate([old_eph.entry, new_entry, new_entry])
    eph_from_key = np.concatenate(
        [old_eph.from_key, np.zeros(eph_rows.size, np.bool_), np.ones(eph_rows.size, np.bool_)]
    )
    order = np.argsort(eph_edge, kind="stable")
    ephemerons = EphemeronTable(
        edge=eph_edge[order].astype(np.int64),
        entry=eph_entry[order].astype(np.int32),
        from_key=eph_from_key[order],
        entry_halves=np.concatenate(
            [old_eph.entry_halves, np.full(eph_rows.size, 2, dtype=np.uint8)]
        ),
    )

    type_names = list(graph.type_names)
    for needed in ("native", "synthetic"):
        if needed not in type_names:
            type_names.append(needed)
    included_rows = np.flatnonzero(included)
    native_names = np.array([intern(natives.names[i]) for i in included_rows.tolist()], np.uint32)
    native_classes = np.array(
        [intern(natives.classes[i]) for i in included_rows.tolist()], np.uint32
    )
    extra_names = np.array([intern(name) for name, _ in extra_nodes], np.uint32)
    context_of_native = _native_contexts(graph, dump, included_rows)
    added = native_count + len(extra_nodes)
    merged_graph = dataclasses.replace(
        graph,
        strings=tuple(strings),
        type_names=tuple(type_names),
        node_type=np.concatenate(
            [
                graph.node_type,
                np.full(native_count, type_names.index("native"), np.uint8),
                np.full(len(extra_nodes), type_names.index("synthetic"), np.uint8),
            ]
        ),
        node_kind=np.concatenate(
            [
                graph.node_kind,
                np.full(native_count, int(NodeKind.NATIVE), np.uint8),
                np.full(len(extra_nodes), int(NodeKind.SYNTHETIC), np.uint8),
            ]
        ),
        node_name=np.concatenate([graph.node_name, native_names, extra_names]),
        node_class=np.concatenate([graph.node_class, native_classes, extra_names]),
        node_id=np.concatenate(
            [
                graph.node_id,
                -(included_rows.astype(np.int64) + 1),
                np.zeros(len(extra_nodes), np.int64),
            ]
        ),
        node_self_size=np.concatenate(
            [
                graph.node_self_size,
                natives.sizes[included_rows],
                np.zeros(len(extra_nodes), np.int64),
            ]
        ),
        node_context=np.concatenate(
            [graph.node_context, context_of_native, np.full(len(extra_nodes), -1, np.int32)]
        ),
        node_detachedness=np.concatenate([graph.node_detachedness, np.zeros(added, np.uint8)]),
        node_first_edge=merged,
        edge_target=edge_target,
        edge_kind=edge_kind,
        edge_name=edge_name_col,
        roots=roots,
        ephemerons=ephemerons,
        source=dataclasses.replace(
            graph.source, details=(*graph.source.details, ("overlay", dump.path))
        ),
        problems=graph.problems + tuple(problems.warnings[:100]),
    )
    merged_graph.validate()
    return OverlayResult(merged_graph, native_ordinals, tuple(problems.warnings))


def _superseded_global_handles(graph: RetentionGraph, handle_targets: I64) -> I64:
    """Root rows of ``(Global handles)`` strong edges to the dump's handle targets: as many
    per target as the dump has strong handles to it."""
    if not handle_targets.size:
        return np.zeros(0, dtype=np.int64)
    labels = np.array([s == _GLOBAL_HANDLES for s in _label_strings(graph)], dtype=np.bool_)
    roots = graph.roots
    candidates = np.flatnonzero((roots.kind == RootKind.STRONG_GLOBAL_HANDLE) & labels[roots.label])
    if not candidates.size:
        return candidates.astype(np.int64)
    wanted_targets, wanted_counts = np.unique(handle_targets, return_counts=True)
    targets = graph.edge_target[roots.edge[candidates]].astype(np.int64)
    position = np.searchsorted(wanted_targets, targets)
    position = np.minimum(position, wanted_targets.size - 1)
    hit = wanted_targets[position] == targets
    candidates, targets, position = candidates[hit], targets[hit], position[hit]
    order = np.lexsort((candidates, targets))
    candidates, targets, position = candidates[order], targets[order], position[order]
    # Rank of each candidate among those with the same target.
    starts = np.flatnonzero(np.r_[True, targets[1:] != targets[:-1]])
    run = np.repeat(starts, np.diff(np.r_[starts, targets.size]))
    rank = np.arange(targets.size) - run
    return np.sort(candidates[rank < wanted_counts[position]]).astype(np.int64)


def _label_strings(graph: RetentionGraph) -> list[str]:
    """The strings used as root labels, indexed like :attr:`RetentionGraph.strings` would be,
    but only looked up for the (few) distinct label indices."""
    distinct = np.unique(graph.roots.label)
    table = [""] * (int(distinct.max()) + 1 if distinct.size else 0)
    for index in distinct.tolist():
        table[index] = graph.strings[index]
    return table


def _merge_csr(
    graph: RetentionGraph, kept: npt.NDArray[np.bool_], add_source: I64, node_count: int
) -> tuple[I64, I64, I64]:
    """Offsets of the merged CSR, new position of every old edge (-1 where dropped) and of
    every added edge. Old edges keep their order; added edges follow them per source."""
    old_first = graph.node_first_edge
    n_old = graph.node_count
    kept_cumulative = np.zeros(kept.size + 1, dtype=np.int64)
    np.cumsum(kept, out=kept_cumulative[1:])
    kept_per_node = kept_cumulative[old_first[1:]] - kept_cumulative[old_first[:-1]]
    kept_counts = np.zeros(node_count, dtype=np.int64)
    kept_counts[:n_old] = kept_per_node
    add_counts = np.bincount(add_source, minlength=node_count).astype(np.int64)
    first = np.zeros(node_count + 1, dtype=np.int64)
    np.cumsum(kept_counts + add_counts, out=first[1:])
    # Old edges: position = start of their source + rank among that source's kept edges.
    sources = np.repeat(np.arange(n_old, dtype=np.int64), np.diff(old_first))
    kept_rank = kept_cumulative[1:] - 1 - kept_cumulative[old_first[sources]]
    old_to_new = first[sources] + kept_rank
    old_to_new[~kept] = -1
    # Added edges: after the kept edges of their source, in their given order.
    order = np.argsort(add_source, kind="stable")
    sorted_sources = add_source[order]
    starts = np.searchsorted(sorted_sources, sorted_sources, side="left")
    rank = np.arange(add_source.size, dtype=np.int64) - starts
    add_to_new = np.empty(add_source.size, dtype=np.int64)
    add_to_new[order] = first[sorted_sources] + kept_counts[sorted_sources] + rank
    return first, old_to_new, add_to_new


def _native_contexts(graph: RetentionGraph, dump: RootDump, rows: I64) -> npt.NDArray[np.int32]:
    """Graph context of each included native: the snapshot context whose node has the dump
    context's ``node`` id."""
    result = np.full(rows.size, -1, dtype=np.int32)
    if not len(graph.contexts):
        return result
    by_node_id: dict[tuple[str | None, str], int] = {}
    context_nodes = graph.contexts.node
    ids = {
        int(graph.node_id[node]): index
        for index, node in enumerate(context_nodes.tolist())
        if node >= 0
    }
    for isolate in dump.processes.isolates():
        for context in isolate.contexts:
            if context.node_id is not None and context.node_id in ids:
                by_node_id[(isolate.id, context.id)] = ids[context.node_id]
    for i, row in enumerate(rows.tolist()):
        context = dump.natives.contexts[row]
        if context is not None:
            result[i] = by_node_id.get((dump.isolate_of_native(row), context), -1)
    return result
