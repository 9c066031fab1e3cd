"""V8 vocabulary → the neutral model: kinds, root layout, WeakMap pairs, NativeContexts, classes.

Everything V8-specific about *meaning* lives here (the parsing lives in
:mod:`leakhunt.importers.v8.heapsnapshot`). Facts used, all observed in Node 20 and Chrome
snapshots (``shared/reference/v8-heapsnapshot.md`` §3-§6):

* node 0 is the synthetic root; its ``(GC roots)`` child groups V8's root categories, whose
  names are not unique (``(Strong roots)`` twice), so categories are keyed by node;
* other synthetic children of the root are embedder roots or containers of embedder roots;
  non-synthetic children, and ``(Document DOM trees)``, are user roots (DevTools' rule);
* a WeakMap entry appears as two ``internal`` edges into the value named
  ``N / part of key (K @k) -> value (V @v) pair in WeakMap (table @t)``, one from the key and one
  from the table; they become one ephemeron entry;
* ``system / NativeContext`` nodes (``hidden`` in Node, ``native`` in Chrome) are contexts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from operator import methodcaller

import numpy as np
import numpy.typing as npt

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import (
    EphemeronTable,
    RetentionGraph,
    RootTable,
    SourceInfo,
)
from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.graph.room import with_room
from leakhunt.importers.v8.code import CodeSections, read_captured_uses, read_code_locations
from leakhunt.importers.v8.columns import V8Columns
from leakhunt.importers.v8.context_roles import describe_contexts
from leakhunt.importers.v8.contexts import attribute_to_contexts, find_contexts
from leakhunt.importers.v8.string_search import StringSearch

__all__ = [
    "V8Columns",
    "assemble_graph",
    "check_edge_names",
    "class_names",
    "node_and_edge_kinds",
]

_NODE_KINDS = {
    "hidden": NodeKind.HIDDEN,
    "array": NodeKind.ARRAY,
    "string": NodeKind.STRING,
    "object": NodeKind.OBJECT,
    "code": NodeKind.CODE,
    "closure": NodeKind.CLOSURE,
    "regexp": NodeKind.REGEXP,
    "number": NodeKind.NUMBER,
    "native": NodeKind.NATIVE,
    "synthetic": NodeKind.SYNTHETIC,
    "concatenated string": NodeKind.ROPE_STRING,
    "sliced string": NodeKind.SLICED_STRING,
    "symbol": NodeKind.SYMBOL,
    "bigint": NodeKind.BIGINT,
    "object shape": NodeKind.SHAPE,
    "wasm object": NodeKind.WASM_OBJECT,
}
_EDGE_KINDS = {
    "context": EdgeKind.CONTEXT_VARIABLE,
    "element": EdgeKind.ELEMENT,
    "property": EdgeKind.PROPERTY,
    "internal": EdgeKind.INTERNAL,
    "hidden": EdgeKind.HIDDEN,
    "shortcut": EdgeKind.SHORTCUT,
    "weak": EdgeKind.WEAK,
}
# DevTools' class names for non-object types (HeapSnapshot worker, JSHeapSnapshotNode.className).
_CLASS_BY_TYPE = {
    "hidden": "(system)",
    "code": "(compiled code)",
    "closure": "Function",
    "regexp": "RegExp",
}
_GC_ROOTS = "(GC roots)"
_USER_ROOT_CONTAINER = "(Document DOM trees)"
_EMBEDDER_CONTAINERS = frozenset(
    {"C++ roots", "C++ cross-thread roots", "Blink roots", "Blink cross-thread roots"}
)
_CATEGORY_KINDS = {
    "(Stack roots)": RootKind.STACK,
    "(Handle scope)": RootKind.HANDLE_SCOPE,
    "(Global handles)": RootKind.STRONG_GLOBAL_HANDLE,
    "(Traced handles)": RootKind.EMBEDDER,
    "(Eternal handles)": RootKind.ETERNAL_HANDLE,
    "(Wrapper tracing)": RootKind.EMBEDDER,
    # Chromium files its cppgc roots inside (GC roots).
    "C++ Persistent roots": RootKind.EMBEDDER,
    "C++ CrossThreadPersistent roots": RootKind.EMBEDDER,
}
_NATIVE_CONTEXT = "system / NativeContext"
# DevTools' pattern, with JavaScript's meaning of "." and "\d" (ASCII digits; "." stops at any
# line terminator) so that exactly the same edges are paired.
_ANY = "[^\n\r\u2028\u2029]"
_EPHEMERON_NAME = re.compile(
    rf"([0-9]+) / (part of key \({_ANY}*? @([0-9]+)\) -> value \({_ANY}*? @([0-9]+)\) "
    rf"pair in WeakMap \(table @([0-9]+)\))"
)


def _lookup(
    names: tuple[str, ...], mapping: Mapping[str, int], default: int
) -> npt.NDArray[np.uint8]:
    return np.array([mapping.get(name, default) for name in names], dtype=np.uint8)


def string_table(columns: V8Columns) -> tuple[list[str], Callable[[str], int]]:
    """The snapshot's strings as a growing list, and a function that adds a name leakhunt
    needs (a class group such as ``(closure)``) once and returns its index."""
    strings = list(columns.strings)
    extra: dict[str, int] = {}

    def intern(text: str) -> int:
        index = extra.get(text)
        if index is None:
            index = extra[text] = len(strings)
            strings.append(text)
        return index

    return strings, intern


def assemble_graph(
    columns: V8Columns, source: SourceInfo, code: CodeSections | None = None
) -> RetentionGraph:
    """Interpret V8 columns (and the code sections, when read) as a :class:`RetentionGraph`."""
    strings, intern = string_table(columns)
    node_kind, edge_kind = node_and_edge_kinds(columns)
    problems = [*columns.problems] + [
        f"unknown edge type {name!r} read as internal"
        for name in columns.edge_types
        if name not in _EDGE_KINDS
    ]
    check_edge_names(columns, edge_kind)
    search = StringSearch(columns.strings)
    ephemerons = _pair_weakmap_edges(columns, edge_kind, search)
    edge_kind[ephemerons.edge] = EdgeKind.EPHEMERON
    _mark_embedder_edges(columns, node_kind, edge_kind, search)
    node_class = class_names(columns, intern)
    roots = _root_table(columns, node_kind, edge_kind, intern)
    contexts, anchors = find_contexts(columns, node_kind, roots, search)
    node_context = attribute_to_contexts(columns, node_kind, anchors)
    contexts = describe_contexts(columns, node_kind, contexts, node_context)
    code = code if code is not None else CodeSections()
    locations, _, location_scripts = read_code_locations(columns, code, intern)
    captured_uses = read_captured_uses(columns, code, locations, location_scripts)
    return RetentionGraph(
        strings=tuple(strings),
        type_names=columns.node_types,
        node_type=columns.node_type,
        node_kind=node_kind,
        node_name=columns.node_name,
        node_class=node_class,
        node_id=columns.node_id,
        node_self_size=columns.node_self_size,
        node_context=node_context,
        node_detachedness=columns.node_detachedness,
        node_first_edge=columns.node_first_edge,
        edge_target=columns.edge_target,
        edge_kind=edge_kind,
        edge_name=columns.edge_name,
        roots=roots,
        ephemerons=ephemerons,
        contexts=contexts,
        source=source,
        problems=(*problems, *code.problems),
        code_locations=locations,
        captured_uses=captured_uses,
    )


_HOST_OPTIONS_NAMES = {
    "host_defined_options": EdgeKind.INTERNAL,
    "<symbol node:host_defined_option_symbol>": EdgeKind.PROPERTY,
}
"""Edges that carry host-defined options: V8's ``Script`` field, and the per-referrer id
symbol Node (v20+) stores on a script, function or module to find its dynamic-import callback."""
_NODE_NATIVE_PREFIX = "Node / "
_NATIVE_TO_JAVASCRIPT = "native_to_javascript"
"""Node's embedder graph: a ``BaseObject``'s edge to its JS wrapper (its persistent handle)."""


def _mark_embedder_edges(
    columns: V8Columns,
    node_kind: npt.NDArray[np.uint8],
    edge_kind: npt.NDArray[np.uint8],
    search: StringSearch,
) -> None:
    """Give host-defined-options edges and Node natives' wrapper handles their own kinds.

    Both stay strong, as in the snapshot; only their meaning is recorded (``host options``,
    ``native handle``), so paths and cycles can say what the hop is.
    """
    strings = columns.strings
    names = columns.edge_name
    for text, kind in _HOST_OPTIONS_NAMES.items():
        indices = [int(i) for i in search.matching(text).tolist() if strings[int(i)] == text]
        if indices:
            hit = np.isin(names, indices) & (edge_kind == kind)
            edge_kind[hit] = EdgeKind.HOST_OPTIONS
    indices = [
        int(i)
        for i in search.matching(_NATIVE_TO_JAVASCRIPT).tolist()
        if strings[int(i)] == _NATIVE_TO_JAVASCRIPT
    ]
    if not indices:
        return
    candidates = np.flatnonzero(np.isin(names, indices) & (edge_kind == EdgeKind.INTERNAL))
    if not candidates.size:
        return
    sources = np.searchsorted(columns.node_first_edge, candidates, side="right") - 1
    native = node_kind[sources] == NodeKind.NATIVE
    prefixed = np.array(
        [
            strings[int(columns.node_name[s])].startswith(_NODE_NATIVE_PREFIX)
            for s in sources.tolist()
        ],
        dtype=np.bool_,
    )
    edge_kind[candidates[native & prefixed]] = EdgeKind.NATIVE_HANDLE


def node_and_edge_kinds(
    columns: V8Columns,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Node and edge kinds from the snapshot's type numbers (before edges are reinterpreted)."""
    node_kind = with_room(columns.node_type.size, np.uint8, room=columns.node_room)
    edge_kind = with_room(columns.edge_type.size, np.uint8, room=columns.edge_room)
    np.take(
        _lookup(columns.node_types, _NODE_KINDS, NodeKind.OTHER), columns.node_type, out=node_kind
    )
    np.take(
        _lookup(columns.edge_types, _EDGE_KINDS, EdgeKind.INTERNAL),
        columns.edge_type,
        out=edge_kind,
    )
    return node_kind, edge_kind


