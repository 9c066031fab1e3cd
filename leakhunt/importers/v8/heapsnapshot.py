"""V8 ``.heapsnapshot`` importer (Chrome, Node, any V8 embedder; plain or gzip).

Field layout and type vocabularies come from ``snapshot.meta``; nothing is hard-coded but
the field *names* the format defines. ``nodes`` and ``edges`` are parsed chunk by chunk
straight into columns (see :mod:`leakhunt.importers.common.json_stream`); flat ``to_node``
offsets become ordinals here and nowhere else. The V8 root layout, WeakMap entry pairs and
NativeContexts are mapped to the neutral model in :mod:`leakhunt.importers.v8.layout`.
"""

from __future__ import annotations

import numpy as np

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.graph.node_classes import NodeClasses
from leakhunt.graph.room import with_room
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
from leakhunt.importers.v8.meta import SnapshotMeta, check_declared_counts, parse_meta
from leakhunt.importers.v8.record_sink import IntegerCollector, RecordSink, edge_sink, node_sink

__all__ = ["V8HeapSnapshotImporter", "load_v8_heapsnapshot", "load_v8_node_classes"]

_UNKNOWN_TYPE = "unknown"


def _int_list(value: object) -> list[int] | None:
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        return None
    return value


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
    meta: SnapshotMeta | None = None
    nodes: RecordSink | None = None
    edges: RecordSink | None = None
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
                meta = parse_meta(path, stream.read_value(key))
                check_declared_counts(path, meta, file_bytes, stream.gzipped)
            elif key in ("nodes", "edges"):
                if meta is None:
                    raise SnapshotFormatError(path, key, "appears before 'snapshot' (no meta)")
                if key == "nodes":
                    nodes = node_sink(path, meta, file_bytes, node_room)
                    stream.read_integer_array(key, nodes, "reading nodes")
                else:
                    edges = edge_sink(path, meta, file_bytes, edge_room)
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
                collector = IntegerCollector()
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


def _check_counts(
    path: str,
    meta: SnapshotMeta,
    nodes: RecordSink,
    edges: RecordSink,
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
