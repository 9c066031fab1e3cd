"""What an overlay adds to a snapshot's graph, before anything is merged: the dump's natives
placed after the snapshot's nodes, its edges with their endpoints as ordinals and their names
as string indices, and the synthetic category nodes with the root edges they carry.

Everything here reads the snapshot's graph and writes nothing into it; :mod:`.overlay` merges
the result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.importers.rootdump.dump import RootDump
from leakhunt.importers.rootdump.records import Problems
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

__all__ = [
    "AddedEdges",
    "GrowingStrings",
    "IdIndex",
    "PlacedNatives",
    "added_edges",
    "place_natives",
    "select_isolate",
]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
_STRONG_HANDLE = EDGE_CODE["strong_global_handle"]
_EPHEMERON = EDGE_CODE["ephemeron"]
_ELEMENT = EDGE_CODE["element"]


def _basename(path: str) -> str:
    name = os.path.basename(path)
    return name[:-3] if name.endswith(".gz") else name


def select_isolate(graph: RetentionGraph, dump: RootDump) -> str | None:
    """The isolate of a dump of several whose ``snapshot`` names the graph's file (same base
    name, with or without ``.gz``); None when the dump describes one isolate or none.

    Raises
    ------
    SnapshotFormatError
        Several isolates, none of them the snapshot's.
    """
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


class IdIndex:
    """Snapshot node id → ordinal, sorted once.

    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import NodeKind
    >>> b = GraphBuilder()
    >>> for node_id in (7, 3):
    ...     _ = b.add_node(NodeKind.OBJECT, "o", node_id=node_id)
    >>> index = IdIndex(b.freeze(SourceInfo("inline", "test", "none")))
    >>> index.lookup(np.array([3, 5, 7])).tolist()
    [2, -1, 1]
    """

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


class GrowingStrings:
    """The snapshot's strings, then the ones the overlay adds (each added text once).

    >>> strings = GrowingStrings(("", "a"))
    >>> strings.intern("b"), strings.intern("b"), strings.intern("a"), strings.texts
    (2, 2, 3, ['', 'a', 'b', 'a'])
    """

    def __init__(self, existing: tuple[str, ...]) -> None:
        self.texts = list(existing)
        """All strings, the snapshot's first (their indices do not change)."""
        self._added: dict[str, int] = {}

    def intern(self, text: str) -> int:
        """The index of an added text (the snapshot's own strings are not searched: looking
        up a million of them would cost more than the few duplicates save)."""
        found = self._added.get(text)
        if found is None:
            found = self._added[text] = len(self.texts)
            self.texts.append(text)
        return found


@dataclass(frozen=True, slots=True)
class PlacedNatives:
    """Which of the dump's natives the graph gets, and where."""

    included: npt.NDArray[np.bool_]
    """Per native: whether it belongs to the snapshot's isolate."""
    ordinals: I64
    """Per native: its node ordinal (after the snapshot's nodes), -1 when not included."""
    count: int
    """How many are included."""


def place_natives(
    graph: RetentionGraph, dump: RootDump, isolate: str | None, problems: Problems
) -> PlacedNatives:
    """Number the natives of the snapshot's isolate after the snapshot's nodes, in dump order."""
    natives = dump.natives
    if isolate is None:
        included = np.ones(len(natives), dtype=np.bool_)
    else:
        included = np.array([i == isolate for i in natives.isolates], dtype=np.bool_)
        unattributed = np.array([i is None for i in natives.isolates], dtype=np.bool_)
        for index in np.flatnonzero(~included & unattributed).tolist():
            problems.report(
                natives.pointer(index, "isolate"),
                "a dump of several isolates must say which isolate each native belongs to",
            )
    count = int(included.sum())
    ordinals = np.full(len(natives), -1, dtype=np.int64)
    ordinals[included] = graph.node_count + np.arange(count, dtype=np.int64)
    return PlacedNatives(included, ordinals, count)


