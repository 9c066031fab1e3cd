"""Read a root dump: parse, apply the schema, check the cross-record rules, gather columns.

The result, :class:`RootDump`, keeps the dump's own vocabulary (native ids, snapshot node ids,
edge kind words); :mod:`.standalone` and :mod:`.overlay` turn it into graph terms.

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from leakhunt.errors import InputError, SnapshotFormatError
from leakhunt.graph.processes import (
    ContextFacts,
    GroupFacts,
    IsolateFacts,
    ProcessFacts,
    ProcessTree,
)
from leakhunt.importers.common.json_stream import open_maybe_gzip
from leakhunt.importers.rootdump.columns import (
    EdgeColumns,
    NativeColumns,
    checked_native_columns,
    columnar_edges,
    edge_columns,
    native_columns,
    native_columns_regular,
)
from leakhunt.importers.rootdump.plain_form import (
    PlainColumns,
    plain_columns,
    split_plain_document,
)
from leakhunt.importers.rootdump.schema import (
    EDGE_KINDS,
    first_bad_record,
    parse_edge,
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
    "read_root_dump",
]

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]

_KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
RECORD_DROPPED = "record dropped"
ATTRIBUTION_DROPPED = "attribution dropped"
LENIENT_SUFFIXES = (f"({RECORD_DROPPED})", f"({ATTRIBUTION_DROPPED})")
"""How every warning made under ``lenient`` ends (the CLI prints these)."""
_CONTRADICTIONS = (("strong_global_handle", "weak_global_handle"), ("strong", "weak"))


@dataclass(frozen=True, slots=True)
class DumpNatives:
    """Native objects, in file order (after dropping duplicates under ``lenient``)."""

    ids: tuple[str, ...]
    classes: tuple[str, ...]
    names: tuple[str, ...]
    """The ``name`` member, or the id when absent."""
    sizes: I64
    isolates: tuple[str | None, ...]
    contexts: tuple[str | None, ...]
    addresses: tuple[str | None, ...]
    records: tuple[int, ...]
    """Index of each native in the file's ``natives`` array (or row of ``native_columns``)."""
    pointer_base: str = "/natives"
    """``/natives`` (records) or ``/native_columns`` (columns)."""

    def __len__(self) -> int:
        return len(self.ids)

    def pointer(self, index: int, member: str) -> str:
        """JSON pointer of one member (``id``, ``isolate``, ``context``) of native ``index``."""
        return _member_pointer(self.pointer_base, self.records[index], member)


def _member_pointer(base: str, record: int, member: str) -> str:
    if base.endswith("_columns"):
        return f"{base}/{member}/{record}"
    return f"{base}/{record}/{member}"


@dataclass(frozen=True, slots=True)
class DumpNodes:
    """Standalone JS nodes, in file order."""

    ids: I64
    classes: tuple[str, ...]
    kinds: tuple[str, ...]
    names: tuple[str, ...]
    sizes: I64
    contexts: tuple[str | None, ...]
    isolates: tuple[str | None, ...]
    addresses: I64 | None = None
    """Each node's ``address`` as an integer, -1 where absent; None when no node has one."""

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True, slots=True)
class DumpEdges:
    """Edges as columns. A reference is (is_native, value): a native index or a JS node id."""

    kind: U8
    """Code of the edge kind (index into :data:`~.schema.EDGE_KINDS`)."""
    from_native: BoolArray
    from_value: I64
    to_native: BoolArray
    to_value: I64
    has_key: BoolArray
    key_native: BoolArray
    key_value: I64
    name_code: npt.NDArray[np.int32]
    """Index of each edge's ``name`` into :attr:`name_values`."""
    name_values: tuple[str | int | None, ...]
    """The distinct names (None: no name given)."""
    isolate_code: npt.NDArray[np.int32]
    """Index of each edge's ``isolate`` into :attr:`isolate_values` (0: none given)."""
    isolate_values: tuple[str | None, ...]
    records: I64
    """Index of each edge in the file's ``edges`` array (or row of ``edge_columns``)."""
    pointer_base: str = "/edges"
    """``/edges`` (records) or ``/edge_columns`` (columns)."""

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def pointer(self, row: int, member: str) -> str:
        """JSON pointer of one member (``from``, ``to``, ``key``, ``isolate``) of edge ``row``."""
        record = int(self.records[row])
        if self.pointer_base == "/edge_columns":
            return f"/edge_columns/{member}/{record}"
        return f"/edges/{record}/{member}"

    def name(self, row: int) -> str | int | None:
        """The name of edge ``row``."""
        return self.name_values[int(self.name_code[row])]

    def isolate(self, row: int) -> str | None:
        """The ``isolate`` of edge ``row``."""
        return self.isolate_values[int(self.isolate_code[row])]


