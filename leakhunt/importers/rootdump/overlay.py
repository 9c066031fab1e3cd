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
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import ContextTable, EphemeronTable, RetentionGraph, RootTable
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.graph.processes import ContextFacts
from leakhunt.graph.room import grown
from leakhunt.importers.rootdump.context_state import with_dump_facts
from leakhunt.importers.rootdump.csr_merge import merge_csr
from leakhunt.importers.rootdump.dump import RootDump
from leakhunt.importers.rootdump.overlay_edges import (
    GrowingStrings,
    PlacedNatives,
    added_edges,
    place_natives,
    select_isolate,
)
from leakhunt.importers.rootdump.records import Problems

__all__ = ["OverlayResult", "apply_overlay"]

I64 = npt.NDArray[np.int64]
S = TypeVar("S", bound=np.generic)
_GLOBAL_HANDLES = "(Global handles)"


@dataclass(frozen=True, slots=True)
class OverlayResult:
    """The merged graph and what the merge noticed."""

    graph: RetentionGraph
    native_ordinals: I64
    """Graph ordinal of each native of the dump, -1 for natives of other isolates."""
    warnings: tuple[str, ...]
    """Records dropped under ``lenient`` (and the reader's own warnings)."""


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
    problems = Problems(dump.path, lenient)
    problems.warnings.extend(dump.warnings)
    isolate = select_isolate(graph, dump)
    natives = place_natives(graph, dump, isolate, problems)
    strings = GrowingStrings(graph.strings)
    added = added_edges(graph, dump, isolate, natives, strings, problems)
    # Read before a consumed graph's edge columns are rewritten.
    superseded = _superseded_global_handles(graph, added.handle_targets)
    old_roots, old_eph = graph.roots, graph.ephemerons
    node_count = graph.node_count + natives.count + added.categories.size
    merged = merge_csr(
        graph,
        added.source,
        added.target.astype(np.int32),
        added.kind,
        added.name,
        node_count,
        old_edges=(old_roots.edge, old_eph.edge, *_context_edges(graph.contexts)),
        consume=consume,
    )
    old_root_edges, old_eph_edges, *context_edges = merged.moved
    # Snapshot root edges the dump's handles supersede stay, as weak edges and weak roots.
    merged.kind[old_root_edges[superseded]] = int(EdgeKind.WEAK)
    old_root_kinds = old_roots.kind.copy()
    old_root_kinds[superseded] = int(RootKind.WEAK_GLOBAL_HANDLE)
    roots = RootTable(
        edge=np.concatenate([old_root_edges, merged.add_to_new[added.first_root_edge :]]),
        kind=np.concatenate([old_root_kinds, added.root_kind]),
        label=np.concatenate([old_roots.label, added.root_label]).astype(np.uint32),
    )
    # The dump's ephemerons follow its plain edges: their table halves, then their key halves.
    halves = merged.add_to_new[added.plain : added.plain + 2 * added.ephemerons]
    node_columns = _node_columns(graph, dump, natives, added.categories, strings, consume=consume)
    merged_graph = dataclasses.replace(
        graph,
        **node_columns,
        strings=tuple(strings.texts),
        node_first_edge=merged.first,
        edge_target=merged.target,
        edge_kind=merged.kind,
        edge_name=merged.name,
        roots=roots,
        ephemerons=_merged_ephemerons(old_eph, old_eph_edges, halves),
        contexts=with_dump_facts(
            _moved_context_edges(graph.contexts, context_edges), _context_facts(graph, dump)
        ),
        source=dataclasses.replace(
            graph.source, details=(*graph.source.details, ("overlay", dump.path))
        ),
        problems=graph.problems + tuple(problems.warnings[:100]),
    )
    merged_graph.validate()
    return OverlayResult(merged_graph, natives.ordinals, tuple(problems.warnings))


def _context_edges(contexts: ContextTable) -> list[I64]:
    """The context table's columns of edge ordinals that are present (weak holders, then
    wrappers): they move with the merge like every snapshot edge."""
    columns = (contexts.weak_holder_edges, contexts.wrapper_edges)
    return [column for column in columns if column is not None]


