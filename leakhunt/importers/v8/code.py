"""V8 ``locations`` and ``scopes`` sections → :class:`CodeLocationTable` and :class:`CapturedUseTable`.

``locations`` rows are ``(object_index, script_id, [script_object_index,] line, column)``, the
object index a flat offset into ``nodes`` like ``to_node``. Node 20 writes them for closures and
for objects (at their constructor). The script's name is read from the script node: Node 20
reaches it as ``closure -shared-> SharedFunctionInfo -script_or_debug_info-> Script`` (the node
is named by the script's path); Chromium gives the script node in the row and names it through
its ``name`` edge.

Chromium 15x also writes ``scopes`` rows ``(script_node_index, scope_id, depth,
scope_context_vars_count, scope_uses_count)`` in pre-order per script (a row's parent is the
nearest earlier row one level up), ``scope_context_vars`` (the names of each scope's context
slots) and ``scope_uses`` rows ``(declaring_scope_id, slot_index)``: which context slots a
scope's code reads. A scope id is the source position where the scope starts (``-2`` is the
script scope), the same position a closure's location points at. A closure's uses are those of
its scope and every scope nested in it (functions it may still create). Each use is attributed
to the context on the closure's ``context`` → ``previous`` chain that belongs to the declaring
scope: the chain is walked alongside the closure's ancestor scopes that own context slots, and
the walk stops at the first context whose variables do not match (never a wrong attribution).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from leakhunt.graph.code import CapturedUseTable, CodeLocationTable
from leakhunt.importers.v8.columns import V8Columns

__all__ = ["CodeSections", "read_captured_uses", "read_code_locations"]

_LINE_TERMINATOR = re.compile("\r\n|[\n\r\u2028\u2029]")
_SCRIPT_SCOPE = -2


@dataclass(slots=True)
class CodeSections:
    """The raw code-related sections of one snapshot (absent ones stay ``None``)."""

    location_fields: tuple[str, ...] = ()
    locations: npt.NDArray[np.int64] | None = None
    scope_fields: tuple[str, ...] = ()
    scopes: list[int] | None = None
    scope_context_vars: list[int] | None = None
    scope_uses: list[int] | None = None
    node_width: int = 1
    """Numbers per node record (object indices are flat offsets)."""
    problems: list[str] = field(default_factory=list)
    """Malformed optional sections, skipped."""


class _Edges:
    """Named-edge lookup over the raw columns (a few hundred lookups, no full index)."""

    def __init__(self, columns: V8Columns) -> None:
        self.columns = columns
        self._name_index: dict[str, int | None] = {}

    def _index(self, name: str) -> int | None:
        # A handful of edge names are looked up: one C-level scan each, no table-wide dict.
        if name not in self._name_index:
            try:
                self._name_index[name] = self.columns.strings.index(name)
            except ValueError:
                self._name_index[name] = None
        return self._name_index[name]

    def follow(self, node: int, names: Sequence[str]) -> int:
        """The target of the first edge of ``node`` named like any of ``names``, or -1."""
        wanted = {i for i in map(self._index, names) if i is not None}
        if not wanted or node < 0:
            return -1
        cols = self.columns
        lo, hi = int(cols.node_first_edge[node]), int(cols.node_first_edge[node + 1])
        for edge in range(lo, hi):
            if int(cols.edge_name[edge]) in wanted and cols.edge_types[cols.edge_type[edge]] in (
                "internal",
                "property",
                "shortcut",
            ):
                return int(cols.edge_target[edge])
        return -1

    def context_variable_names(self, node: int) -> set[str]:
        cols = self.columns
        lo, hi = int(cols.node_first_edge[node]), int(cols.node_first_edge[node + 1])
        kinds = cols.edge_type[lo:hi]
        context = cols.edge_types.index("context") if "context" in cols.edge_types else -1
        names = cols.edge_name[lo:hi][kinds == context]
        return {cols.strings[int(i)] for i in names.tolist() if int(i) < len(cols.strings)}


def _ordinals(
    columns: V8Columns, offsets: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int64]:
    ordinals, remainder = np.divmod(offsets, width)
    ok = (remainder == 0) & (ordinals < columns.node_type.shape[0])
    return np.where(ok, ordinals, -1)


def _script_name(columns: V8Columns, edges: _Edges, script: int) -> str:
    named = edges.follow(script, ("name",))
    if named >= 0 and columns.node_types[columns.node_type[named]] in (
        "string",
        "concatenated string",
        "sliced string",
    ):
        return columns.strings[int(columns.node_name[named])]
    return columns.strings[int(columns.node_name[script])] if script >= 0 else ""


def _script_of_closure(edges: _Edges, closure: int) -> int:
    shared = edges.follow(closure, ("shared",))
    return edges.follow(shared, ("script_or_debug_info", "script"))


def read_code_locations(
    columns: V8Columns, sections: CodeSections, intern: Callable[[str], int]
) -> tuple[CodeLocationTable, dict[int, str], npt.NDArray[np.int64]]:
    """The location table, the script names by script id, and each row's script node (or -1)."""
    fields = sections.location_fields
    raw = sections.locations
    needed = ("object_index", "script_id", "line", "column")
    if raw is None or not raw.size or not all(f in fields for f in needed):
        return CodeLocationTable.empty(), {}, np.zeros(0, np.int64)
    width = len(fields)
    rows = raw[: raw.size // width * width].reshape(-1, width)
    node_width = sections.node_width
    nodes = _ordinals(columns, rows[:, fields.index("object_index")], node_width)
    script_ids = rows[:, fields.index("script_id")]
    if "script_object_index" in fields:
        script_nodes = _ordinals(columns, rows[:, fields.index("script_object_index")], node_width)
    else:
        script_nodes = np.full(nodes.shape[0], -1, dtype=np.int64)
    # Script names are resolved once per script id (a few hundred), not per row.
    edges = _Edges(columns)
    closure_type = columns.node_types.index("closure") if "closure" in columns.node_types else -1
    valid = nodes >= 0
    is_closure = np.zeros(nodes.shape[0], dtype=np.bool_)
    is_closure[valid] = columns.node_type[nodes[valid]] == closure_type
    unique_ids, first_row = np.unique(script_ids, return_index=True)
    closure_ids, closure_row = np.unique(script_ids[is_closure], return_index=True)
    closure_row_of = dict(
        zip(closure_ids.tolist(), np.flatnonzero(is_closure)[closure_row].tolist(), strict=True)
    )
    names: dict[int, str] = {}
    script_node_of_id: dict[int, int] = {}
    for script_id, row in zip(unique_ids.tolist(), first_row.tolist(), strict=True):
        script = int(script_nodes[row])
        if script < 0 and script_id in closure_row_of:
            script = _script_of_closure(edges, int(nodes[closure_row_of[script_id]]))
        if script >= 0:
            names[script_id] = _script_name(columns, edges, script)
            script_node_of_id[script_id] = script
    keep = nodes >= 0
    nodes, rows, script_ids = nodes[keep], rows[keep], script_ids[keep]
    order = np.argsort(nodes, kind="stable")
    nodes, rows, script_ids = nodes[order], rows[order], script_ids[order]
    unique = np.ones(nodes.shape[0], dtype=np.bool_)
    unique[1:] = nodes[1:] != nodes[:-1]
    nodes, rows, script_ids = nodes[unique], rows[unique], script_ids[unique]
    empty = intern("")
    string_by_id = np.array(
        [intern(names[i]) if i in names else empty for i in unique_ids.tolist()], dtype=np.uint32
    )
    node_by_id = np.array(
        [script_node_of_id.get(i, -1) for i in unique_ids.tolist()], dtype=np.int64
    )
    position = np.searchsorted(unique_ids, script_ids)
    script_string = string_by_id[position] if position.size else np.zeros(0, np.uint32)
    per_row_script = node_by_id[position] if position.size else np.zeros(0, np.int64)
    table = CodeLocationTable(
        node=nodes.astype(np.int32),
        script=script_string,
        line=rows[:, fields.index("line")].astype(np.int32),
        column=rows[:, fields.index("column")].astype(np.int32),
    )
    return table, names, per_row_script


@dataclass(slots=True)
class _Scope:
    scope_id: int
    parent: int
    variables: list[int]
    """String indices of the names of the scope's context slots, by slot."""
    uses: list[tuple[int, int]]
    children: list[int] = field(default_factory=list)


def _scope_trees(
    columns: V8Columns, sections: CodeSections
) -> dict[int, tuple[list[_Scope], dict[int, int]]]:
    """Per script node: the scopes in file order and the row of each scope id."""
    fields = sections.scope_fields
    needed = (
        "script_node_index",
        "scope_id",
        "depth",
        "scope_context_vars_count",
        "scope_uses_count",
    )
    if sections.scopes is None or not all(f in fields for f in needed):
        return {}
    width = len(fields)
    raw, names, uses = sections.scopes, sections.scope_context_vars or [], sections.scope_uses or []
    at = {f: fields.index(f) for f in needed}
    trees: dict[int, tuple[list[_Scope], dict[int, int]]] = {}
    stacks: dict[int, list[int]] = {}
    var_at = use_at = 0
    node_width = sections.node_width
    for base in range(0, len(raw) - width + 1, width):
        row = raw[base : base + width]
        script_offset = row[at["script_node_index"]]
        if script_offset % node_width:
            continue
        script = script_offset // node_width
        n_vars, n_uses = row[at["scope_context_vars_count"]], row[at["scope_uses_count"]]
        variables = [i for i in names[var_at : var_at + n_vars] if 0 <= i < len(columns.strings)]
        pairs = uses[2 * use_at : 2 * (use_at + n_uses)]
        var_at += max(n_vars, 0)
        use_at += max(n_uses, 0)
        if len(variables) != n_vars or len(pairs) != 2 * n_uses:
            continue
        scopes, by_id = trees.setdefault(script, ([], {}))
        stack = stacks.setdefault(script, [])
        depth = row[at["depth"]]
        del stack[depth:]
        parent = stack[-1] if stack else -1
        scope = _Scope(
            row[at["scope_id"]], parent, variables, list(zip(pairs[::2], pairs[1::2], strict=True))
        )
        position = len(scopes)
        scopes.append(scope)
        if parent >= 0:
            scopes[parent].children.append(position)
        by_id.setdefault(scope.scope_id, position)
        stack.append(position)
    return trees


def _line_starts(source: str) -> list[int]:
    return [0, *(m.end() for m in _LINE_TERMINATOR.finditer(source))]


def read_captured_uses(
    columns: V8Columns,
    sections: CodeSections,
    locations: CodeLocationTable,
    location_scripts: npt.NDArray[np.int64],
) -> CapturedUseTable:
    """Which context variables each located closure reads (Chromium 15x ``scopes`` sections)."""
    trees = _scope_trees(columns, sections)
    if not trees or "closure" not in columns.node_types:  # an old or odd type list: no closures
        return CapturedUseTable.empty()
    edges = _Edges(columns)
    closure_type = columns.node_types.index("closure")
    line_starts: dict[int, list[int]] = {}
    functions: list[int] = []
    contexts: list[int] = []
    used_names: list[int] = []
    covered: list[int] = []
    known_contexts: set[int] = set()
    for row in range(len(locations)):
        closure = int(locations.node[row])
        script = int(location_scripts[row])
        if int(columns.node_type[closure]) != closure_type or script not in trees:
            continue
        if script not in line_starts:
            source = edges.follow(script, ("source",))
            text = columns.strings[int(columns.node_name[source])] if source >= 0 else ""
            line_starts[script] = _line_starts(text)
        starts = line_starts[script]
        line = int(locations.line[row])
        if line >= len(starts):
            continue
        position = starts[line] + int(locations.column[row])
        scopes, by_id = trees[script]
        own = by_id.get(position)
        if own is None:
            continue
        covered.append(closure)
        chain = _context_chain(edges, closure, scopes, own)
        known_contexts.update(chain.values())
        for declaring, name in _uses_below(scopes, own):
            context = chain.get(declaring)
            if context is not None:
                functions.append(closure)
                contexts.append(context)
                used_names.append(name)
    return CapturedUseTable(
        known=True,
        function=np.array(functions, dtype=np.int32),
        context=np.array(contexts, dtype=np.int32),
        name=np.array(used_names, dtype=np.uint32),
        covered=np.unique(np.array(covered, dtype=np.int32)),
        contexts=np.array(sorted(known_contexts), dtype=np.int32),
    )


def _uses_below(scopes: list[_Scope], top: int) -> set[tuple[int, int]]:
    """(declaring scope id, name string) of every use in ``top`` and the scopes nested in it."""
    by_id = {s.scope_id: s for s in scopes}
    found: set[tuple[int, int]] = set()
    pending = [top]
    while pending:
        scope = scopes[pending.pop()]
        pending.extend(scope.children)
        for declaring, slot in scope.uses:
            owner = by_id.get(declaring)
            if owner is not None and 0 <= slot < len(owner.variables):
                found.add((declaring, owner.variables[slot]))
    return found


def _context_chain(edges: _Edges, closure: int, scopes: list[_Scope], own: int) -> dict[int, int]:
    """Declaring scope id → context node, for the ancestors of ``own`` that own context slots."""
    chain: dict[int, int] = {}
    context = edges.follow(closure, ("context",))
    ancestor = scopes[own].parent
    while ancestor >= 0 and context >= 0:
        scope = scopes[ancestor]
        if scope.scope_id == _SCRIPT_SCOPE:
            break  # the script's own context lives as long as the script: not a closure's
        if scope.variables:
            names = {edges.columns.strings[i] for i in scope.variables}
            if not names <= edges.context_variable_names(context):
                break
            chain[scope.scope_id] = context
            context = edges.follow(context, ("previous",))
        ancestor = scope.parent
    return chain