@dataclass(frozen=True, slots=True)
class DumpRoot:
    """One root record."""

    kind: str
    to_native: bool
    to_value: int
    name: str
    unseen_references: int
    record: int


@dataclass(frozen=True, slots=True)
class RootDump:
    """A validated root dump."""

    path: str
    graph: str
    """``"overlay"``, ``"standalone"`` or ``"manifest"``."""
    producer: tuple[tuple[str, str], ...]
    processes: ProcessTree
    natives: DumpNatives
    nodes: DumpNodes
    edges: DumpEdges
    roots: tuple[DumpRoot, ...]
    warnings: tuple[str, ...] = field(default=())
    """Problems dropped under ``lenient``, each ``"FILE: /POINTER: PROBLEM (record dropped)"``."""

    def isolate_of_native(self, index: int) -> str | None:
        """The isolate a native belongs to (its own, or the dump's only isolate)."""
        own = self.natives.isolates[index]
        return own if own is not None else self.only_isolate()

    def only_isolate(self) -> str | None:
        """The id of the dump's single isolate, or None when it describes zero or several."""
        isolates = self.processes.isolates()
        return isolates[0].id if len(isolates) == 1 else None


class _Problems:
    """Errors, or warnings under ``lenient``."""

    def __init__(self, path: str, lenient: bool) -> None:
        self.path = path
        self.lenient = lenient
        self.warnings: list[str] = []

    def report(self, pointer: str, problem: str, consequence: str = RECORD_DROPPED) -> None:
        if not self.lenient:
            raise SnapshotFormatError(self.path, pointer, problem)
        self.warnings.append(f"{self.path}: {pointer}: {problem} ({consequence})")


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
    if len(data) < PLAIN_FORM_MIN_BYTES or any(member in data for member in _COLUMNAR_MEMBERS):
        return None  # small, or (probably) columnar: orjson reads columns fast enough
    document = split_plain_document(data)
    if document is None:
        return None
    doc = document.doc
    if "native_columns" in doc or "edge_columns" in doc:
        return None
    try:
        validate_document(doc, path, skip=("natives", "edges"))
        tree = _processes(doc)
        _, contexts_of, only = _isolate_check(tree)
        columns = plain_columns(document, contexts_of, only)
        if columns is None:
            return None
        return gather(doc, path, columns=columns)
    except SnapshotFormatError:
        return None


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _processes(doc: dict[str, Any]) -> ProcessTree:
    processes = []
    for p in doc["processes"]:
        groups = []
        for g in p["isolate_groups"]:
            isolates = []
            for i in g["isolates"]:
                contexts = tuple(
                    ContextFacts(
                        id=c["id"],
                        name=_text(c, "name"),
                        state=c["state"],
                        memory_limit=c.get("memory_limit"),
                        memory_used=c.get("memory_used"),
                        node_id=c.get("node"),
                        global_node_id=c.get("global_node"),
                    )
                    for c in i.get("contexts", ())
                )
                isolates.append(
                    IsolateFacts(
                        id=i["id"],
                        name=_text(i, "name"),
                        thread=str(i["thread"]) if "thread" in i else "",
                        snapshot=i.get("snapshot"),
                        dump=i.get("dump"),
                        heap_statistics=tuple(i.get("heap_statistics", {}).items()),
                        contexts=contexts,
                    )
                )
            groups.append(
                GroupFacts(
                    id=g["id"],
                    name=_text(g, "name"),
                    pointer_cage_size=g.get("pointer_cage_size"),
                    sandbox_size=g.get("sandbox_size"),
                    isolates=tuple(isolates),
                )
            )
        processes.append(
            ProcessFacts(pid=p.get("pid"), name=_text(p, "name"), groups=tuple(groups))
        )
    return ProcessTree(tuple(processes))