def check_edge_names(columns: V8Columns, edge_kind: npt.NDArray[np.uint8]) -> None:
    named = ~((edge_kind == EdgeKind.ELEMENT) | (edge_kind == EdgeKind.HIDDEN))
    bad = named & (columns.edge_name >= len(columns.strings))
    if bad.any():
        edge = int(np.flatnonzero(bad)[0])
        raise SnapshotFormatError(
            columns.path,
            f"edge {edge}",
            f"name {int(columns.edge_name[edge])} is not a string index",
        )


def _pair_weakmap_edges(
    columns: V8Columns, edge_kind: npt.NDArray[np.uint8], search: StringSearch
) -> EphemeronTable:
    """Group the two halves of every WeakMap entry by the name they share (minus the index).

    Names are parsed once per string (each half has its own string); edges are then matched to
    their entry and side with array operations.
    """
    strings = columns.strings
    if "internal" not in columns.edge_types:
        return EphemeronTable.empty()
    entry_of_string = np.full(len(strings), -1, dtype=np.int64)
    table_of_string = np.zeros(len(strings), dtype=np.int64)
    # Tens of thousands of names: matched and numbered with C-level map calls, no Python loop.
    candidates = search.matching(" / part of key (").tolist()
    found = list(map(_EPHEMERON_NAME.fullmatch, map(strings.__getitem__, candidates)))
    matched = [m for m in found if m is not None]
    if not matched:
        return EphemeronTable.empty()
    rows = np.array([i for i, m in zip(candidates, found, strict=True) if m is not None])
    suffixes = list(map(methodcaller("group", 2), matched))
    # Entries numbered in order of first appearance.
    entry_of_suffix = {suffix: entry for entry, suffix in enumerate(dict.fromkeys(suffixes))}
    entry_of_string[rows] = np.fromiter(
        map(entry_of_suffix.__getitem__, suffixes), dtype=np.int64, count=len(suffixes)
    )
    tables = map(methodcaller("group", 5), matched)
    # An id too long for 64 bits names no node: -1 matches none.
    table_of_string[rows] = np.array([int(t) if len(t) < 19 else -1 for t in tables], np.int64)
    # Only edges the file calls "internal" (not unknown types read as internal), as in DevTools.
    internal = np.flatnonzero(columns.edge_type == columns.edge_types.index("internal"))
    names = columns.edge_name[internal]
    halves = internal[entry_of_string[names] >= 0]
    names = columns.edge_name[halves]
    sources = np.searchsorted(columns.node_first_edge, halves, side="right") - 1
    return EphemeronTable(
        edge=halves.astype(np.int64),
        entry=entry_of_string[names].astype(np.int32),
        from_key=columns.node_id[sources] != table_of_string[names],
        entry_halves=np.full(len(entry_of_suffix), 2, dtype=np.uint8),
    )


