"""What each V8 context is for and what the snapshot itself says about its state.

Runs after attribution (:func:`~leakhunt.importers.v8.contexts.attribute_to_contexts`), because
Node's contextify links are found by the context of their targets:

* **Roles and names.** A context whose global is the user root is ``main``; a NativeContext
  tagged with a URL (Chromium) is a ``window`` named by that URL; untagged contexts are named by
  role: ``iframe`` (a ``Window`` global), ``extension`` (Chromium's untagged
  ``Object [JSGlobalProxy]`` worlds), ``worker`` (a ``*WorkerGlobalScope`` global) or ``vm``
  (Node: a contextified sandbox points at it), with the global's class and the context's id.
* **Front doors.** Node keeps a ``vm`` context alive through its sandbox: the sandbox's
  ``<symbol node:contextify:context>`` property points at an object of the context. That object
  is recorded as the context's extra front door.
* **Weak holders.** ``Node / ContextifyContext`` reaches the same object through
  ``native_to_javascript``; the process holds it weakly (the native has detachedness 2), so
  the edge is listed in :attr:`ContextTable.weak_holder_edges` and never counts as a holder.
* **State.** A window's ``HTMLDocument`` (Chromium) carries the engine's detachedness: 2 means
  the document is detached, recorded as state ``detached``; 1 as ``attached``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from leakhunt.graph.core import ContextTable
from leakhunt.graph.kinds import NodeKind
from leakhunt.importers.v8.columns import V8Columns

__all__ = ["describe_contexts"]

_SANDBOX_LINK = "<symbol node:contextify:context>"
_CONTEXTIFY = "Node / ContextifyContext"
_NATIVE_TO_JS = "native_to_javascript"
_DOCUMENT = "HTMLDocument"
_WORKER_SUFFIX = "WorkerGlobalScope"
_DETACHED, _ATTACHED = 2, 1


def _string_index(strings: tuple[str, ...], text: str) -> int:
    try:
        return strings.index(text)
    except ValueError:
        return -1


def _edges_named(columns: V8Columns, name: str) -> npt.NDArray[np.int64]:
    index = _string_index(columns.strings, name)
    if index < 0:
        return np.zeros(0, dtype=np.int64)
    named = columns.edge_name == index
    # Element and hidden edges carry indices, not string ids; only named kinds can match.
    for kind in ("element", "hidden"):
        if kind in columns.edge_types:
            named &= columns.edge_type != columns.edge_types.index(kind)
    return np.flatnonzero(named).astype(np.int64)


def _sources(columns: V8Columns, edges: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.searchsorted(columns.node_first_edge, edges, side="right").astype(np.int64) - 1


def _owner_class(columns: V8Columns, contexts: ContextTable, context: int) -> str:
    owner = int(contexts.global_node[context])
    return columns.strings[int(columns.node_name[owner])] if owner >= 0 else "?"


def _document_state(columns: V8Columns, global_node: int, document: int) -> tuple[str, str]:
    """State and note from the ``HTMLDocument`` (string index ``document``, -1 when the
    snapshot has none) the window's global proxy points at."""
    if global_node < 0 or document < 0:
        return "unknown", ""
    first = columns.node_first_edge
    for edge in range(int(first[global_node]), int(first[global_node + 1])):
        target = int(columns.edge_target[edge])
        if int(columns.node_name[target]) != document:
            continue
        raw = int(columns.node_detachedness[target])
        node_id = int(columns.node_id[target])
        if raw == _DETACHED:
            return "detached", f"its HTMLDocument @{node_id} is detached (detachedness 2)"
        if raw == _ATTACHED:
            return "attached", f"its HTMLDocument @{node_id} is attached (detachedness 1)"
        return "unknown", f"its HTMLDocument @{node_id} has detachedness {raw}"
    return "unknown", ""


def describe_contexts(
    columns: V8Columns,
    node_kind: npt.NDArray[np.uint8],
    contexts: ContextTable,
    node_context: npt.NDArray[np.int32],
) -> ContextTable:
    """The context table with roles, self-explaining names, state, front doors and weak holders."""
    k = len(contexts)
    if k == 0:
        return contexts
    front_door = np.full(k, -1, dtype=np.int32)
    links = _edges_named(columns, _SANDBOX_LINK)
    for edge in links.tolist():
        target = int(columns.edge_target[edge])
        linked = int(node_context[target])
        if linked >= 0 and front_door[linked] < 0 and node_kind[target] == NodeKind.OBJECT:
            front_door[linked] = target
    weak = _edges_named(columns, _NATIVE_TO_JS)
    contextify = _string_index(columns.strings, _CONTEXTIFY)
    # Looked up once: a linear search of the string table per context cost 8 ms each.
    document = _string_index(columns.strings, _DOCUMENT)
    if weak.size:
        sources = _sources(columns, weak)
        targets = columns.edge_target[weak]
        keep = (
            (columns.node_name[sources] == contextify)
            & (columns.node_detachedness[sources] == _DETACHED)
            & (node_context[targets] >= 0)
        )
        weak, weak_sources = weak[keep], sources[keep]
    else:
        weak_sources = weak
    weakly_held: dict[int, int] = {}
    for edge, holder in zip(weak.tolist(), weak_sources.tolist(), strict=True):
        weakly_held.setdefault(int(node_context[columns.edge_target[edge]]), int(holder))
    roles: list[str] = []
    names: list[str] = []
    states: list[str] = []
    notes: list[str] = []
    for context in range(k):
        name = contexts.name[context]
        owner = _owner_class(columns, contexts, context)
        node_id = int(columns.node_id[int(contexts.node[context])])
        state, note = _document_state(columns, int(contexts.global_node[context]), document)
        if name == "main":
            role = "main"
        elif " @" not in name:
            role = "window"  # tagged with its URL by Chromium
        elif front_door[context] >= 0:
            role, name = "vm", f"vm {owner} @{node_id}"
        elif owner.startswith("Window"):
            role, name = "iframe", f"iframe @{node_id}"
        elif owner.endswith(_WORKER_SUFFIX):
            role, name = "worker", f"worker {owner} @{node_id}"
        elif owner.startswith("Object [JSGlobalProxy]"):
            role, name = "extension", f"extension @{node_id}"
        else:
            role = "context"
        holder = weakly_held.get(context)
        if holder is not None:
            weak_note = "Node / ContextifyContext holds it weakly (detachedness 2): not evidence of anything"
            note = f"{note}; {weak_note}" if note else weak_note
        roles.append(role)
        names.append(name)
        states.append(state)
        notes.append(note)
    return dataclasses.replace(
        contexts,
        name=tuple(names),
        role=tuple(roles),
        state=tuple(states),
        state_note=tuple(notes),
        front_door=front_door if np.any(front_door >= 0) else None,
        weak_holder_edges=np.sort(weak) if weak.size else None,
    )