def _check_process_ids(tree: ProcessTree, problems: _Problems) -> None:
    """Group and isolate ids are unique in the dump; context ids within their isolate."""
    seen_groups: set[str] = set()
    seen_isolates: set[str] = set()
    for p_index, process in enumerate(tree.processes):
        for g_index, group in enumerate(process.groups):
            where = f"/processes/{p_index}/isolate_groups/{g_index}"
            if group.id in seen_groups:
                raise SnapshotFormatError(
                    problems.path, f"{where}/id", f"duplicate group id {group.id!r}"
                )
            seen_groups.add(group.id)
            for i_index, isolate in enumerate(group.isolates):
                here = f"{where}/isolates/{i_index}"
                if isolate.id in seen_isolates:
                    raise SnapshotFormatError(
                        problems.path, f"{here}/id", f"duplicate isolate id {isolate.id!r}"
                    )
                seen_isolates.add(isolate.id)
                contexts: set[str] = set()
                for c_index, context in enumerate(isolate.contexts):
                    if context.id in contexts:
                        raise SnapshotFormatError(
                            problems.path,
                            f"{here}/contexts/{c_index}/id",
                            f"duplicate context id {context.id!r} in isolate {isolate.id!r}",
                        )
                    contexts.add(context.id)


def _isolate_check(
    tree: ProcessTree,
) -> tuple[set[str], dict[str, set[str]], str | None]:
    isolates = tree.isolates()
    known = {i.id for i in isolates}
    contexts = {i.id: {c.id for c in i.contexts} for i in isolates}
    only = isolates[0].id if len(isolates) == 1 else None
    return known, contexts, only


def _read_natives(
    records: list[Any], tree: ProcessTree, problems: _Problems
) -> tuple[DumpNatives, dict[str, int]]:
    """Column at a time when the array is regular; record by record (with exact messages)
    otherwise."""
    _, contexts_of, only = _isolate_check(tree)
    columns = native_columns(records, contexts_of, only)
    if columns is None:
        bad = first_bad_record("native", records)
        if bad is not None:
            raise schema_error(records[bad], "native", ("natives", bad), problems.path)
        return _natives(records, tree, problems)
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
    columns: dict[str, Any], tree: ProcessTree, problems: _Problems
) -> tuple[DumpNatives, dict[str, int]]:
    """The columnar form: checked a column at a time; duplicate ids and unknown isolates or
    contexts are reported (and dropped under ``lenient``) row by row, as for records."""
    checked = checked_native_columns(columns, problems.path)
    _, contexts_of, only = _isolate_check(tree)
    ids = checked["id"]
    if not native_columns_regular(checked, contexts_of, only):
        present = [name for name in checked if name in columns]
        rows = [
            {name: value for name in present if (value := checked[name][row]) is not None}
            for row in range(len(ids))
        ]
        return _natives(rows, tree, problems, "/native_columns")
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


def _read_edges(records: list[Any], native_index: dict[str, int], problems: _Problems) -> DumpEdges:
    """Column at a time when the array is regular; record by record otherwise."""
    columns = edge_columns(records, native_index)
    if columns is None:
        return _edges(records, native_index, problems)
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
    columns: dict[str, Any], native_index: dict[str, int], problems: _Problems
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


