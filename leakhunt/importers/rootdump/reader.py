"""Read a root dump: parse, apply the schema, check the cross-record rules, gather columns.

The result, :class:`RootDump` (:mod:`.dump`), keeps the dump's own vocabulary (native ids,
snapshot node ids, edge kind words); :mod:`.standalone` and :mod:`.overlay` turn it into graph
terms.

Three ways in, one result: a large dump whose ``natives`` and ``edges`` are in the plain form is
read by compiled kernels (:mod:`.plain_form`); any other dump is parsed by ``orjson`` and its
record arrays are checked a column at a time (:mod:`.columns`); whatever either declines is read
record by record (:mod:`.records`), which names the first broken rule exactly.

Cross-record rules (``docs/rootdump.md``): native ids are unique, every ``{"native": ID}`` names
a native, one owner does not hold a strong and a weak handle (or a ``strong`` and a ``weak``
reference) to one target under one name, ``isolate`` and ``context`` values name what
``processes`` describes. A broken rule is an error naming the record; with ``lenient`` it is a
warning and the record is dropped (a duplicate native keeps its first description).

Examples
--------
>>> import json, os, tempfile
>>> doc = {"format": "leakhunt-rootdump", "version": 1, "graph": "overlay", "processes": [],
...        "natives": [{"id": "n1", "class": "Entry", "size": 8}],
...        "edges": [{"kind": "strong_global_handle", "from": {"native": "n2"}, "to": {"js": 5}}]}
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "d.json")
...     with open(path, "w") as f:
...         _ = f.write(json.dumps(doc))
...     read_root_dump(path)
Traceback (most recent call last):
...
leakhunt.errors.SnapshotFormatError: ...d.json: /edges/0/from: no native with id 'n2' in the dump
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "d.json")
...     with open(path, "w") as f:
...         _ = f.write(json.dumps(doc))
...     dump = read_root_dump(path, lenient=True)
>>> len(dump.edges), dump.warnings[0].split(": ", 1)[1]
(0, "/edges/0/from: no native with id 'n2' in the dump (record dropped)")
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import orjson

from leakhunt.errors import InputError, SnapshotFormatError
from leakhunt.graph.processes import ProcessTree
from leakhunt.importers.common.json_stream import open_maybe_gzip
from leakhunt.importers.rootdump.columnar import (
    checked_native_columns,
    columnar_edges,
    native_columns_regular,
)
from leakhunt.importers.rootdump.columns import (
    EdgeColumns,
    NativeColumns,
    edge_columns,
    native_columns,
)
from leakhunt.importers.rootdump.dump import (
    DumpEdges,
    DumpNatives,
    DumpNodes,
    DumpRoot,
    RootDump,
)
from leakhunt.importers.rootdump.plain_form import (
    PlainColumns,
    plain_columns,
    split_plain_document,
)
from leakhunt.importers.rootdump.process_tree import (
    check_process_ids,
    isolate_index,
    read_process_tree,
)
from leakhunt.importers.rootdump.records import (
    LENIENT_SUFFIXES,
    Problems,
    edges_by_record,
    natives_by_record,
    nodes_by_record,
    roots_by_record,
)
from leakhunt.importers.rootdump.schema import (
    EDGE_KINDS,
    first_bad_record,
    schema_error,
    validate_document,
)

__all__ = [
    "LENIENT_SUFFIXES",
    "PLAIN_FORM_MIN_BYTES",
    "DumpEdges",
    "DumpNatives",
    "DumpNodes",
    "DumpRoot",
    "RootDump",
    "gather",
    "read_root_dump",
]


def read_root_dump(path: str, *, lenient: bool = False) -> RootDump:
    """Parse, validate and gather a root dump (plain or gzip).

    Raises
    ------
    SnapshotFormatError
        The first schema violation or broken cross-record rule, with its JSON pointer.
    """
    try:
        stream, raw = open_maybe_gzip(path)
        try:
            data = stream.read()
        finally:
            stream.close()
            raw.close()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    plain = _read_plain(data, path)
    if plain is not None:
        return plain
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SnapshotFormatError(path, f"byte {exc.pos}", f"not JSON: {exc.msg}") from None
    # Edges are checked as they are read (one pass over the largest array).
    validate_document(doc, path, skip=("natives", "edges"))
    return gather(doc, path, lenient=lenient)


PLAIN_FORM_MIN_BYTES = 4 << 20
"""Smaller dumps are read the general way: below this size ``orjson`` and the column checks
take less time than importing numba and loading the plain-form kernels (measured: 0.6 s for
the first plain read in a process; the general read costs about 70 ms per MB)."""


_COLUMNAR_MEMBERS = (b'"edge_columns"', b'"native_columns"')


def _read_plain(data: bytes, path: str) -> RootDump | None:
    """The dump read by :mod:`.plain_form` (its large arrays never become Python records), or
    None when it is small, not in the plain form or breaks any rule: the general path then
    reads it and reports the problem."""
    # Small, or columnar (orjson reads columns fast enough). The byte search finds every
    # columnar member: the splitter refuses top-level names with escapes.
    if len(data) < PLAIN_FORM_MIN_BYTES or any(member in data for member in _COLUMNAR_MEMBERS):
        return None
    document = split_plain_document(data)
    if document is None:
        return None
    doc = document.doc
    try:
        validate_document(doc, path, skip=("natives", "edges"))
        tree = read_process_tree(doc)
        _, contexts_of, only = isolate_index(tree)
        columns = plain_columns(document, contexts_of, only)
        if columns is None:
            return None
        return gather(doc, path, columns=columns)
    except SnapshotFormatError:
        return None


def _read_natives(
    records: list[Any], tree: ProcessTree, problems: Problems
) -> tuple[DumpNatives, dict[str, int]]:
    """Column at a time when the array is regular; record by record (with exact messages)
    otherwise."""
    _, contexts_of, only = isolate_index(tree)
    columns = native_columns(records, contexts_of, only)
    if columns is None:
        bad = first_bad_record("native", records)
        if bad is not None:
            raise schema_error(records[bad], "native", ("natives", bad), problems.path)
        return natives_by_record(records, tree, problems)
    return _natives_from_columns(columns)


def _natives_from_columns(columns: NativeColumns) -> tuple[DumpNatives, dict[str, int]]:
    natives = DumpNatives(
        ids=tuple(columns.ids),
        classes=tuple(columns.classes),
        names=tuple(columns.names),
        sizes=columns.sizes,
        isolates=tuple(columns.isolates),
        contexts=tuple(columns.contexts),
        addresses=tuple(columns.addresses),
        records=tuple(range(len(columns.ids))),
    )
    return natives, {native_id: i for i, native_id in enumerate(columns.ids)}


def _read_native_columns(
    columns: dict[str, Any], tree: ProcessTree, problems: Problems
) -> tuple[DumpNatives, dict[str, int]]:
    """The columnar form: checked a column at a time; duplicate ids and unknown isolates or
    contexts are reported (and dropped under ``lenient``) row by row, as for records."""
    checked = checked_native_columns(columns, problems.path)
    _, contexts_of, only = isolate_index(tree)
    ids = checked["id"]
    if not native_columns_regular(checked, contexts_of, only):
        present = [name for name in checked if name in columns]
        rows = [
            {name: value for name in present if (value := checked[name][row]) is not None}
            for row in range(len(ids))
        ]
        return natives_by_record(rows, tree, problems, "/native_columns")
    names = checked["name"]
    natives = DumpNatives(
        ids=tuple(ids),
        classes=tuple(checked["class"]),
        names=tuple(i if n is None else n for n, i in zip(names, ids, strict=True))
        if "name" in columns
        else tuple(ids),
        sizes=np.array(checked["size"], dtype=np.int64),
        isolates=tuple(checked["isolate"]),
        contexts=tuple(checked["context"]),
        addresses=tuple(checked["address"]),
        records=tuple(range(len(ids))),
        pointer_base="/native_columns",
    )
    return natives, {native_id: i for i, native_id in enumerate(ids)}


def _read_edges(records: list[Any], native_index: dict[str, int], problems: Problems) -> DumpEdges:
    """Column at a time when the array is regular; record by record otherwise."""
    columns = edge_columns(records, native_index)
    if columns is None:
        return edges_by_record(records, native_index, problems)
    return _edges_from_columns(columns)


def _edges_from_columns(columns: EdgeColumns) -> DumpEdges:
    return DumpEdges(
        kind=columns.kind,
        from_native=columns.from_native,
        from_value=columns.from_value,
        to_native=columns.to_native,
        to_value=columns.to_value,
        has_key=columns.has_key,
        key_native=columns.key_native,
        key_value=columns.key_value,
        name_code=columns.name_code,
        name_values=columns.name_values,
        isolate_code=columns.isolate_code,
        isolate_values=columns.isolate_values,
        records=np.arange(columns.kind.size, dtype=np.int64),
    )


def _read_edge_columns(
    columns: dict[str, Any], native_index: dict[str, int], problems: Problems
) -> DumpEdges:
    """The columnar form: rows naming missing natives or contradicting earlier rows are
    reported (and dropped under ``lenient``) like records."""
    data, missing, contradictions = columnar_edges(columns, native_index, problems.path)
    keep = np.ones(data.kind.size, dtype=np.bool_)
    for row, side in sorted(missing.items()):
        value = columns[side][row]
        problems.report(f"/edge_columns/{side}/{row}", f"no native with id {value!r} in the dump")
        keep[row] = False
    for row, first in contradictions:
        word, other = EDGE_KINDS[int(data.kind[row])], EDGE_KINDS[int(data.kind[first])]
        problems.report(
            f"/edge_columns/kind/{row}",
            f"{word} contradicts the {other} edge at row {first} (same source, target and name)",
        )
        keep[row] = False
    rows = np.flatnonzero(keep)
    return DumpEdges(
        kind=data.kind[rows],
        from_native=data.from_native[rows],
        from_value=data.from_value[rows],
        to_native=data.to_native[rows],
        to_value=data.to_value[rows],
        has_key=data.has_key[rows],
        key_native=data.key_native[rows],
        key_value=data.key_value[rows],
        name_code=data.name_code[rows],
        name_values=data.name_values,
        isolate_code=data.isolate_code[rows],
        isolate_values=data.isolate_values,
        records=rows.astype(np.int64),
        pointer_base="/edge_columns",
    )


def gather(
    doc: dict[str, Any],
    path: str,
    *,
    lenient: bool = False,
    columns: PlainColumns | None = None,
) -> RootDump:
    """Turn a schema-valid document into a :class:`RootDump` (cross-record rules applied).

    ``columns``: the ``natives`` and ``edges`` already read and checked by
    :mod:`.plain_form` (the document's own arrays are then empty placeholders).
    """
    problems = Problems(path, lenient)
    tree = read_process_tree(doc)
    check_process_ids(tree, problems.path)
    if columns is not None:
        natives, native_index = _natives_from_columns(columns.natives)
    elif "native_columns" in doc:
        natives, native_index = _read_native_columns(doc["native_columns"], tree, problems)
    else:
        natives, native_index = _read_natives(doc.get("natives", []), tree, problems)
    nodes = nodes_by_record(doc.get("nodes", []), problems)
    if columns is not None and columns.edges is not None:
        edges = _edges_from_columns(columns.edges)
    elif "edge_columns" in doc:
        edges = _read_edge_columns(doc["edge_columns"], native_index, problems)
    else:
        edges = _read_edges(doc.get("edges", []), native_index, problems)
    _check_edge_isolates(edges, tree, problems)
    roots = roots_by_record(doc.get("roots", []), native_index, problems)
    producer = tuple((str(k), str(v)) for k, v in doc.get("producer", {}).items())
    dump = RootDump(
        path=path,
        graph=doc["graph"],
        producer=producer,
        processes=tree,
        natives=natives,
        nodes=nodes,
        edges=edges,
        roots=roots,
    )
    return dataclasses.replace(dump, warnings=tuple(problems.warnings))


def _check_edge_isolates(edges: DumpEdges, tree: ProcessTree, problems: Problems) -> None:
    known = {i.id for i in tree.isolates()}
    for code, isolate in enumerate(edges.isolate_values):
        if isolate is not None and isolate not in known:
            row = int(np.flatnonzero(edges.isolate_code == code)[0])
            raise SnapshotFormatError(
                problems.path,
                edges.pointer(row, "isolate"),
                f"no isolate {isolate!r} in processes",
            )