@dataclass(frozen=True, slots=True)
class AddedEdges:
    """Every edge the overlay adds, in one order: the dump's plain edges, the table halves and
    then the key halves of its ephemerons, the edges from the super root to the category nodes,
    the root edges under the category nodes."""

    source: I64
    target: I64
    kind: U8
    name: U32
    """String index, or the index itself for element edges."""
    plain: int
    """How many plain dump edges lead."""
    ephemerons: int
    """How many ephemeron entries follow them (each adds two edges)."""
    categories: U32
    """Name (string index) of each category node, numbered after the natives."""
    root_kind: U8
    """Root kind of each root edge (the last ``root_kind.size`` edges)."""
    root_label: U32
    handle_targets: I64
    """Ordinals of the strong global handles' targets, one per handle."""

    @property
    def first_root_edge(self) -> int:
        """Index of the first root edge among the added edges."""
        return self.source.size - self.root_kind.size


def added_edges(
    graph: RetentionGraph,
    dump: RootDump,
    isolate: str | None,
    natives: PlacedNatives,
    strings: GrowingStrings,
    problems: Problems,
) -> AddedEdges:
    """The dump's edges and roots as graph edges (see :class:`AddedEdges`); an edge of another
    isolate is left out, an edge naming an id the snapshot lacks is reported."""
    ids = IdIndex(graph)
    edges = dump.edges
    source, target, key, rows = _endpoints(graph, dump, isolate, natives, ids, problems)

    # Edge names: one lookup per distinct (kind, name) pair.
    codes = edges.kind[rows]
    pair = codes.astype(np.int64) * (len(edges.name_values) + 1) + edges.name_code[rows]
    distinct, inverse = np.unique(pair, return_inverse=True)
    distinct_names = np.empty(distinct.size, dtype=np.uint32)
    for i, value in enumerate(distinct.tolist()):
        code, name_code = divmod(value, len(edges.name_values) + 1)
        text = edge_name(EDGE_KINDS[code], edges.name_values[name_code])
        distinct_names[i] = int(text) if code == _ELEMENT else strings.intern(str(text))
    row_names = distinct_names[inverse.reshape(-1)]
    plain_mask = codes != _EPHEMERON
    plain, eph = rows[plain_mask], rows[~plain_mask]
    eph_names = row_names[~plain_mask]
    eph_kind = np.full(eph.size, int(EdgeKind.EPHEMERON), dtype=np.uint8)

    handle_rows = plain[edges.kind[plain] == _STRONG_HANDLE]
    owns_handle = np.zeros(len(dump.natives), dtype=np.bool_)
    owns_handle[edges.from_value[handle_rows]] = True  # np.unique sorts: 30x slower here
    owners = natives.ordinals[np.flatnonzero(owns_handle)]
    roots = _root_edges(graph, dump, natives, owners, ids, strings, problems)
    return AddedEdges(
        source=np.concatenate([source[plain], source[eph], key[eph], roots.source]),
        target=np.concatenate([target[plain], target[eph], target[eph], roots.target]),
        kind=np.concatenate([EDGE_KIND_OF[edges.kind[plain]], eph_kind, eph_kind, roots.kind]),
        name=np.concatenate([row_names[plain_mask], eph_names, eph_names, roots.name]),
        plain=int(plain.size),
        ephemerons=int(eph.size),
        categories=np.array(roots.categories, dtype=np.uint32),
        root_kind=np.array(roots.root_kind, dtype=np.uint8),
        root_label=np.array(roots.root_label, dtype=np.uint32),
        handle_targets=target[handle_rows],
    )


