"""Merge an overlay root dump into a heap snapshot's graph, by snapshot node id.

What is added (``docs/rootdump.md``, "What leakhunt makes of a dump"):

* one ``native`` node per native of the snapshot's isolate (node ids ``-1, -2, …``);
* one edge per dump edge, of the kind its word maps to (ephemerons as two halves);
* a synthetic ``(Embedder handles)`` node under the super root with a ``strong global handle``
  root edge to every native that owns a strong global handle; for each such handle one of the
  snapshot's own ``(Global handles)`` strong root edges to the same target becomes weak (a weak
  global handle root): it is the same ``v8::Global``, now attributed to its owner, so the root
  that holds the target is the owner's handle and retained sizes credit the owner;
* a synthetic ``(Embedder roots)`` node carrying the dump's own ``roots``.

The CSR is rebuilt in one sequential pass over the snapshot's edge columns
(:func:`~.csr_merge.merge_csr`): the snapshot's edges keep their order within each source, the
dump's follow them. A caller that gives the snapshot's graph up (``consume``) lets the merge
write into the room its importer left after the columns (:mod:`leakhunt.graph.room`, asked for
with ``ImportOptions.node_room``/``edge_room``) instead of copying them.

Which isolate: a dump that describes one isolate (or none) applies whole; a dump of several
isolates applies the records of the isolate whose ``snapshot`` names the snapshot file (same
base name, with or without ``.gz``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import EphemeronTable, RetentionGraph, RootTable
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.graph.processes import ContextFacts
from leakhunt.graph.room import grown
from leakhunt.importers.rootdump.context_state import with_dump_facts
from leakhunt.importers.rootdump.csr_merge import merge_csr
from leakhunt.importers.rootdump.reader import RootDump
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
S = TypeVar("S", bound=np.generic)
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


class _IdIndex:
    """Snapshot node id → ordinal, sorted once."""

    def __init__(self, graph: RetentionGraph) -> None:
        node_ids = graph.node_id
        if node_ids.size > 1 and bool(np.all(node_ids[1:] > node_ids[:-1])):
            self.order: I64 | None = None
            self.sorted_ids = node_ids
        else:
            self.order = np.argsort(node_ids, kind="stable")
            self.sorted_ids = node_ids[self.order]

    def lookup(self, ids: I64) -> I64:
        """Ordinal of each id, -1 when absent.

        The ids are searched in ascending order (numpy's binary search starts from the
        previous hit then, and the sorted column is walked once instead of at random).
        """
        sorted_ids = self.sorted_ids
        if not sorted_ids.size or not ids.size:
            return np.full(ids.shape, -1, dtype=np.int64)
        query_order = np.argsort(ids)  # equal ids get equal answers: no need for stable
        queries = ids[query_order]
        position = np.minimum(np.searchsorted(sorted_ids, queries), sorted_ids.size - 1)
        found = sorted_ids[position] == queries
        ordinals = position if self.order is None else self.order[position]
        result = np.empty(ids.shape, dtype=np.int64)
        result[query_order] = np.where(found, ordinals, -1)
        return result


def apply_overlay(
    graph: RetentionGraph, dump: RootDump, *, lenient: bool = False, consume: bool = False
) -> OverlayResult:
    """Merge ``dump`` into ``graph`` (see the module docstring).

    With ``consume``, the caller gives ``graph`` up: the result may take over its columns'
    storage and rewrite its edges, so ``graph`` must not be read afterwards (nor overlaid
    again). Without it, ``graph`` is left as it was.

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
    snapshot_name = os.path.basename(graph.source.path)
    n = graph.node_count
    if isolate is None:
        included = np.ones(len(natives), dtype=np.bool_)
    else:
        included = np.array([i == isolate for i in natives.isolates], dtype=np.bool_)
        for index in np.flatnonzero(
            ~included & np.array([i is None for i in natives.isolates], dtype=np.bool_)
        ).tolist():
            problems.report(
                natives.pointer(index, "isolate"),
                "a dump of several isolates must say which isolate each native belongs to",
            )
    native_count = int(included.sum())
    native_ordinals = np.full(len(natives), -1, dtype=np.int64)
    native_ordinals[included] = n + np.arange(native_count, dtype=np.int64)
    ids = _IdIndex(graph)

    # Which edges apply, and their endpoints as ordinals.
    keep = np.ones(len(edges), dtype=np.bool_)
    if isolate is not None:
        own = [code for code, value in enumerate(edges.isolate_values) if value in (None, isolate)]
        keep &= np.isin(edges.isolate_code, own)
    endpoints: list[I64] = []
    everywhere = np.ones(len(edges), np.bool_)
    sides = (
        ("from", edges.from_native, edges.from_value, everywhere),
        ("to", edges.to_native, edges.to_value, everywhere),
        ("key", edges.key_native, edges.key_value, edges.has_key),
    )
    # Every JS reference of the three sides looked up at once (one sort, one search).
    js_masks = [present & ~is_native for _, is_native, _, present in sides]
    js_ordinals = ids.lookup(
        np.concatenate(
            [value[mask] for (_, _, value, _), mask in zip(sides, js_masks, strict=True)]
        )
    )
    js_starts = np.cumsum([0, *(int(np.count_nonzero(mask)) for mask in js_masks)])
    for index, (side, is_native, value, present) in enumerate(sides):
        ordinal = np.full(len(edges), -1, dtype=np.int64)
        native_rows = present & is_native
        ordinal[native_rows] = native_ordinals[value[native_rows]]
        # An edge touching a native of another isolate belongs to that isolate's snapshot.
        keep &= ~(native_rows & (ordinal < 0))
        js_rows = js_masks[index]
        ordinal[js_rows] = js_ordinals[js_starts[index] : js_starts[index + 1]]
        for row in np.flatnonzero(keep & js_rows & (ordinal < 0)).tolist():
            problems.report(
                edges.pointer(row, side),
                f"no node with id {int(value[row])} in snapshot {snapshot_name!r}",
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

    # Edge names: one lookup per distinct (kind, name) pair.
    codes = edges.kind[rows]
    pair = codes.astype(np.int64) * (len(edges.name_values) + 1) + edges.name_code[rows]
    distinct, inverse = np.unique(pair, return_inverse=True)
    distinct_names = np.empty(distinct.size, dtype=np.uint32)
    for i, value in enumerate(distinct.tolist()):
        code, name_code = divmod(value, len(edges.name_values) + 1)
        text = edge_name(EDGE_KINDS[code], edges.name_values[name_code])
        distinct_names[i] = int(text) if code == _ELEMENT else intern(str(text))
    row_names = distinct_names[inverse.reshape(-1)]
    plain_mask = codes != _EPHEMERON
    plain = rows[plain_mask]
    eph_rows = rows[~plain_mask]
    eph_names = row_names[~plain_mask]
    eph_kind = np.full(eph_rows.size, int(EdgeKind.EPHEMERON), dtype=np.uint8)

    # Synthetic category nodes under the super root, and the root edges they carry.
    handle_rows = plain[edges.kind[plain] == _STRONG_HANDLE]
    owns_handle = np.zeros(len(natives), dtype=np.bool_)
    owns_handle[edges.from_value[handle_rows]] = True  # np.unique sorts: 30x slower here
    owners = native_ordinals[np.flatnonzero(owns_handle)]
    dump_roots: list[tuple[int, int, int]] = []  # (target ordinal, root kind, label index)
    for root in dump.roots:
        if root.to_native:
            rooted = int(native_ordinals[root.to_value])
            if rooted < 0:
                continue
        else:
            rooted = int(ids.lookup(np.array([root.to_value], dtype=np.int64))[0])
            if rooted < 0:
                problems.report(
                    f"/roots/{root.record}/to",
                    f"no node with id {root.to_value} in snapshot {snapshot_name!r}",
                )
                continue
        label = intern(root_label(root.kind, root.name, root.unseen_references))
        dump_roots.append((rooted, int(ROOT_KIND_OF[root.kind]), label))
    categories = [
        name
        for name, used in ((HANDLES_CATEGORY, owners.size), (ROOTS_CATEGORY, dump_roots))
        if used
    ]
    category_ordinals = n + native_count + np.arange(len(categories), dtype=np.int64)
    category_names = np.array([intern(name) for name in categories], dtype=np.uint32)
    top_level = int(graph.node_first_edge[1] - graph.node_first_edge[0])
    root_sources: list[I64] = [np.zeros(len(categories), np.int64)]
    root_targets: list[I64] = [category_ordinals]
    root_kinds: list[npt.NDArray[np.uint8]] = []
    root_labels: list[npt.NDArray[np.uint32]] = []
    root_edge_names: list[npt.NDArray[np.uint32]] = [
        np.arange(top_level + 1, top_level + 1 + len(categories), dtype=np.uint32)
    ]
    root_edge_kinds: list[npt.NDArray[np.uint8]] = [
        np.full(len(categories), int(EdgeKind.ELEMENT), np.uint8)
    ]
    for category, category_ordinal, label_index in zip(
        categories, category_ordinals.tolist(), category_names.tolist(), strict=True
    ):
        targets: I64
        if category == HANDLES_CATEGORY:
            targets = owners
            kinds = np.full(owners.size, int(RootKind.STRONG_GLOBAL_HANDLE), np.uint8)
            labels = np.full(owners.size, label_index, np.uint32)
        else:
            targets = np.array([r[0] for r in dump_roots], dtype=np.int64)
            kinds = np.array([r[1] for r in dump_roots], dtype=np.uint8)
            labels = np.array([r[2] for r in dump_roots], dtype=np.uint32)
        root_sources.append(np.full(targets.size, category_ordinal, np.int64))
        root_targets.append(targets)
        root_kinds.append(kinds)
        root_labels.append(labels)
        root_edge_names.append(labels)
        root_edge_kinds.append(np.full(targets.size, int(EdgeKind.INTERNAL), np.uint8))
    category_edges = len(categories)

    # Every added edge, in one order: plain dump edges, table halves, key halves, root edges.
    add_src = np.concatenate([source[plain], source[eph_rows], key[eph_rows], *root_sources])
    add_tgt = np.concatenate([target[plain], target[eph_rows], target[eph_rows], *root_targets])
    add_kind = np.concatenate(
        [EDGE_KIND_OF[edges.kind[plain]], eph_kind, eph_kind, *root_edge_kinds]
    )
    add_name = np.concatenate([row_names[plain_mask], eph_names, eph_names, *root_edge_names])
    first_root_edge = plain.size + 2 * eph_rows.size + category_edges

    # Snapshot root edges the dump's handles supersede: they stay, as weak edges and weak roots.
    superseded = _superseded_global_handles(graph, target[handle_rows])
    total_nodes = n + native_count + len(categories)
    old_eph = graph.ephemerons
    merged = merge_csr(
        graph,
        add_src,
        add_tgt.astype(np.int32),
        add_kind.astype(np.uint8),
        add_name.astype(np.uint32),
        total_nodes,
        old_edges=(graph.roots.edge, old_eph.edge),
        consume=consume,
    )
    # From here on, a consumed graph's edge columns hold the merged edges.
    add_to_new = merged.add_to_new
    old_root_edges, old_eph_edges = merged.moved
    merged.kind[old_root_edges[superseded]] = int(EdgeKind.WEAK)
    old_root_kinds = graph.roots.kind.copy()
    old_root_kinds[superseded] = int(RootKind.WEAK_GLOBAL_HANDLE)
    new_root_edges = add_to_new[first_root_edge:]
    roots = RootTable(
        edge=np.concatenate([old_root_edges, new_root_edges]).astype(np.int64),
        kind=np.concatenate([old_root_kinds, *root_kinds]).astype(np.uint8),
        label=np.concatenate([graph.roots.label, *root_labels]).astype(np.uint32),
    )

    new_entry = len(old_eph) + np.arange(eph_rows.size, dtype=np.int32)
    eph_edge = np.concatenate(
        [
            old_eph_edges,
            add_to_new[plain.size : plain.size + eph_rows.size],
            add_to_new[plain.size + eph_rows.size : plain.size + 2 * eph_rows.size],
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
    # Native names are appended as they are (no interning: each is usually distinct).
    native_names = len(strings) + np.arange(included_rows.size, dtype=np.uint32)
    if included_rows.size == len(natives):  # the usual case: a dump of this isolate alone
        strings.extend(natives.names)
        class_index = {name: intern(name) for name in dict.fromkeys(natives.classes)}
        native_classes = np.fromiter(
            map(class_index.__getitem__, natives.classes), np.uint32, len(natives)
        )
    else:
        strings.extend(natives.names[i] for i in included_rows.tolist())
        class_index = {name: intern(name) for name in dict.fromkeys(natives.classes)}
        native_classes = np.array(
            [class_index[natives.classes[i]] for i in included_rows.tolist()], np.uint32
        )
    context_of_native = _native_contexts(graph, dump, included_rows)
    added = native_count + len(categories)

    def appended(column: npt.NDArray[S], tails: list[npt.NDArray[Any]]) -> npt.NDArray[S]:
        return _appended(column, tails, consume=consume)

    merged_graph = dataclasses.replace(
        graph,
        strings=tuple(strings),
        type_names=tuple(type_names),
        node_type=appended(
            graph.node_type,
            [
                np.full(native_count, type_names.index("native"), np.uint8),
                np.full(len(categories), type_names.index("synthetic"), np.uint8),
            ],
        ),
        node_kind=appended(
            graph.node_kind,
            [
                np.full(native_count, int(NodeKind.NATIVE), np.uint8),
                np.full(len(categories), int(NodeKind.SYNTHETIC), np.uint8),
            ],
        ),
        node_name=appended(graph.node_name, [native_names, category_names]),
        node_class=appended(graph.node_class, [native_classes, category_names]),
        node_id=appended(
            graph.node_id,
            [
                -(included_rows.astype(np.int64) + 1),
                np.zeros(len(categories), np.int64),
            ],
        ),
        node_self_size=appended(
            graph.node_self_size,
            [
                natives.sizes[included_rows],
                np.zeros(len(categories), np.int64),
            ],
        ),
        node_context=appended(
            graph.node_context,
            [context_of_native, np.full(len(categories), -1, np.int32)],
        ),
        node_detachedness=appended(graph.node_detachedness, [np.zeros(added, np.uint8)]),
        node_first_edge=merged.first,
        edge_target=merged.target,
        edge_kind=merged.kind,
        edge_name=merged.name,
        roots=roots,
        ephemerons=ephemerons,
        contexts=with_dump_facts(graph.contexts, _context_facts(graph, dump)),
        source=dataclasses.replace(
            graph.source, details=(*graph.source.details, ("overlay", dump.path))
        ),
        problems=graph.problems + tuple(problems.warnings[:100]),
    )
    merged_graph.validate()
    return OverlayResult(merged_graph, native_ordinals, tuple(problems.warnings))


def _appended(
    column: npt.NDArray[S], tails: list[npt.NDArray[Any]], *, consume: bool
) -> npt.NDArray[S]:
    """``column`` followed by ``tails``: written into the column's room when the caller gives
    the graph up and the room suffices (:mod:`leakhunt.graph.room`), else a new array."""
    length = column.size + sum(tail.size for tail in tails)
    result = grown(column, length) if consume else None
    if result is None:
        return np.concatenate([column, *tails]).astype(column.dtype, copy=False)
    start = column.size
    for tail in tails:
        result[start : start + tail.size] = tail
        start += tail.size
    return result


def _superseded_global_handles(graph: RetentionGraph, handle_targets: I64) -> I64:
    """Root rows of ``(Global handles)`` strong edges to the dump's handle targets: as many
    per target as the dump has strong handles to it."""
    if not handle_targets.size:
        return np.zeros(0, dtype=np.int64)
    roots = graph.roots
    labelled = np.isin(roots.label, _labels_of(graph, _GLOBAL_HANDLES))
    candidates = np.flatnonzero((roots.kind == RootKind.STRONG_GLOBAL_HANDLE) & labelled)
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


def _labels_of(graph: RetentionGraph, text: str) -> npt.NDArray[np.uint32]:
    """The root label indices whose string is ``text`` (only the few distinct labels are
    looked at, not the whole string table)."""
    distinct = np.unique(graph.roots.label)
    return distinct[[graph.strings[index] == text for index in distinct.tolist()]]


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
    if not by_node_id:
        return result
    for i, row in enumerate(rows.tolist()):
        context = dump.natives.contexts[row]
        if context is not None:
            result[i] = by_node_id.get((dump.isolate_of_native(row), context), -1)
    return result


def _context_facts(graph: RetentionGraph, dump: RootDump) -> dict[int, ContextFacts]:
    """The dump's facts about each snapshot context it names by node id (the ``node`` of the
    context, or of its global)."""
    by_node_id: dict[int, int] = {}
    for index in range(len(graph.contexts)):
        for node in (int(graph.contexts.node[index]), int(graph.contexts.global_node[index])):
            if node >= 0:
                by_node_id[int(graph.node_id[node])] = index
    facts: dict[int, ContextFacts] = {}
    for isolate in dump.processes.isolates():
        for context in isolate.contexts:
            for node_id in (context.node_id, context.global_node_id):
                if node_id is not None and node_id in by_node_id:
                    facts[by_node_id[node_id]] = context
                    break
    return facts
