"""One dump's records → a :class:`RetentionGraph`: addresses to ordinals, kinds, roots, CSR.

Node 0 is the super root; nodes ``1 .. n`` are the listed cells in listing order; after
them come placeholder nodes, one per address that roots, edges or weak-map entries refer
to but that is never listed as a cell (sorted by address). Every array operation here is
over all nodes or edges at once; Python loops run over distinct descriptions, distinct
edge names, roots and weak-map entries only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.builder import csr_from_edge_sources
from leakhunt.graph.core import EphemeronTable, RetentionGraph, RootTable, SourceInfo
from leakhunt.graph.kinds import EdgeKind, RootKind
from leakhunt.importers.common.text import cap_text, decode_text
from leakhunt.importers.spidermonkey.attribution import EdgeColumns, attribute
from leakhunt.importers.spidermonkey.records import DumpRecords
from leakhunt.importers.spidermonkey.rooted_globals import promote_rooted_globals
from leakhunt.importers.spidermonkey.vocabulary import (
    JS_VALUE_TYPES,
    OBJECT_TYPES,
    PLACEHOLDER_TYPE,
    SYNTHETIC_TYPE,
    TYPE_CLASSES,
    TYPE_KINDS,
    TYPE_NAMES,
    classify_edge_name,
    describe,
    root_kind,
)
from leakhunt.importers.spidermonkey.wrappers import mark_wrapper_edges

__all__ = ["assemble_graph"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]

SUPER_ROOT_NAME = "(root)"
_ROPE_TYPE = TYPE_NAMES.index("rope")
EPHEMERON_VALUE = "WeakMapEntry value"
EPHEMERON_KEY = "WeakMapEntry key (held through its delegate)"
_PROBLEM_CAP = 100


class _Strings:
    """The graph's string table under construction."""

    def __init__(self) -> None:
        self.items: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def intern(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found

    def append_all(self, texts: list[str]) -> U32:
        """Append texts as they are, without interning them.

        String cells' texts are nearly all distinct; hashing them into :attr:`index` would
        cost more than the few duplicates it would save. (Only names are appended so:
        class names, which summaries group by index, are always interned.)
        """
        first = len(self.items)
        self.items.extend(texts)
        return np.arange(first, first + len(texts), dtype=np.uint32)


class _Addresses:
    """Address → node ordinal: listed cells first, then placeholders for the rest.

    Every address the dump refers to (edge targets, roots, weak-map entries) is resolved in
    one pass; addresses that are not listed become placeholders, sorted by address.
    """

    def __init__(self, path: str, dump: DumpRecords, referenced: I64) -> None:
        address = dump.cell_address
        order = np.argsort(address, kind="stable")
        ordered = address[order]
        twice = np.flatnonzero(ordered[1:] == ordered[:-1])
        if twice.size:
            first, second = order[twice[0]], order[twice[0] + 1]
            raise SnapshotFormatError(
                path,
                f"line {int(dump.cell_line[second])}",
                f"cell 0x{int(address[second]):x} is listed twice "
                f"(first at line {int(dump.cell_line[first])})",
            )
        self.cells = int(address.size)
        ordinals = np.full(referenced.size, -1, dtype=np.int64)
        if self.cells:
            position = np.minimum(np.searchsorted(ordered, referenced), self.cells - 1)
            found = ordered[position] == referenced
            ordinals[found] = order[position[found]] + 1
        missing = ordinals < 0
        self.placeholders, inverse = np.unique(referenced[missing], return_inverse=True)
        ordinals[missing] = 1 + self.cells + inverse
        self.referenced = ordinals.astype(np.int32)


def _describe_cells(dump: DumpRecords, strings: _Strings) -> tuple[U8, U32, U32, U8]:
    """Type, name, class and environment flag of every listed cell."""
    count = len(dump.descriptions)
    type_index = np.zeros(count, dtype=np.uint8)
    name = np.zeros(count, dtype=np.uint32)
    class_name = np.zeros(count, dtype=np.uint32)
    environment = np.zeros(count, dtype=np.uint8)
    for index, raw in enumerate(dump.descriptions):
        description = describe(cap_text(decode_text(raw)))
        type_index[index] = description.type_index
        name[index] = strings.intern(description.name)
        class_name[index] = strings.intern(description.class_name)
        environment[index] = description.environment
    desc = dump.cell_description
    cell_name = name[desc]
    text_names = strings.append_all(dump.texts)
    has_text = (dump.cell_text >= 0) & (type_index[desc] != _ROPE_TYPE)
    cell_name[has_text] = text_names[dump.cell_text[has_text]]
    return type_index[desc], cell_name, class_name[desc], environment[desc]


def _node_columns(
    dump: DumpRecords, addresses: _Addresses, strings: _Strings
) -> tuple[U8, U32, U32, I64, I64, I64, U8]:
    """type, name, class, id, self size, line, environment flag of every node."""
    types, names, classes, environment = _describe_cells(dump, strings)
    extra = addresses.placeholders.size

    def column(head: int, cells: npt.NDArray[Any], tail: int, dtype: npt.DTypeLike) -> Any:
        return np.concatenate(([head], cells, np.full(extra, tail))).astype(dtype)

    placeholder_class = strings.intern(TYPE_CLASSES[PLACEHOLDER_TYPE])
    root_name = strings.intern(SUPER_ROOT_NAME)
    return (
        column(SYNTHETIC_TYPE, types, PLACEHOLDER_TYPE, np.uint8),
        column(root_name, names, 0, np.uint32),
        column(root_name, classes, placeholder_class, np.uint32),
        np.concatenate(([0], dump.cell_address, addresses.placeholders)).astype(np.int64),
        column(0, dump.cell_size, 0, np.int64),
        column(-1, dump.cell_line, -1, np.int64),
        column(0, environment, 0, np.uint8),
    )


def _edge_kinds(
    dump: DumpRecords,
    strings: _Strings,
    source: I32,
    target: I32,
    node_type: U8,
    node_environment: U8,
) -> tuple[U8, U32, I32]:
    """Kind and name column of every cell edge, and the plain name string of each."""
    count = len(dump.edge_names)
    base_kind = np.zeros(count, dtype=np.uint8)
    name_string = np.zeros(count, dtype=np.int32)
    element = np.full(count, -1, dtype=np.int64)
    for index, raw in enumerate(dump.edge_names):
        text = cap_text(decode_text(raw))
        edge_kind, element_index = classify_edge_name(text)
        base_kind[index] = edge_kind
        name_string[index] = strings.intern(text)
        if element_index is not None:
            element[index] = element_index
    kind = base_kind[dump.edge_name]
    plain = name_string[dump.edge_name]
    source_object = np.isin(node_type[source], sorted(OBJECT_TYPES))
    target_value = np.isin(node_type[target], sorted(JS_VALUE_TYPES))
    # Only objects hold properties and elements, and only JavaScript values are held by them.
    named = (kind == EdgeKind.PROPERTY) | (kind == EdgeKind.ELEMENT)
    kind[named & ~(source_object & target_value)] = EdgeKind.INTERNAL
    variable = (kind == EdgeKind.PROPERTY) & (node_environment[source] != 0)
    kind[variable] = EdgeKind.CONTEXT_VARIABLE
    is_element = kind == EdgeKind.ELEMENT
    name = np.where(is_element, element[dump.edge_name], plain).astype(np.uint32)
    return kind, name, plain


def _roots(dump: DumpRecords, strings: _Strings, targets: I32) -> tuple[U8, U32]:
    """Root kind and label string of every root line."""
    kinds: dict[str, RootKind] = {}
    kind = np.zeros(len(dump.roots), dtype=np.uint8)
    label = np.zeros(len(dump.roots), dtype=np.uint32)
    for row, (_, name, _) in enumerate(dump.roots):
        found = kinds.get(name)
        if found is None:
            found = kinds[name] = root_kind(name)
        kind[row] = found
        label[row] = strings.intern(name)
    return kind, label


def _ephemerons(
    dump: DumpRecords, strings: _Strings, ordinal: I32
) -> tuple[I32, I32, I32, npt.NDArray[np.bool_], U8, U32]:
    """Halves of every weak-map entry: source, target, entry, from_key; halves per entry.

    ``ordinal`` holds the nodes of each entry's map, key, delegate and value (by row).
    """
    table = np.array(dump.weak_maps, dtype=np.int64).reshape(-1, 5)
    value_name, key_name = strings.intern(EPHEMERON_VALUE), strings.intern(EPHEMERON_KEY)
    sources: list[int] = []
    targets: list[int] = []
    entries: list[int] = []
    from_key: list[bool] = []
    names: list[int] = []
    halves: list[int] = []

    def entry(holder: int | None, key: int, held: int, name: int) -> None:
        for source, is_key in ((holder, False), (key, True)):
            if source is not None:
                sources.append(source)
                targets.append(held)
                entries.append(len(halves))
                from_key.append(is_key)
                names.append(name)
        halves.append(1 if holder is None else 2)

    for row, (map_, key, delegate, _, _) in enumerate(table.tolist()):
        holder = int(ordinal[row, 0]) if map_ else None
        key_node, delegate_node, value_node = (int(v) for v in ordinal[row, 1:])
        entry(holder, key_node, value_node, value_name)
        if delegate and delegate != key:
            # A wrapper key lives while its (live) map's entry has a live delegate.
            entry(holder, delegate_node, key_node, key_name)
    return (
        np.array(sources, dtype=np.int32),
        np.array(targets, dtype=np.int32),
        np.array(entries, dtype=np.int32),
        np.array(from_key, dtype=np.bool_),
        np.array(halves, dtype=np.uint8),
        np.array(names, dtype=np.uint32),
    )


def _referenced(dump: DumpRecords) -> I64:
    """Edge targets, root targets, then each weak-map entry's map, key, delegate, value.

    NULL maps and delegates are replaced by the entry's key, so every address is real.
    """
    roots = np.array([a for a, _, _ in dump.roots], dtype=np.int64)
    weak = np.array(dump.weak_maps, dtype=np.int64).reshape(-1, 5)[:, :4].copy()
    for column in (0, 2):
        weak[:, column] = np.where(weak[:, column] != 0, weak[:, column], weak[:, 1])
    return np.concatenate((dump.edge_target, roots, weak.ravel()))


def _problems(dump: DumpRecords, placeholders: int, extra: Sequence[str]) -> tuple[str, ...]:
    notes = list(dump.problems)
    if placeholders:
        notes.append(
            f"{placeholders} referenced cells are not listed in the dump "
            "(permanent atoms, static strings, nursery or other zones): placeholder nodes"
        )
    if dump.null_edges:
        notes.append(f"{dump.null_edges} edge lines with a NULL target ignored")
    notes.extend(extra)
    return tuple(notes[:_PROBLEM_CAP])


def assemble_graph(path: str, dump: DumpRecords, source: SourceInfo) -> RetentionGraph:
    """Build the graph of ``dump`` (see the module docstring).

    ``dump`` is consumed: its columns are released as soon as they have been used, so
    that the records and the graph are not both held whole.

    Examples
    --------
    >>> from leakhunt.importers.spidermonkey.reader import GcLogReader
    >>> reader = GcLogReader("inline", None)
    >>> _ = reader.feed(b"# Roots.\\n0x10 B exact-Object\\n==========\\n0x10 B Object <no private>\\n> 0x20 B a\\n", 1)
    >>> dump, _ = reader.finish(b"", 6)
    >>> g = assemble_graph("inline", dump, SourceInfo("inline", "spidermonkey-gclog", "SpiderMonkey"))
    >>> g.node_id.tolist(), [g.edge_name_text(e) for e in range(g.edge_count)]
    ([0, 16, 32], ['exact-Object', 'a'])
    """
    strings = _Strings()
    addresses = _Addresses(path, dump, _referenced(dump))
    cells, roots = dump.edge_target.size, len(dump.roots)
    cell_target = addresses.referenced[:cells]
    root_target = addresses.referenced[cells : cells + roots]
    weak_nodes = addresses.referenced[cells + roots :].reshape(-1, 4)
    node_type, node_name, node_class, node_id, node_size, node_line, environment = _node_columns(
        dump, addresses, strings
    )
    dump.release_cells()
    n = int(node_type.size)
    cell_source = (dump.edge_source + 1).astype(np.int32)
    cell_kind, cell_name, plain = _edge_kinds(
        dump, strings, cell_source, cell_target, node_type, environment
    )
    dump.release_edges()
    root_kind_column, root_label = _roots(dump, strings, root_target)
    eph_source, eph_target, eph_entry, eph_from_key, eph_halves, eph_name = _ephemerons(
        dump, strings, weak_nodes
    )
    attribution = attribute(
        dump,
        node_type,
        node_id,
        node_name,
        node_class,
        node_line,
        EdgeColumns(cell_source, cell_target, plain),
        strings.index,
    )
    del plain, node_line, environment
    # Root edges leave node 0 and cell edges are listed by source already: a stable sort
    # by source keeps both in place and only moves the weak-map halves to their holders.
    order, first_edge = csr_from_edge_sources(
        np.concatenate((np.zeros(roots, np.int32), cell_source, eph_source)), n
    )
    del cell_source
    eph_position = np.flatnonzero(order >= roots + cells).astype(np.int64)  # ascending
    eph_index = order[eph_position] - (roots + cells)  # which half lies at each position
    edge_target = np.concatenate((root_target, cell_target, eph_target))[order]
    edge_kind = np.concatenate(
        (
            np.full(roots, EdgeKind.INTERNAL, np.uint8),
            cell_kind,
            np.full(eph_target.size, EdgeKind.EPHEMERON, np.uint8),
        )
    )[order]
    edge_name = np.concatenate((root_label, cell_name, eph_name))[order]
    del order, cell_kind, cell_name
    graph = RetentionGraph(
        strings=tuple(strings.items),
        type_names=TYPE_NAMES,
        node_type=node_type,
        node_kind=np.array(TYPE_KINDS, dtype=np.uint8)[node_type],
        node_name=node_name,
        node_class=attribution.node_class,
        node_id=node_id,
        node_self_size=node_size,
        node_context=attribution.node_context,
        node_detachedness=np.zeros(n, dtype=np.uint8),
        node_first_edge=first_edge,
        edge_target=edge_target.astype(np.int32),
        edge_kind=edge_kind,
        edge_name=edge_name.astype(np.uint32),
        roots=RootTable(np.arange(roots, dtype=np.int64), root_kind_column, root_label),
        ephemerons=EphemeronTable(
            edge=eph_position,
            entry=eph_entry[eph_index],
            from_key=eph_from_key[eph_index],
            entry_halves=eph_halves,
        ),
        contexts=attribution.contexts,
        source=replace(
            source,
            details=(*source.details, ("unlisted cells", str(addresses.placeholders.size))),
        ),
        problems=_problems(dump, int(addresses.placeholders.size), attribution.problems),
    )
    graph = promote_rooted_globals(mark_wrapper_edges(graph))
    graph.validate()
    return graph
