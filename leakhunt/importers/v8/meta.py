"""The ``snapshot`` header of a V8 heap snapshot: field layouts, type names, declared counts.

Nothing about the layout is hard-coded but the field *names* the format defines.
"""

from __future__ import annotations

from dataclasses import dataclass

from leakhunt.errors import SnapshotFormatError
from leakhunt.importers.common.input_file import format_size

__all__ = ["MAX_TYPES", "SnapshotMeta", "check_declared_counts", "parse_meta"]

_REQUIRED_NODE_FIELDS = ("type", "name", "id", "self_size", "edge_count")
_REQUIRED_EDGE_FIELDS = ("type", "name_or_index", "to_node")
MAX_TYPES = 255
"""Most type names a list may hold: type columns are uint8, with one value kept for "unknown"."""


@dataclass(frozen=True, slots=True)
class SnapshotMeta:
    """What ``snapshot`` says about the arrays that follow it."""

    node_fields: tuple[str, ...]
    node_types: tuple[str, ...]
    edge_fields: tuple[str, ...]
    edge_types: tuple[str, ...]
    node_count: int | None
    edge_count: int | None
    root_index: int
    location_fields: tuple[str, ...] = ()
    scope_fields: tuple[str, ...] = ()

    def node_offset(self, field: str) -> int:
        return self.node_fields.index(field)

    def edge_offset(self, field: str) -> int:
        return self.edge_fields.index(field)


def _string_list(path: str, value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SnapshotFormatError(path, "snapshot.meta", f"{where} is not a list of names")
    return tuple(value)


def parse_meta(path: str, snapshot: object) -> SnapshotMeta:
    if not isinstance(snapshot, dict) or not isinstance(snapshot.get("meta"), dict):
        raise SnapshotFormatError(path, "snapshot", "has no 'meta' object")
    meta = snapshot["meta"]
    node_fields = _string_list(path, meta.get("node_fields"), "node_fields")
    edge_fields = _string_list(path, meta.get("edge_fields"), "edge_fields")
    for field in _REQUIRED_NODE_FIELDS:
        if field not in node_fields:
            raise SnapshotFormatError(path, "snapshot.meta", f"node_fields lacks {field!r}")
    for field in _REQUIRED_EDGE_FIELDS:
        if field not in edge_fields:
            raise SnapshotFormatError(path, "snapshot.meta", f"edge_fields lacks {field!r}")
    type_lists = {}
    for key, fields in (("node_types", node_fields), ("edge_types", edge_fields)):
        value = meta.get(key)
        offset = fields.index("type")
        if not isinstance(value, list) or len(value) <= offset:
            raise SnapshotFormatError(path, "snapshot.meta", f"{key} is missing")
        names = _string_list(path, value[offset], f"{key}[{offset}]")
        if not names or len(names) > MAX_TYPES:
            raise SnapshotFormatError(
                path,
                "snapshot.meta",
                f"{key}[{offset}] has {len(names)} type names (1 to {MAX_TYPES} expected)",
            )
        type_lists[key] = names
    counts: list[int | None] = []
    for key in ("node_count", "edge_count"):
        value = snapshot.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise SnapshotFormatError(path, f"snapshot.{key}", f"{value!r} is not a count")
        counts.append(value)
    root_index = snapshot.get("root_index", 0)
    if not isinstance(root_index, int) or isinstance(root_index, bool) or root_index < 0:
        raise SnapshotFormatError(path, "snapshot.root_index", f"{root_index!r} is not an index")
    return SnapshotMeta(
        node_fields=node_fields,
        node_types=type_lists["node_types"],
        edge_fields=edge_fields,
        edge_types=type_lists["edge_types"],
        node_count=counts[0],
        edge_count=counts[1],
        root_index=root_index,
        location_fields=_optional_fields(meta.get("location_fields")),
        scope_fields=_optional_fields(meta.get("scope_fields")),
    )


def _optional_fields(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return ()


def check_declared_counts(path: str, meta: SnapshotMeta, bound: int, gzipped: bool) -> None:
    """Refuse counts the file cannot hold before anything is allocated for them."""
    need = 0
    for count, fields in ((meta.node_count, meta.node_fields), (meta.edge_count, meta.edge_fields)):
        if count:
            need += 2 * count * len(fields) - 1
    if need > bound:
        holds = (
            f"decompresses to at most {format_size(bound)} (see --max-input-size)"
            if gzipped
            else f"has {format_size(bound)}"
        )
        raise SnapshotFormatError(
            path,
            "snapshot",
            f"declares {meta.node_count or 0:,} nodes and {meta.edge_count or 0:,} edges, "
            f"which take at least {format_size(need)}, but the file {holds}",
        )