def _endpoints(
    graph: RetentionGraph,
    dump: RootDump,
    isolate: str | None,
    natives: PlacedNatives,
    ids: IdIndex,
    problems: Problems,
) -> tuple[I64, I64, I64, I64]:
    """Source, target and key ordinal of every dump edge (-1 where absent), and the rows of the
    edges that apply."""
    snapshot_name = os.path.basename(graph.source.path)
    edges = dump.edges
    keep = np.ones(len(edges), dtype=np.bool_)
    if isolate is not None:
        own = [code for code, value in enumerate(edges.isolate_values) if value in (None, isolate)]
        keep &= np.isin(edges.isolate_code, own)
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
    endpoints: list[I64] = []
    for index, (side, is_native, value, present) in enumerate(sides):
        ordinal = np.full(len(edges), -1, dtype=np.int64)
        native_rows = present & is_native
        ordinal[native_rows] = natives.ordinals[value[native_rows]]
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
    return source, target, key, np.flatnonzero(keep)


@dataclass(frozen=True, slots=True)
class _RootEdges:
    """The synthetic category nodes under the super root (numbered after the natives; only
    those with something under them) and the edges to and under them: the super root's edges
    to the categories, then each category's root edges."""

    categories: list[int]
    """Name (string index) of each category node."""
    source: I64
    target: I64
    kind: U8
    name: U32
    root_kind: list[int]
    root_label: list[int]


def _root_edges(
    graph: RetentionGraph,
    dump: RootDump,
    natives: PlacedNatives,
    owners: I64,
    ids: IdIndex,
    strings: GrowingStrings,
    problems: Problems,
) -> _RootEdges:
    """``(Embedder handles)``: a strong-global-handle root edge to each handle owner;
    ``(Embedder roots)``: the dump's own roots (those in this isolate)."""
    snapshot_name = os.path.basename(graph.source.path)
    rooted: list[int] = []
    kinds: list[int] = []
    labels: list[int] = []
    for root in dump.roots:
        if root.to_native:
            ordinal = int(natives.ordinals[root.to_value])
            if ordinal < 0:
                continue
        else:
            ordinal = int(ids.lookup(np.array([root.to_value], dtype=np.int64))[0])
            if ordinal < 0:
                problems.report(
                    f"/roots/{root.record}/to",
                    f"no node with id {root.to_value} in snapshot {snapshot_name!r}",
                )
                continue
        rooted.append(ordinal)
        kinds.append(int(ROOT_KIND_OF[root.kind]))
        labels.append(strings.intern(root_label(root.kind, root.name, root.unseen_references)))
    categories: list[int] = []
    targets: list[I64] = []
    root_kind: list[int] = []
    edge_labels: list[int] = []
    if owners.size:
        label = strings.intern(HANDLES_CATEGORY)
        categories.append(label)
        targets.append(owners)
        root_kind += [int(RootKind.STRONG_GLOBAL_HANDLE)] * owners.size
        edge_labels += [label] * owners.size
    if rooted:
        categories.append(strings.intern(ROOTS_CATEGORY))
        targets.append(np.array(rooted, dtype=np.int64))
        root_kind += kinds
        edge_labels += labels
    count = len(categories)
    ordinals = graph.node_count + natives.count + np.arange(count, dtype=np.int64)
    # The super root's element edges continue its own numbering; a root edge is named by its
    # label.
    top_level = int(graph.node_first_edge[1] - graph.node_first_edge[0])
    return _RootEdges(
        categories=categories,
        source=np.concatenate(
            [np.zeros(count, np.int64), np.repeat(ordinals, [t.size for t in targets])]
        ),
        target=np.concatenate([ordinals, *targets]).astype(np.int64),
        kind=np.concatenate(
            [
                np.full(count, int(EdgeKind.ELEMENT), np.uint8),
                np.full(len(root_kind), int(EdgeKind.INTERNAL), np.uint8),
            ]
        ),
        name=np.concatenate(
            [
                np.arange(top_level + 1, top_level + 1 + count, dtype=np.uint32),
                np.array(edge_labels, dtype=np.uint32),
            ]
        ),
        root_kind=root_kind,
        root_label=edge_labels,
    )
