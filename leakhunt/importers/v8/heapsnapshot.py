"""V8 ``.heapsnapshot`` importer (Chrome, Node, any V8 embedder; plain or gzip).

Field layout and type vocabularies come from ``snapshot.meta``; nothing is hard-coded but
the field *names* the format defines. ``nodes`` and ``edges`` are parsed chunk by chunk
straight into columns (see :mod:`leakhunt.importers.common.json_stream`); flat ``to_node``
offsets become ordinals here and nowhere else. The V8 root layout, WeakMap entry pairs and
NativeContexts are mapped to the neutral model in :mod:`leakhunt.importers.v8.layout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.node_classes import NodeClasses
from leakhunt.graph.room import with_room
from leakhunt.importers.common.input_file import format_size
from leakhunt.importers.common.json_stream import JsonObjectStream
from leakhunt.importers.common.text import MAX_TEXT_CHARS, cap_strings
from leakhunt.importers.interface import ImportOptions, Progress
from leakhunt.importers.v8.code import CodeSections
from leakhunt.importers.v8.layout import (
    V8Columns,
    assemble_graph,
    check_edge_names,
    class_names,
    node_and_edge_kinds,
    string_table,
)

__all__ = ["V8HeapSnapshotImporter", "load_v8_heapsnapshot", "load_v8_node_classes"]

_REQUIRED_NODE_FIELDS = ("type", "name", "id", "self_size", "edge_count")
_REQUIRED_EDGE_FIELDS = ("type", "name_or_index", "to_node")
_MAX_NODES = 2**31 - 1  # node ordinals are int32: 2 billion nodes, far beyond any 4 GB+ snapshot
_MAX_TYPES = 255  # type columns are uint8, with one value kept for "unknown"
_UNKNOWN_TYPE = "unknown"


@dataclass(frozen=True, slots=True)
class _Meta:
    node_fields: tuple[str, ...]
    node_types: tuple[str, ...]
    edge_fields: tuple[str, ...]
    edge_types: tuple[str, ...]
    node_count: int | None
    edge_count: int | None
    root_index: int
    location_fields: tuple[str, ...] = ()
    scope_fields: tuple[str, ...] = ()

    def node_offset(self, field: str) -> int:
        return self.node_fields.index(field)

    def edge_offset(self, field: str) -> int:
        return self.edge_fields.index(field)


def _string_list(path: str, value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SnapshotFormatError(path, "snapshot.meta", f"{where} is not a list of names")
    return tuple(value)


def _parse_meta(path: str, snapshot: object) -> _Meta:
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("meta"), dict):
        raise SnapshotFormatError(path, "snapshot", "has no 'meta' object")
    meta = snapshot["meta"]
    node_fields = _string_list(path, meta.get("node_fields"), "node_fields")
    edge_fields = _string_list(path, meta.get("edge_fields"), "edge_fields")
    for field in _REQUIRED_NODE_FIELDS:
        if field not in node_fields:
            raise SnapshotFormatError(path, "snapshot.meta", f"node_fields lacks {field!r}")
    for field in _REQUIRED_EDGE_FIELDS:
        if field not in edge_fields:
            raise SnapshotFormatError(path, "snapshot.meta", f"edge_fields lacks {field!r}")
    type_lists = {}
    for key, fields in (("node_types", node_fields), ("edge_types", edge_fields)):
        value = meta.get(key)
        offset = fields.index("type")
        if not isinstance(value, list) or len(value) <= offset:
            raise SnapshotFormatError(path, "snapshot.meta", f"{key} is missing")
        names = _string_list(path, value[offset], f"{key}[{offset}]")
        if not names or len(names) > _MAX_TYPES:
            raise SnapshotFormatError(
                path,
                "snapshot.meta",
                f"{key}[{offset}] has {len(names)} type names (1 to {_MAX_TYPES} expected)",
            )
        type_lists[key] = names
    counts: list[int | None] = []
    for key in ("node_count", "edge_count"):
        value = snapshot.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise SnapshotFormatError(path, f"snapshot.{key}", f"{value!r} is not a count")
        counts.append(value)
    root_index = snapshot.get("root_index", 0)
    if not isinstance(root_index, int) or isinstance(root_index, bool) or root_index < 0:
        raise SnapshotFormatError(path, "snapshot.root_index", f"{root_index!r} is not an index")
    return _Meta(
        node_fields=node_fields,
        node_types=type_lists["node_types"],
        edge_fields=edge_fields,
        edge_types=type_lists["edge_types"],
        node_count=counts[0],
        edge_count=counts[1],
        root_index=root_index,
        location_fields=_optional_fields(meta.get("location_fields")),
        scope_fields=_optional_fields(meta.get("scope_fields")),
    )


def _optional_fields(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


class _IntegerCollector:
    """An integer sink that keeps the whole (small) array."""

    def __init__(self) -> None:
        self.parts: list[npt.NDArray[np.int64]] = []

    def accept(self, values: npt.NDArray[np.int64], offset: int) -> None:
        del offset
        self.parts.append(values.copy())

    def finish(self, total: int) -> None:
        del total

    def array(self) -> npt.NDArray[np.int64]:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int64)


def _int_list(value: object) -> list[int] | None:
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        return None
    return value


class _RecordSink:
    """Scatters a flat integer array of fixed-width records into typed columns."""

    def __init__(
        self,
        path: str,
        record: str,
        fields: Sequence[str],
        wanted: dict[str, tuple[type[np.integer], int]],
        capacity: int,
        room: int = 0,
    ) -> None:
        self.path = path
        self.record = record
        self.width = len(fields)
        self._wanted = {fields.index(f): (f, dtype, bound) for f, (dtype, bound) in wanted.items()}
        # Room for an overlay, up to as much again as the declared records (beyond that, it
        # copies): untouched, it is only address space.
        self.room = min(max(room, 0), capacity)
        self.columns: dict[str, npt.NDArray[np.integer]] = {
            f: np.empty(capacity + self.room, dtype=dtype) for f, (dtype, _) in wanted.items()
        }
        self.count = 0
        self.node_width = 1
        self.lenient: frozenset[str] = frozenset()
        """Fields whose values beyond the bound are kept as the bound (unknown) instead."""
        self.first_beyond: dict[str, tuple[int, int]] = {}
        self.beyond_count: dict[str, int] = {}
        self._carry = np.zeros(0, dtype=np.int64)

    def accept(self, values: npt.NDArray[np.int64], offset: int) -> None:
        if self._carry.size:
            values = np.concatenate((self._carry, values))
        whole = values.size // self.width
        self._carry = values[whole * self.width :].copy()
        if whole == 0:
            return
        start, stop = self.count, self.count + whole
        self._grow(stop)
        for index, (field, _, bound) in self._wanted.items():
            column_values = values[index : whole * self.width : self.width]
            if field == "to_node":
                column_values = self._node_ordinals(column_values, start)
            elif field in self.lenient and column_values.size and column_values.max() >= bound:
                column_values = self._beyond_bound(field, column_values, start, bound)
            elif bound and column_values.size and column_values.max() >= bound:
                bad = int(np.flatnonzero(column_values >= bound)[0])
                raise SnapshotFormatError(
                    self.path,
                    f"{self.record} {start + bad}",
                    f"{field} {int(column_values[bad])} is out of range (limit {bound})",
                )
            self.columns[field][start:stop] = column_values
        self.count = stop

    def _beyond_bound(
        self, field: str, values: npt.NDArray[np.int64], start: int, bound: int
    ) -> npt.NDArray[np.int64]:
        # Old snapshots use type numbers their own type list lacks; DevTools shows such
        # nodes as of an unknown type, and so do we (the value ``bound`` means "unknown").
        beyond = values >= bound
        if field not in self.first_beyond:
            bad = int(np.flatnonzero(beyond)[0])
            self.first_beyond[field] = (start + bad, int(values[bad]))
        self.beyond_count[field] = self.beyond_count.get(field, 0) + int(beyond.sum())
        return np.where(beyond, bound, values)

    def _node_ordinals(self, offsets: npt.NDArray[np.int64], start: int) -> npt.NDArray[np.int64]:
        # to_node is a flat offset into "nodes": divide once, here, and nowhere else.
        ordinals, remainders = np.divmod(offsets, self.node_width)
        if remainders.any():
            bad = int(np.flatnonzero(remainders)[0])
            raise SnapshotFormatError(
                self.path,
                f"edge {start + bad}",
                f"to_node {int(offsets[bad])} is not a multiple of {self.node_width}",
            )
        if ordinals.size and ordinals.max() >= _MAX_NODES:
            bad = int(np.flatnonzero(ordinals >= _MAX_NODES)[0])
            raise SnapshotFormatError(
                self.path,
                f"edge {start + bad}",
                f"to_node {int(offsets[bad])} points past the last node",
            )
        return ordinals

    def _grow(self, needed: int) -> None:
        for field, column in self.columns.items():
            if column.size < needed + self.room:
                self.columns[field] = np.resize(column, max(needed + self.room, 2 * column.size))

    def finish(self, total: int) -> None:
        if self._carry.size:
            raise SnapshotFormatError(
                self.path,
                f"{self.record} {self.count}",
                f"the array ends inside the record ({total} numbers is not a multiple of "
                f"{self.width})",
            )
        for field, column in self.columns.items():
            self.columns[field] = column[: self.count]


def _capacity(declared: int | None, bound: int, width: int) -> int:
    # A header count is only a hint: never let a header allocate more than the decoded file
    # could hold (two bytes a number: a digit and a comma).
    ceiling = max(1, bound // (2 * width))
    return min(declared, ceiling) if declared is not None else min(1 << 16, ceiling)


def _check_declared_counts(path: str, meta: _Meta, bound: int, gzipped: bool) -> None:
    """Refuse counts the file cannot hold before anything is allocated for them."""
    need = 0
    for count, fields in ((meta.node_count, meta.node_fields), (meta.edge_count, meta.edge_fields)):
        if count:
            need += 2 * count * len(fields) - 1
    if need > bound:
        holds = (
            f"decompresses to at most {format_size(bound)} (see --max-input-size)"
            if gzipped
            else f"has {format_size(bound)}"
        )
        raise SnapshotFormatError(
            path,
            "snapshot",
            f"declares {meta.node_count or 0:,} nodes and {meta.edge_count or 0:,} edges, "
            f"which take at least {format_size(need)}, but the file {holds}",
        )


def load_v8_heapsnapshot(
    path: str, *, options: ImportOptions | None = None, progress: Progress | None = None
) -> RetentionGraph:
    """Read a V8 heap snapshot into a :class:`RetentionGraph`.

    Parameters
    ----------
    path
        A ``.heapsnapshot`` file, plain or gzip-compressed.
    options
        Import options (none apply to V8 snapshots today).
    progress
        Optional ``progress(phase, done_bytes, total_bytes)`` callback.

    Raises
    ------
    SnapshotFormatError
        Naming the file and the offending record, for anything malformed or inconsistent.

    Examples
    --------
    >>> import pathlib
    >>> sample = pathlib.Path(__file__).parents[3] / "fixtures/v8/edge_cases/worked_example.heapsnapshot"
    >>> g = load_v8_heapsnapshot(str(sample))
    >>> g.node_count, g.edge_count, int(g.node_self_size.sum())
    (6, 7, 220)
    """
    columns, code = _read_columns(path, options, progress)
    if progress is not None:
        progress("building graph", 0, 1)
    graph = assemble_graph(columns, SourceInfo(path, "v8-heapsnapshot", "V8"), code)
    if progress is not None:
        progress("building graph", 1, 1)
    return graph


def _read_columns(
    path: str, options: ImportOptions | None, progress: Progress | None
) -> tuple[V8Columns, CodeSections]:
    """Every section read and checked as columns (what both loaders share, so that both
    refuse exactly the same files)."""
    meta: _Meta | None = None
    nodes: _RecordSink | None = None
    edges: _RecordSink | None = None
    strings: tuple[str, ...] | None = None
    string_problems: list[str] = []
    code = CodeSections()
    max_input_size = options.max_input_size if options is not None else None
    node_room = options.node_room if options is not None else 0
    edge_room = options.edge_room if options is not None else 0
    with JsonObjectStream(path, progress, max_input_size) as stream:
        file_bytes = stream.decoded_bound
        stream.begin_object()
        while (key := stream.next_key()) is not None:
            if key == "snapshot":
                meta = _parse_meta(path, stream.read_value(key))
                _check_declared_counts(path, meta, file_bytes, stream.gzipped)
            elif key in ("nodes", "edges"):
                if meta is None:
                    raise SnapshotFormatError(path, key, "appears before 'snapshot' (no meta)")
                if key == "nodes":
                    nodes = _node_sink(path, meta, file_bytes, node_room)
                    stream.read_integer_array(key, nodes, "reading nodes")
                else:
                    edges = _edge_sink(path, meta, file_bytes, edge_room)
                    edges.node_width = len(meta.node_fields)
                    stream.read_integer_array(key, edges, "reading edges")
            elif key == "strings":
                value = stream.read_value(key)
                if not isinstance(value, list) or not set(map(type, value)) <= {str}:
                    raise SnapshotFormatError(path, "strings", "is not a list of strings")
                strings, cut = cap_strings(value)
                if cut:
                    string_problems.append(
                        f"{cut:,} string(s) longer than {MAX_TEXT_CHARS:,} characters cut "
                        "to that length"
                    )
            elif key == "locations":
                collector = _IntegerCollector()
                stream.read_integer_array(key, collector, "reading locations")
                code.locations = collector.array()
            elif key in ("scopes", "scope_context_vars", "scope_uses"):
                numbers = _int_list(stream.read_value(key))
                if numbers is None:
                    code.problems.append(f"section {key!r} is not a list of integers: ignored")
                setattr(code, key, numbers)
            else:
                stream.skip_value(key)  # allocation-trace sections: not used
        stream.expect_end()
    for name, part in (
        ("snapshot", meta),
        ("nodes", nodes),
        ("edges", edges),
        ("strings", strings),
    ):
        if part is None:
            raise SnapshotFormatError(path, name, "section is missing")
    assert meta is not None and nodes is not None and edges is not None and strings is not None
    columns = _check_counts(path, meta, nodes, edges, strings, string_problems)
    code.location_fields = meta.location_fields
    code.scope_fields = meta.scope_fields
    code.node_width = len(meta.node_fields)
    return columns, code


def load_v8_node_classes(
    path: str, *, options: ImportOptions | None = None, progress: Progress | None = None
) -> NodeClasses:
    """Node ids, kinds and class names of a V8 snapshot, without building its graph.

    The file is read and checked exactly as :func:`load_v8_heapsnapshot` does (a file one
    refuses, the other refuses too), but the edges are not interpreted: no WeakMap pairing,
    roots, contexts or code locations. The columns equal those of the full graph.

    Examples
    --------
    >>> import pathlib
    >>> sample = pathlib.Path(__file__).parents[3] / "fixtures/v8/edge_cases/worked_example.heapsnapshot"
    >>> nodes = load_v8_node_classes(str(sample))
    >>> graph = load_v8_heapsnapshot(str(sample))
    >>> [nodes.strings[int(c)] for c in nodes.node_class] == [
    ...     graph.strings[int(c)] for c in graph.node_class
    ... ]
    True
    """
    columns, _ = _read_columns(path, options, progress)
    node_kind, edge_kind = node_and_edge_kinds(columns)
    check_edge_names(columns, edge_kind)
    strings, intern = string_table(columns)
    node_class = class_names(columns, intern)
    return NodeClasses(
        strings=tuple(strings),
        node_kind=node_kind,
        node_class=node_class,
        node_id=columns.node_id,
        source=SourceInfo(path, "v8-heapsnapshot", "V8"),
    )


def _node_sink(path: str, meta: _Meta, file_bytes: int, room: int) -> _RecordSink:
    wanted: dict[str, tuple[type[np.integer], int]] = {
        "type": (np.uint8, len(meta.node_types)),
        "name": (np.uint32, 2**32),
        "id": (np.int64, 0),
        "self_size": (np.int64, 0),
        "edge_count": (np.int64, 0),
    }
    if "detachedness" in meta.node_fields:
        wanted["detachedness"] = (np.uint8, 256)
    width = len(meta.node_fields)
    sink = _RecordSink(
        path, "node", meta.node_fields, wanted, _capacity(meta.node_count, file_bytes, width), room
    )
    sink.lenient = frozenset({"type"})
    return sink


def _edge_sink(path: str, meta: _Meta, file_bytes: int, room: int) -> _RecordSink:
    wanted: dict[str, tuple[type[np.integer], int]] = {
        "type": (np.uint8, len(meta.edge_types)),
        "name_or_index": (np.uint32, 2**32),
        "to_node": (np.int32, 0),
    }
    width = len(meta.edge_fields)
    return _RecordSink(
        path, "edge", meta.edge_fields, wanted, _capacity(meta.edge_count, file_bytes, width), room
    )


def _check_counts(
    path: str,
    meta: _Meta,
    nodes: _RecordSink,
    edges: _RecordSink,
    strings: tuple[str, ...],
    problems: list[str],
) -> V8Columns:
    n, m = nodes.count, edges.count
    if meta.node_count is not None and n != meta.node_count:
        raise SnapshotFormatError(
            path, "nodes", f"holds {n} nodes but snapshot.node_count is {meta.node_count}"
        )
    if meta.edge_count is not None and m != meta.edge_count:
        raise SnapshotFormatError(
            path, "edges", f"holds {m} edges but snapshot.edge_count is {meta.edge_count}"
        )
    if n == 0:
        raise SnapshotFormatError(path, "nodes", "is empty (a snapshot has at least its root)")
    if meta.root_index != 0:
        raise SnapshotFormatError(
            path, "snapshot.root_index", f"{meta.root_index} is not 0 (unsupported layout)"
        )
    edge_count = nodes.columns["edge_count"]
    first_edge = with_room(n + 1, np.int64, room=nodes.room, fill=0)
    np.cumsum(edge_count, out=first_edge[1:])
    if first_edge[-1] != m:
        over = int(np.searchsorted(first_edge, m, side="right")) - 1
        raise SnapshotFormatError(
            path,
            f"node {min(over, n - 1)}",
            f"edge_count values add up to {int(first_edge[-1])} but 'edges' holds {m} edges",
        )
    width = len(meta.node_fields)
    target = edges.columns["to_node"]
    if m and target.max() >= n:
        bad = int(np.flatnonzero(target >= n)[0])
        raise SnapshotFormatError(
            path, f"edge {bad}", f"to_node {int(target[bad]) * width} points past the last node"
        )
    node_name = nodes.columns["name"]
    if node_name.max() >= len(strings):
        bad = int(np.flatnonzero(node_name >= len(strings))[0])
        raise SnapshotFormatError(
            path, f"node {bad}", f"name {int(node_name[bad])} is not a string index"
        )
    detachedness = nodes.columns.get("detachedness")
    node_types = meta.node_types
    if "type" in nodes.first_beyond:
        node, value = nodes.first_beyond["type"]
        node_types = (*node_types, _UNKNOWN_TYPE)
        problems.append(
            f"{nodes.beyond_count['type']:,} node(s) have a type number beyond the "
            f"{len(meta.node_types)} names of meta.node_types (first: node {node}, type "
            f"{value}; an older snapshot?): shown as type {_UNKNOWN_TYPE!r}"
        )
    return V8Columns(
        path=path,
        node_types=node_types,
        edge_types=meta.edge_types,
        strings=strings,
        node_type=nodes.columns["type"].astype(np.uint8, copy=False),
        node_name=node_name.astype(np.uint32, copy=False),
        node_id=nodes.columns["id"].astype(np.int64, copy=False),
        node_self_size=nodes.columns["self_size"].astype(np.int64, copy=False),
        node_detachedness=(
            detachedness.astype(np.uint8, copy=False)
            if detachedness is not None
            else with_room(n, np.uint8, room=nodes.room, fill=0)
        ),
        node_first_edge=first_edge,
        edge_type=edges.columns["type"].astype(np.uint8, copy=False),
        edge_name=edges.columns["name_or_index"].astype(np.uint32, copy=False),
        edge_target=target.astype(np.int32, copy=False),
        problems=tuple(problems),
        node_room=nodes.room,
        edge_room=edges.room,
    )


class V8HeapSnapshotImporter:
    """Registry entry for V8 heap snapshots."""

    name = "v8-heapsnapshot"
    description = "V8 heap snapshot (.heapsnapshot from Chrome DevTools, Node, V8 embedders)"

    def sniff(self, head: bytes) -> bool:
        """A JSON object whose first member is ``"snapshot"``."""
        text = head.lstrip()
        return text.startswith(b"{") and text[1:].lstrip().startswith(b'"snapshot"')

    def load(
        self, path: str, *, options: ImportOptions, progress: Progress | None = None
    ) -> RetentionGraph:
        """See :func:`load_v8_heapsnapshot`."""
        return load_v8_heapsnapshot(path, options=options, progress=progress)
