"""Realms, compartments and class names of a SpiderMonkey heap, from the engine's own edges.

Realm and compartment headers do not group the cells below them (except in the pre-zone
format), so every object is attributed by following its engine fields to its global:
``shape → base → baseshape_global`` (mozjs-102 and later) or ``group → group_global``
(mozjs-78). Each global is then matched to a realm line of its zone. A zone's realm lines
carry only compartment and zone addresses, so when a zone holds several realms, its globals
(in address order) are matched to its realm lines (in file order): both follow creation
order in every dump examined, but that is an inference, recorded as a problem when the
counts differ.

The class of an object comes the same way from its prototype (``baseshape_proto`` or
``group_proto``): the prototype's ``constructor`` property names the function, so an
instance of ``class Session`` is a ``Session``, not an ``Object``, and a GJS wrapper of a
``Gio.SimpleAction`` is a ``Gio_SimpleAction``, not a ``GObject_Object``. A constructor
named ``Object`` does not replace a more specific JSClass (``GjsGlobal`` stays).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import ContextTable
from leakhunt.importers.spidermonkey.records import DumpRecords, HeaderLine
from leakhunt.importers.spidermonkey.vocabulary import (
    FUNCTION_TYPE,
    OBJECT_TYPES,
    PLACEHOLDER_TYPE,
    TYPE_NAMES,
)

__all__ = ["Attribution", "EdgeColumns", "attribute"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
Bools = npt.NDArray[np.bool_]

_TYPE = {name: index for index, name in enumerate(TYPE_NAMES)}
_OBJECTS = sorted(OBJECT_TYPES)
_GLOBAL_TARGETS = [*_OBJECTS, PLACEHOLDER_TYPE]


@dataclass(frozen=True, slots=True)
class EdgeColumns:
    """The cell edges (not roots, not weak-map halves) by node ordinal."""

    source: I32
    """Source node of each edge."""
    target: I32
    """Target node of each edge."""
    name: I32
    """Index of each edge's name in the graph's string table."""


@dataclass(frozen=True, slots=True)
class Attribution:
    """What :func:`attribute` found."""

    contexts: ContextTable
    """One context per realm or compartment header (plus unmatched globals)."""
    node_context: I32
    """Context of each node, or -1."""
    node_class: U32
    """Class string index of each node (constructor names replace JSClass names)."""
    problems: tuple[str, ...]
    """Matching doubts worth reporting."""


def _field(
    node_type: U8,
    edges: EdgeColumns,
    name: int | None,
    sources: Sequence[int],
    targets: Sequence[int],
) -> I32:
    """Per node, the target of its edge called ``name`` (between the given types), or -1."""
    out = np.full(node_type.size, -1, dtype=np.int32)
    if name is None:
        return out
    hit = np.flatnonzero(edges.name == name)
    source, target = edges.source[hit], edges.target[hit]
    keep = np.isin(node_type[source], sources) & np.isin(node_type[target], targets)
    out[source[keep]] = target[keep]
    return out


def _then(first: I32, second: I32) -> I32:
    """``second[first[v]]`` where ``first[v]`` is set, else -1."""
    out = np.full(first.size, -1, dtype=np.int32)
    ok = first >= 0
    out[ok] = second[first[ok]]
    return out


def _fill(value: I32, fallback: I32) -> I32:
    return np.where(value >= 0, value, fallback).astype(np.int32)


def _globals_and_prototypes(
    node_type: U8, edges: EdgeColumns, name_index: Mapping[str, int]
) -> tuple[I32, I32]:
    def field(name: str, sources: Sequence[int], targets: Sequence[int]) -> I32:
        return _field(node_type, edges, name_index.get(name), sources, targets)

    shape, base, group = _TYPE["shape"], _TYPE["base_shape"], _TYPE["object_group"]
    shape_of = field("shape", _OBJECTS, [shape])
    base_of = field("base", [shape], [base])
    base_global = field("baseshape_global", [base], _GLOBAL_TARGETS)
    base_proto = field("baseshape_proto", [base], _GLOBAL_TARGETS)
    group_of = field("group", _OBJECTS, [group])
    group_global = field("group_global", [group], _GLOBAL_TARGETS)
    group_proto = field("group_proto", [group], _GLOBAL_TARGETS)
    object_base = _then(shape_of, base_of)
    global_of = _fill(_then(object_base, base_global), _then(group_of, group_global))
    for own in (_then(base_of, base_global), base_global, group_global):
        global_of = _fill(global_of, own)  # shapes, base shapes and groups belong to a realm
    proto_of = _fill(_then(object_base, base_proto), _then(group_of, group_proto))
    return global_of, proto_of


def _classes(
    node_type: U8,
    node_name: U32,
    node_class: U32,
    proto_of: I32,
    edges: EdgeColumns,
    name_index: Mapping[str, int],
) -> U32:
    constructor = _field(node_type, edges, name_index.get("constructor"), _OBJECTS, [FUNCTION_TYPE])
    ctor = _then(proto_of, constructor)
    named = ctor >= 0
    named[named] = node_name[ctor[named]] != name_index.get("", -1)
    named &= np.isin(node_type, _OBJECTS)
    # "Object" is every prototype chain's default: a JSClass such as GjsGlobal says more.
    plain = name_index.get("Object", -1)
    named[named] &= ~((node_name[ctor[named]] == plain) & (node_class[named] != plain))
    out = node_class.copy()
    out[named] = node_name[ctor[named]]
    return out


def _header_per_line(headers: Sequence[HeaderLine], lines: I64) -> I32:
    """Index of the last grouping header before each line (-1 before the first)."""
    grouping = [i for i, h in enumerate(headers) if h.grouping]
    header_lines = np.array([headers[i].line for i in grouping], dtype=np.int64)
    position = np.searchsorted(header_lines, lines) - 1
    lookup = np.array([*grouping, -1], dtype=np.int32)
    return lookup[position]


def _context_name(header: HeaderLine, global_id: int | None) -> str:
    if header.name != "<unknown>" or header.compartment is None:
        return header.name
    where = f"compartment 0x{header.compartment:x}"
    if global_id is not None:
        where += f", global 0x{global_id:x}"
    return f"<unknown> ({where})"


def _match_globals(
    dump: DumpRecords, cell_zone: I32, globals_: I64, node_id: I64
) -> tuple[dict[int, int], list[int], list[str]]:
    """Header index of each global, the globals no header matched, and doubts."""
    zone_address = [address for address, _ in dump.zones]
    by_zone: dict[int | None, list[int]] = {}
    for index, header in enumerate(dump.headers):
        if not header.grouping:
            by_zone.setdefault(header.zone, []).append(index)
    global_zones: dict[int | None, list[int]] = {}
    for node in sorted(globals_.tolist(), key=lambda v: int(node_id[v])):
        zone_index = int(cell_zone[node])
        owner = zone_address[zone_index] if zone_index >= 0 else None
        global_zones.setdefault(owner, []).append(node)
    matched: dict[int, int] = {}
    unmatched: list[int] = []
    doubts: list[str] = []
    for zone, nodes in global_zones.items():
        lines = by_zone.get(zone, []) if zone is not None else []
        if len(lines) != len(nodes) and lines:
            where = f"zone 0x{zone:x}" if zone is not None else "an unknown zone"
            doubts.append(
                f"{where}: {len(nodes)} globals but {len(lines)} realm lines; "
                "globals matched to realm lines in address order"
            )
        for node, line in zip(nodes, lines, strict=False):
            matched[node] = line
        unmatched.extend(nodes[len(lines) :])
    return matched, unmatched, doubts


def _contexts(
    dump: DumpRecords, node_id: I64, matched: Mapping[int, int], unmatched: Sequence[int]
) -> tuple[ContextTable, dict[int, int]]:
    """One context per header, then one per unmatched global; and each global's context."""
    owner_of = {header: node for node, header in matched.items()}
    names: list[str] = []
    kinds: list[str] = []
    global_nodes: list[int] = []
    for index, header in enumerate(dump.headers):
        owner = owner_of.get(index)
        names.append(_context_name(header, None if owner is None else int(node_id[owner])))
        kinds.append(header.kind)
        global_nodes.append(-1 if owner is None else owner)
    context_of = dict(matched)
    for node in unmatched:
        context_of[node] = len(names)
        names.append(f"<no realm line> (global 0x{int(node_id[node]):x})")
        kinds.append("realm")
        global_nodes.append(node)
    table = ContextTable(
        node=np.full(len(names), -1, dtype=np.int32),
        global_node=np.array(global_nodes, dtype=np.int32),
        name=tuple(names),
        kind=tuple(kinds),
    )
    return table, context_of