def class_names(columns: V8Columns, intern: Callable[[str], int]) -> npt.NDArray[np.uint32]:
    """DevTools' class name per node: the name for objects and natives, a group otherwise."""
    per_type = np.array(
        [
            -1 if name in ("object", "native") else intern(_CLASS_BY_TYPE.get(name, f"({name})"))
            for name in columns.node_types
        ],
        dtype=np.int64,
    )
    by_type = per_type[columns.node_type]
    result = with_room(by_type.size, np.uint32, room=columns.node_room)
    np.copyto(result, np.where(by_type < 0, columns.node_name, by_type), casting="unsafe")
    return result


def _root_table(
    columns: V8Columns,
    node_kind: npt.NDArray[np.uint8],
    edge_kind: npt.NDArray[np.uint8],
    intern: Callable[[str], int],
) -> RootTable:
    first, target, strings = columns.node_first_edge, columns.edge_target, columns.strings
    edges: list[int] = []
    kinds: list[int] = []
    labels: list[int] = []

    def add(edge: int, kind: RootKind, label: int) -> None:
        if kind == RootKind.STRONG_GLOBAL_HANDLE and edge_kind[edge] == EdgeKind.WEAK:
            kind = RootKind.WEAK_GLOBAL_HANDLE
        edges.append(edge)
        kinds.append(kind)
        labels.append(label)

    for top_edge in range(int(first[0]), int(first[1])):
        child = int(target[top_edge])
        name_index = int(columns.node_name[child])
        name = strings[name_index]
        synthetic = node_kind[child] == NodeKind.SYNTHETIC
        if synthetic and name == _GC_ROOTS:
            for category_edge in range(int(first[child]), int(first[child + 1])):
                category = int(target[category_edge])
                category_name_index = int(columns.node_name[category])
                kind = _CATEGORY_KINDS.get(strings[category_name_index], RootKind.ENGINE)
                for edge in range(int(first[category]), int(first[category + 1])):
                    add(edge, kind, category_name_index)
        elif synthetic and name in _EMBEDDER_CONTAINERS:
            for edge in range(int(first[child]), int(first[child + 1])):
                add(edge, RootKind.EMBEDDER, name_index)
        elif not synthetic or name == _USER_ROOT_CONTAINER:
            add(top_edge, RootKind.USER, name_index)
        else:
            add(top_edge, RootKind.EMBEDDER, name_index)
    return RootTable(
        edge=np.array(edges, dtype=np.int64),
        kind=np.array(kinds, dtype=np.uint8),
        label=np.array(labels, dtype=np.uint32),
    )