def _natives(
    records: list[dict[str, Any]],
    tree: ProcessTree,
    problems: _Problems,
    base: str = "/natives",
) -> tuple[DumpNatives, dict[str, int]]:
    known, contexts_of, only = _isolate_check(tree)
    index: dict[str, int] = {}
    ids: list[str] = []
    classes: list[str] = []
    names: list[str] = []
    sizes: list[int] = []
    isolates: list[str | None] = []
    contexts: list[str | None] = []
    addresses: list[str | None] = []
    kept: list[int] = []
    for position, r in enumerate(records):
        native_id = r["id"]
        if native_id in index:
            first = kept[index[native_id]]
            where = f"{base}/id/{first}" if base.endswith("_columns") else f"{base}/{first}"
            problems.report(
                _member_pointer(base, position, "id"),
                f"duplicate native id {native_id!r} (first at {where})",
            )
            continue
        isolate = r.get("isolate")
        context = r.get("context")
        if isolate is not None and isolate not in known:
            problems.report(
                _member_pointer(base, position, "isolate"),
                f"no isolate {isolate!r} in processes",
                ATTRIBUTION_DROPPED,
            )
            isolate = None
        if context is not None:
            home = isolate if isolate is not None else only
            if home is None or context not in contexts_of.get(home, ()):
                problems.report(
                    _member_pointer(base, position, "context"),
                    f"no context {context!r} in isolate {home!r}",
                    ATTRIBUTION_DROPPED,
                )
                context = None
        index[native_id] = len(ids)
        ids.append(native_id)
        classes.append(r["class"])
        names.append(r.get("name", native_id))
        sizes.append(r["size"])
        isolates.append(isolate)
        contexts.append(context)
        addresses.append(r.get("address"))
        kept.append(position)
    natives = DumpNatives(
        ids=tuple(ids),
        classes=tuple(classes),
        names=tuple(names),
        sizes=np.array(sizes, dtype=np.int64),
        isolates=tuple(isolates),
        contexts=tuple(contexts),
        addresses=tuple(addresses),
        records=tuple(kept),
        pointer_base=base,
    )
    return natives, index


def _nodes(records: list[dict[str, Any]], problems: _Problems) -> DumpNodes:
    seen: set[int] = set()
    ids: list[int] = []
    classes: list[str] = []
    kinds: list[str] = []
    names: list[str] = []
    sizes: list[int] = []
    contexts: list[str | None] = []
    isolates: list[str | None] = []
    addresses: list[int] = []
    for position, r in enumerate(records):
        node_id = r["id"]
        if node_id in seen:
            problems.report(f"/nodes/{position}/id", f"duplicate node id {node_id}")
            continue
        seen.add(node_id)
        ids.append(node_id)
        classes.append(r["class"])
        kinds.append(r.get("kind", "object"))
        names.append(r.get("name", r["class"]))
        sizes.append(r["size"])
        contexts.append(r.get("context"))
        isolates.append(r.get("isolate"))
        address = r.get("address")
        value = int(address, 16) if isinstance(address, str) else -1
        addresses.append(value if value < 1 << 63 else -1)
    return DumpNodes(
        ids=np.array(ids, dtype=np.int64),
        classes=tuple(classes),
        kinds=tuple(kinds),
        names=tuple(names),
        sizes=np.array(sizes, dtype=np.int64),
        contexts=tuple(contexts),
        isolates=tuple(isolates),
        addresses=np.array(addresses, dtype=np.int64) if any(a >= 0 for a in addresses) else None,
    )