def attribute(
    dump: DumpRecords,
    node_type: U8,
    node_id: I64,
    node_name: U32,
    node_class: U32,
    node_line: I64,
    edges: EdgeColumns,
    name_index: Mapping[str, int],
) -> Attribution:
    """Contexts, per-node context and class names (see the module docstring).

    ``node_line`` is the line of each listed cell (-1 for the root and placeholders).
    Pre-zone logs attribute every cell to the compartment header above it instead.

    Examples
    --------
    >>> import pathlib
    >>> from leakhunt.importers.spidermonkey.importer import load_spidermonkey_gclog
    >>> log = pathlib.Path(__file__).parents[3] / "fixtures/spidermonkey/edge_cases/windows_addresses.log"
    >>> g = load_spidermonkey_gclog(str(log))  # attribute() runs inside
    >>> g.contexts.name, hex(int(g.node_id[g.contexts.global_node[0]]))
    (('https://example.com/',), '0x1d2a3b40040')
    """
    n = node_type.size
    global_of, proto_of = _globals_and_prototypes(node_type, edges, name_index)
    classes = _classes(node_type, node_name, node_class, proto_of, edges, name_index)
    listed = node_line >= 0
    node_context = np.full(n, -1, dtype=np.int32)
    doubts: list[str] = []
    if dump.pre_zone:
        matched: dict[int, int] = {}
        unmatched: list[int] = []
        node_context[listed] = _header_per_line(dump.headers, node_line[listed])
    else:
        zone_lines = np.array([line for _, line in dump.zones], dtype=np.int64)
        cell_zone = np.full(n, -1, dtype=np.int32)
        cell_zone[listed] = np.searchsorted(zone_lines, node_line[listed]) - 1
        globals_ = np.unique(global_of[global_of >= 0]).astype(np.int64)
        matched, unmatched, doubts = _match_globals(dump, cell_zone, globals_, node_id)
    contexts, context_of = _contexts(dump, node_id, matched, unmatched)
    if context_of:
        context_of_global = np.full(n, -1, dtype=np.int32)
        context_of_global[list(context_of)] = list(context_of.values())
        has_global = global_of >= 0
        node_context[has_global] = context_of_global[global_of[has_global]]
    return Attribution(contexts, node_context, classes.astype(np.uint32), tuple(doubts))
