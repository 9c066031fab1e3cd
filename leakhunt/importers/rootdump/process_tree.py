"""The ``processes`` tree of a root dump: processes → isolate groups → isolates → contexts.

Examples
--------
>>> doc = {"processes": [{"isolate_groups": [{"id": "g", "isolates": [
...     {"id": "main", "contexts": [{"id": "c1", "state": "live"}]}]}]}]}
>>> tree = read_process_tree(doc)
>>> check_process_ids(tree, "d.json")
>>> isolate_index(tree)
({'main'}, {'main': {'c1'}}, 'main')
"""

from __future__ import annotations

from typing import Any

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.processes import (
    ContextFacts,
    GroupFacts,
    IsolateFacts,
    ProcessFacts,
    ProcessTree,
)

__all__ = ["check_process_ids", "isolate_index", "read_process_tree"]


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def read_process_tree(doc: dict[str, Any]) -> ProcessTree:
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


def check_process_ids(tree: ProcessTree, path: str) -> None:
    """Group and isolate ids are unique in the dump; context ids within their isolate."""
    seen_groups: set[str] = set()
    seen_isolates: set[str] = set()
    for p_index, process in enumerate(tree.processes):
        for g_index, group in enumerate(process.groups):
            where = f"/processes/{p_index}/isolate_groups/{g_index}"
            if group.id in seen_groups:
                raise SnapshotFormatError(path, f"{where}/id", f"duplicate group id {group.id!r}")
            seen_groups.add(group.id)
            for i_index, isolate in enumerate(group.isolates):
                here = f"{where}/isolates/{i_index}"
                if isolate.id in seen_isolates:
                    raise SnapshotFormatError(
                        path, f"{here}/id", f"duplicate isolate id {isolate.id!r}"
                    )
                seen_isolates.add(isolate.id)
                contexts: set[str] = set()
                for c_index, context in enumerate(isolate.contexts):
                    if context.id in contexts:
                        raise SnapshotFormatError(
                            path,
                            f"{here}/contexts/{c_index}/id",
                            f"duplicate context id {context.id!r} in isolate {isolate.id!r}",
                        )
                    contexts.add(context.id)


def isolate_index(
    tree: ProcessTree,
) -> tuple[set[str], dict[str, set[str]], str | None]:
    isolates = tree.isolates()
    known = {i.id for i in isolates}
    contexts = {i.id: {c.id for c in i.contexts} for i in isolates}
    only = isolates[0].id if len(isolates) == 1 else None
    return known, contexts, only
