"""Which V8 NativeContext (realm) each node belongs to.

Contexts are the ``system / NativeContext`` nodes (``hidden`` in Node, ``native`` in Chrome).
Attribution follows what makes an object belong to a realm in V8: a function belongs to the
realm of its context chain (``context`` then ``previous`` edges up to the NativeContext), a
JavaScript object to the realm of its prototype chain (``map`` then the map's ``prototype``),
ending at the realm's own intrinsics. Chains are resolved for all nodes at once by pointer
jumping, so the cost is a few passes over the edge columns whatever the chain lengths.
Internal arrays, strings, code and other engine objects that no chain reaches keep -1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import ContextTable, RootTable
from leakhunt.graph.kinds import NodeKind, RootKind
from leakhunt.graph.room import with_room
from leakhunt.importers.v8.columns import V8Columns
from leakhunt.importers.v8.string_search import StringSearch

__all__ = ["attribute_to_contexts", "find_contexts"]

_NATIVE_CONTEXT = "system / NativeContext"
_INTRINSIC_KINDS = frozenset({NodeKind.OBJECT, NodeKind.CLOSURE})
_JUMPS = 64


def find_contexts(
    columns: V8Columns, node_kind: npt.NDArray[np.uint8], roots: RootTable, search: StringSearch
) -> tuple[ContextTable, npt.NDArray[np.int32]]:
    """NativeContexts become contexts; returns the table and each node's anchor context.

    Anchors: the NativeContext itself, its global object and proxy, and the objects and
    functions among its own fields (the realm's intrinsics: ``Object.prototype``,
    ``Array``, …). Everything else is attributed by :func:`attribute_to_contexts`.
    """
    strings = columns.strings
    n = node_kind.shape[0]
    node_context = with_room(n, np.int32, room=columns.node_room, fill=-1)
    is_context_name = np.zeros(len(strings), dtype=np.bool_)
    for index in search.matching(_NATIVE_CONTEXT).tolist():
        is_context_name[index] = strings[index].startswith(_NATIVE_CONTEXT)
    candidates = np.flatnonzero(
        is_context_name[columns.node_name]
        & ((node_kind == NodeKind.HIDDEN) | (node_kind == NodeKind.NATIVE))
    )
    user_targets = set(columns.edge_target[roots.edge[roots.kind == RootKind.USER]].tolist())
    first, target = columns.node_first_edge, columns.edge_target
    internal_type = columns.edge_types.index("internal") if "internal" in columns.edge_types else -1
    nodes: list[int] = []
    globals_: list[int] = []
    names: list[str] = []
    for index, node in enumerate(candidates.tolist()):
        fields: dict[str, int] = {}
        for edge in range(int(first[node]), int(first[node + 1])):
            if columns.edge_type[edge] == internal_type:
                fields.setdefault(strings[int(columns.edge_name[edge])], int(target[edge]))
        global_node = fields.get("global_proxy_object", -1)
        # The global object: "extension" in Node 20 (V8 11), "global_object" in V8 15.
        extension = fields.get("global_object", fields.get("extension", -1))
        if global_node < 0:
            global_node = extension
        label = strings[int(columns.node_name[node])][len(_NATIVE_CONTEXT) :].lstrip(" /")
        if not label:
            is_main = extension in user_targets or global_node in user_targets
            owner = global_node if global_node >= 0 else extension
            owner_name = strings[int(columns.node_name[owner])] if owner >= 0 else "?"
            label = "main" if is_main else f"{owner_name} @{int(columns.node_id[node])}"
        nodes.append(node)
        globals_.append(global_node)
        names.append(label)
        node_context[node] = index
        for owned in (global_node, extension):
            if owned >= 0:
                node_context[owned] = index
        intrinsics = np.array(
            [v for v in fields.values() if node_kind[v] in _INTRINSIC_KINDS], dtype=np.int64
        )
        if intrinsics.size:
            unclaimed = intrinsics[node_context[intrinsics] < 0]
            node_context[unclaimed] = index
    table = ContextTable(
        node=np.array(nodes, dtype=np.int32),
        global_node=np.array(globals_, dtype=np.int32),
        name=tuple(names),
        kind=tuple("context" for _ in names),
    )
    return table, node_context


def _named_targets(
    columns: V8Columns, source: npt.NDArray[np.int32], name: str, n: int
) -> npt.NDArray[np.int32]:
    """For every node, the target of its internal edge called ``name`` (-1 when none)."""
    result = np.full(n, -1, dtype=np.int32)
    if "internal" not in columns.edge_types or name not in columns.strings:
        return result
    internal = columns.edge_types.index("internal")
    wanted = columns.strings.index(name)
    edges = np.flatnonzero((columns.edge_name == wanted) & (columns.edge_type == internal))
    # Reversed so that a node's first such edge wins, as when reading the edges in order.
    result[source[edges[::-1]]] = columns.edge_target[edges[::-1]]
    return result


def attribute_to_contexts(
    columns: V8Columns, node_kind: npt.NDArray[np.uint8], anchors: npt.NDArray[np.int32]
) -> npt.NDArray[np.int32]:
    """Context index of every node (-1 when unattributed), starting from ``anchors``."""
    n = node_kind.shape[0]
    if not np.any(anchors >= 0):
        return anchors
    source = np.repeat(np.arange(n, dtype=np.int32), np.diff(columns.node_first_edge))
    up = np.full(n, -1, dtype=np.int32)
    context = _named_targets(columns, source, "context", n)
    closures = node_kind == NodeKind.CLOSURE
    up[closures] = context[closures]
    previous = _named_targets(columns, source, "previous", n)
    has_previous = previous >= 0
    up[has_previous] = previous[has_previous]
    maps = _named_targets(columns, source, "map", n)
    prototype = _named_targets(columns, source, "prototype", n)
    objects = ((node_kind == NodeKind.OBJECT) | (node_kind == NodeKind.REGEXP)) & (maps >= 0)
    objects &= up < 0
    up[objects] = prototype[maps[objects]]
    result = with_room(n, np.int32, room=columns.node_room)
    result[:] = anchors
    pointer = up
    for _ in range(_JUMPS):
        pending = np.flatnonzero((result < 0) & (pointer >= 0))
        if not pending.size:
            break
        result[pending] = result[pointer[pending]]
        still = pending[result[pending] < 0]
        pointer[still] = pointer[pointer[still]]
    return result