def _edges(records: list[Any], native_index: dict[str, int], problems: _Problems) -> DumpEdges:
    count = len(records)
    kind = np.empty(count, dtype=np.uint8)
    from_native = np.empty(count, dtype=np.bool_)
    from_value = np.empty(count, dtype=np.int64)
    to_native = np.empty(count, dtype=np.bool_)
    to_value = np.empty(count, dtype=np.int64)
    has_key = np.zeros(count, dtype=np.bool_)
    key_native = np.zeros(count, dtype=np.bool_)
    key_value = np.full(count, -1, dtype=np.int64)
    name_code = np.empty(count, dtype=np.int32)
    isolate_code = np.empty(count, dtype=np.int32)
    name_table: dict[str | int | None, int] = {}
    isolate_table: dict[str | None, int] = {None: 0}
    kept = np.empty(count, dtype=np.int64)
    # (from, to, name) -> (kind word, record) for the contradiction rule, only for the four kinds
    # that can contradict.
    claims: dict[tuple[bool, int, bool, int, str | int | None], tuple[str, int]] = {}
    contradicting = {a: b for pair in _CONTRADICTIONS for a, b in (pair, pair[::-1])}
    contradicting_codes = {_KIND_CODE[word] for word in contradicting}
    get = native_index.get
    row = 0
    for position, record in enumerate(records):
        parsed = parse_edge(record)
        if parsed is None:
            raise schema_error(record, "edge", ("edges", position), problems.path)
        code, f_native, f_raw, t_native, t_raw, with_key, k_native, k_raw, name, isolate = parsed
        missing = None
        if f_native:
            f_value = get(f_raw)  # type: ignore[arg-type]
            if f_value is None:
                missing = ("from", f_raw)
        else:
            f_value = f_raw  # type: ignore[assignment]
        if t_native:
            t_value = get(t_raw)  # type: ignore[arg-type]
            if t_value is None:
                missing = missing or ("to", t_raw)
        else:
            t_value = t_raw  # type: ignore[assignment]
        k_value: int | None = -1
        if with_key:
            if k_native:
                k_value = get(k_raw)  # type: ignore[arg-type]
                if k_value is None:
                    missing = missing or ("key", k_raw)
            else:
                k_value = k_raw  # type: ignore[assignment]
        if missing is not None:
            problems.report(
                f"/edges/{position}/{missing[0]}", f"no native with id {missing[1]!r} in the dump"
            )
            continue
        assert f_value is not None and t_value is not None and k_value is not None
        if code in contradicting_codes:
            word = EDGE_KINDS[code]
            claim = (f_native, f_value, t_native, t_value, name)
            previous = claims.get(claim)
            if previous is not None and previous[0] == contradicting[word]:
                problems.report(
                    f"/edges/{position}/kind",
                    f"{word} contradicts the {previous[0]} edge at /edges/{previous[1]} "
                    "(same source, target and name)",
                )
                continue
            claims.setdefault(claim, (word, position))
        kind[row] = code
        from_native[row] = f_native
        from_value[row] = f_value
        to_native[row] = t_native
        to_value[row] = t_value
        if with_key:
            has_key[row] = True
            key_native[row] = k_native
            key_value[row] = k_value
        name_code[row] = name_table.setdefault(name, len(name_table))
        isolate_code[row] = isolate_table.setdefault(isolate, len(isolate_table))
        kept[row] = position
        row += 1
    names = tuple(name_table)
    isolates = tuple(isolate_table)
    return DumpEdges(
        kind=kind[:row],
        from_native=from_native[:row],
        from_value=from_value[:row],
        to_native=to_native[:row],
        to_value=to_value[:row],
        has_key=has_key[:row],
        key_native=key_native[:row],
        key_value=key_value[:row],
        name_code=name_code[:row],
        name_values=names,
        isolate_code=isolate_code[:row],
        isolate_values=isolates,
        records=kept[:row],
    )


def _roots(
    records: list[dict[str, Any]], native_index: dict[str, int], problems: _Problems
) -> tuple[DumpRoot, ...]:
    roots = []
    for position, r in enumerate(records):
        ref = r["to"]
        if "js" in ref:
            to_native, value = False, int(ref["js"])
        else:
            native = native_index.get(ref["native"])
            if native is None:
                problems.report(
                    f"/roots/{position}/to", f"no native with id {ref['native']!r} in the dump"
                )
                continue
            to_native, value = True, native
        roots.append(
            DumpRoot(
                kind=r["kind"],
                to_native=to_native,
                to_value=value,
                name=r.get("name", ""),
                unseen_references=int(r.get("unseen_references", 0)),
                record=position,
            )
        )
    return tuple(roots)


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
    problems = _Problems(path, lenient)
    tree = _processes(doc)
    _check_process_ids(tree, problems)
    if columns is not None:
        natives, native_index = _natives_from_columns(columns.natives)
    elif "native_columns" in doc:
        natives, native_index = _read_native_columns(doc["native_columns"], tree, problems)
    else:
        natives, native_index = _read_natives(doc.get("natives", []), tree, problems)
    nodes = _nodes(doc.get("nodes", []), problems)
    if columns is not None and columns.edges is not None:
        edges = _edges_from_columns(columns.edges)
    elif "edge_columns" in doc:
        edges = _read_edge_columns(doc["edge_columns"], native_index, problems)
    else:
        edges = _read_edges(doc.get("edges", []), native_index, problems)
    _check_edge_isolates(edges, tree, problems)
    roots = _roots(doc.get("roots", []), native_index, problems)
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


def _check_edge_isolates(edges: DumpEdges, tree: ProcessTree, problems: _Problems) -> None:
    known = {i.id for i in tree.isolates()}
    for code, isolate in enumerate(edges.isolate_values):
        if isolate is not None and isolate not in known:
            row = int(np.flatnonzero(edges.isolate_code == code)[0])
            raise SnapshotFormatError(
                problems.path,
                edges.pointer(row, "isolate"),
                f"no isolate {isolate!r} in processes",
            )
