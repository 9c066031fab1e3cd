"""Root-dump fixtures for tests: the hand-written dump, its malformed variants, the addon's."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ROOTDUMP = REPO / "fixtures" / "rootdump"
NODE_ROOTDUMP = REPO / "fixtures" / "node_rootdump"
STANDALONE = ROOTDUMP / "quickjs_like.rootdump.json"
ADDON_SNAPSHOT = NODE_ROOTDUMP / "compiled_fn_entry.heapsnapshot.gz"
ADDON_DUMP = NODE_ROOTDUMP / "compiled_fn_entry.rootdump.json"
ADDON_EXPECTED = NODE_ROOTDUMP / "compiled_fn_entry.expected.json"
WORKER_MANIFEST = NODE_ROOTDUMP / "worker_isolates.manifest.json"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def apply_ops(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply ``set``/``remove``/``append`` operations (JSON pointers) to a copy of ``doc``."""
    doc = copy.deepcopy(doc)
    for op in ops:
        *parents, last = _parts(op["path"])
        node = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if op["op"] == "set":
            node[key] = op["value"]
        elif op["op"] == "remove":
            del node[key]
        elif op["op"] == "append":
            node[key].append(op["value"])
        else:
            raise ValueError(op["op"])
    return doc


def malformed_variants() -> list[dict[str, Any]]:
    data = load_json(ROOTDUMP / "malformed_variants.json")
    base = load_json(ROOTDUMP / data["base"])
    return [{**v, "doc": apply_ops(base, v["ops"])} for v in data["variants"]]


def to_columns(doc: Any) -> Any:
    """The same dump with its ``edges`` records written as ``edge_columns``."""
    doc = copy.deepcopy(doc)
    edges = doc.pop("edges")

    def ref(value: dict[str, Any] | None) -> int | str | None:
        if value is None:
            return None
        return value["js"] if "js" in value else value["native"]

    doc["edge_columns"] = {
        "kind": [e["kind"] for e in edges],
        "from": [ref(e["from"]) for e in edges],
        "to": [ref(e["to"]) for e in edges],
        "key": [ref(e.get("key")) for e in edges],
        "name": [e.get("name") for e in edges],
    }
    return doc


NATIVE_MEMBERS = ("id", "class", "size", "address", "name", "isolate", "context")


def to_native_columns(doc: Any) -> Any:
    """The same dump with its ``natives`` records written as ``native_columns`` (a member
    absent from every record is left out; absent cells are null)."""
    doc = copy.deepcopy(doc)
    natives = doc.pop("natives", [])
    doc["native_columns"] = {
        member: [n.get(member) for n in natives]
        for member in NATIVE_MEMBERS
        if member in ("id", "class", "size") or any(member in n for n in natives)
    }
    return doc


def column_pointer(pointer: str) -> str:
    """``/natives/N/MEMBER`` as the cell ``/native_columns/MEMBER/N``."""
    parts = pointer.split("/")
    if len(parts) == 4 and parts[1] == "natives":
        return f"/native_columns/{parts[3]}/{parts[2]}"
    return pointer
