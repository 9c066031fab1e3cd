"""Reading root-dump records one by one: the path that names every broken rule exactly.

The column-at-a-time readers (:mod:`.columns`, :mod:`.plain_form`) decline anything irregular;
these functions then find the first offending record and report it with its JSON pointer through
:class:`Problems` (an error, or a warning and a dropped record under ``lenient``).

Examples
--------
>>> from leakhunt.importers.rootdump.process_tree import read_process_tree
>>> problems = Problems("d.json", lenient=True)
>>> natives, index = natives_by_record(
...     [{"id": "a", "class": "C", "size": 1}, {"id": "a", "class": "C", "size": 2}],
...     read_process_tree({"processes": []}), problems)
>>> natives.ids, natives.sizes.tolist(), problems.warnings
(('a',), [1], ["d.json: /natives/1/id: duplicate native id 'a' (first at /natives/0) (record dropped)"])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.processes import ProcessTree
from leakhunt.importers.rootdump.dump import (
    DumpEdges,
    DumpNatives,
    DumpNodes,
    DumpRoot,
    member_pointer,
)
from leakhunt.importers.rootdump.process_tree import isolate_index
from leakhunt.importers.rootdump.schema import EDGE_KINDS, parse_edge, schema_error

__all__ = [
    "ATTRIBUTION_DROPPED",
    "LENIENT_SUFFIXES",
    "RECORD_DROPPED",
    "Problems",
    "edges_by_record",
    "natives_by_record",
    "nodes_by_record",
    "roots_by_record",
]

_KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
RECORD_DROPPED = "record dropped"
ATTRIBUTION_DROPPED = "attribution dropped"
LENIENT_SUFFIXES = (f"({RECORD_DROPPED})", f"({ATTRIBUTION_DROPPED})")
"""How every warning made under ``lenient`` ends (the CLI prints these)."""
_CONTRADICTIONS = (("strong_global_handle", "weak_global_handle"), ("strong", "weak"))


class Problems:
    """Errors, or warnings under ``lenient``."""

    def __init__(self, path: str, lenient: bool) -> None:
        self.path = path
        self.lenient = lenient
        self.warnings: list[str] = []

    def report(self, pointer: str, problem: str, consequence: str = RECORD_DROPPED) -> None:
        if not self.lenient:
            raise SnapshotFormatError(self.path, pointer, problem)
        self.warnings.append(f"{self.path}: {pointer}: {problem} ({consequence})")


def natives_by_record(
    records: list[dict[str, Any]],
    tree: ProcessTree,
    problems: Problems,
    base: str = "/natives",
) -> tuple[DumpNatives, dict[str, int]]:
    known, contexts_of, only = isolate_index(tree)
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
                member_pointer(base, position, "id"),
                f"duplicate native id {native_id!r} (first at {where})",
            )
            continue
        isolate = r.get("isolate")
        context = r.get("context")
        if isolate is not None and isolate not in known:
            problems.report(
                member_pointer(base, position, "isolate"),
                f"no isolate {isolate!r} in processes",
                ATTRIBUTION_DROPPED,
            )
            isolate = None
        if context is not None:
            home = isolate if isolate is not None else only
            if home is None or context not in contexts_of.get(home, ()):
                problems.report(
                    member_pointer(base, position, "context"),
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


def nodes_by_record(records: list[dict[str, Any]], problems: Problems) -> DumpNodes:
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


def edges_by_record(
    records: list[Any], native_index: dict[str, int], problems: Problems
) -> DumpEdges:
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


def roots_by_record(
    records: list[dict[str, Any]], native_index: dict[str, int], problems: Problems
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