def _moved_context_edges(contexts: ContextTable, moved: list[I64]) -> ContextTable:
    """The context table with those columns as merged ordinals (``moved``, in
    :func:`_context_edges` order)."""
    edges = iter(moved)
    weak, wrappers = contexts.weak_holder_edges, contexts.wrapper_edges
    return dataclasses.replace(
        contexts,
        weak_holder_edges=None if weak is None else next(edges),
        wrapper_edges=None if wrappers is None else next(edges),
    )


def _merged_ephemerons(old: EphemeronTable, old_edges: I64, halves: I64) -> EphemeronTable:
    """The snapshot's weak-map entries (``old_edges``: their halves' merged ordinals) and the
    dump's (``halves``: the merged ordinals of the table halves, then of the key halves)."""
    count = halves.size // 2
    new_entry = len(old) + np.arange(count, dtype=np.int32)
    edge = np.concatenate([old_edges, halves])
    entry = np.concatenate([old.entry, new_entry, new_entry])
    from_key = np.concatenate([old.from_key, np.zeros(count, np.bool_), np.ones(count, np.bool_)])
    order = np.argsort(edge, kind="stable")
    return EphemeronTable(
        edge=edge[order].astype(np.int64),
        entry=entry[order].astype(np.int32),
        from_key=from_key[order],
        entry_halves=np.concatenate([old.entry_halves, np.full(count, 2, dtype=np.uint8)]),
    )


def _node_columns(
    graph: RetentionGraph,
    dump: RootDump,
    natives: PlacedNatives,
    categories: npt.NDArray[np.uint32],
    strings: GrowingStrings,
    *,
    consume: bool,
) -> dict[str, Any]:
    """The node columns of the merged graph (and its type names): the snapshot's nodes, the
    included natives, the category nodes."""
    rows = np.flatnonzero(natives.included)
    type_names = list(graph.type_names)
    for needed in ("native", "synthetic"):
        if needed not in type_names:
            type_names.append(needed)
    # Native names are appended as they are (no interning: each is usually distinct).
    native_names = len(strings.texts) + np.arange(rows.size, dtype=np.uint32)
    all_natives = rows.size == len(dump.natives)  # the usual case: a dump of this isolate alone
    strings.texts.extend(
        dump.natives.names if all_natives else (dump.natives.names[i] for i in rows.tolist())
    )
    class_index = {name: strings.intern(name) for name in dict.fromkeys(dump.natives.classes)}
    classes = dump.natives.classes
    native_classes = (
        np.fromiter(map(class_index.__getitem__, classes), np.uint32, len(classes))
        if all_natives
        else np.array([class_index[classes[i]] for i in rows.tolist()], np.uint32)
    )
    count, added = rows.size, rows.size + categories.size

    def appended(column: npt.NDArray[S], *tails: npt.NDArray[Any]) -> npt.NDArray[S]:
        return _appended(column, list(tails), consume=consume)

    return {
        "type_names": tuple(type_names),
        "node_type": appended(
            graph.node_type,
            np.full(count, type_names.index("native"), np.uint8),
            np.full(categories.size, type_names.index("synthetic"), np.uint8),
        ),
        "node_kind": appended(
            graph.node_kind,
            np.full(count, int(NodeKind.NATIVE), np.uint8),
            np.full(categories.size, int(NodeKind.SYNTHETIC), np.uint8),
        ),
        "node_name": appended(graph.node_name, native_names, categories),
        "node_class": appended(graph.node_class, native_classes, categories),
        "node_id": appended(
            graph.node_id, -(rows.astype(np.int64) + 1), np.zeros(categories.size, np.int64)
        ),
        "node_self_size": appended(
            graph.node_self_size, dump.natives.sizes[rows], np.zeros(categories.size, np.int64)
        ),
        "node_context": appended(
            graph.node_context,
            _native_contexts(graph, dump, rows),
            np.full(categories.size, -1, np.int32),
        ),
        "node_detachedness": appended(graph.node_detachedness, np.zeros(added, np.uint8)),
    }


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
