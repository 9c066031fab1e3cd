"""The root-dump JSON Schema (``schema-v1.json``) and how it is applied.

The schema is the contract (``docs/rootdump.md``). Validating a dump of a few hundred thousand
records with a general JSON Schema engine takes longer than analysing the heap it describes, so
the large arrays (``natives``, ``nodes``, ``edges``, ``roots``) are checked record by record by
:func:`first_bad_record`, a direct transcription of the schema's record definitions, and the
rest of the document by ``jsonschema``. When the direct check rejects a record, ``jsonschema``
validates that record against its definition to produce the message, so every message is the
schema's own, with the JSON pointer of the offending value. The test suite checks that both
judges agree on every valid and malformed fixture.

Examples
--------
>>> doc = {"format": "leakhunt-rootdump", "version": 1, "graph": "overlay", "processes": [],
...        "edges": [{"kind": "weak_callback", "from": {"native": "n1"}, "to": {"native": "n1"}}]}
>>> validate_document(doc, "app.json")
Traceback (most recent call last):
...
leakhunt.errors.SnapshotFormatError: app.json: /edges/0/from: 'js' is a required property (a weak_callback goes from the JS object whose death runs it, {"js": ID}, to the native it frees, {"native": ID})
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from leakhunt.errors import SnapshotFormatError

if TYPE_CHECKING:
    import jsonschema

__all__ = [
    "EDGE_KINDS",
    "INDEX_MAX",
    "INT64_MAX",
    "NODE_KINDS",
    "RECORD_ARRAYS",
    "ROOT_KINDS",
    "EdgeRecord",
    "first_bad_record",
    "load_schema",
    "parse_edge",
    "schema_error",
    "validate_document",
]

EDGE_KINDS = (
    "strong",
    "weak",
    "strong_global_handle",
    "weak_global_handle",
    "weak_callback",
    "host_options",
    "ephemeron",
    "property",
    "element",
    "context_variable",
    "internal",
)
"""Edge kinds of format version 1, in the order their codes use."""
NODE_KINDS = frozenset(
    {
        "object",
        "closure",
        "array",
        "string",
        "code",
        "regexp",
        "number",
        "symbol",
        "bigint",
        "shape",
        "hidden",
        "other",
    }
)
"""Kinds a standalone node may have."""
ROOT_KINDS = frozenset({"user", "embedder", "strong_global_handle", "engine", "stack", "external"})
"""Root kinds of format version 1."""
RECORD_ARRAYS = {"natives": "native", "nodes": "node", "edges": "edge", "roots": "root"}
"""Top-level arrays checked record by record, and the schema definition of their records."""

_EDGE_KIND_SET = frozenset(EDGE_KINDS)
_HANDLE_KINDS = frozenset({"strong_global_handle", "weak_global_handle"})
_NATIVE_FIELDS = frozenset({"id", "class", "size", "address", "name", "isolate", "context"})
_NODE_FIELDS = frozenset({"id", "class", "kind", "size", "name", "context", "isolate", "address"})
_EDGE_FIELDS = frozenset({"kind", "from", "to", "key", "name", "isolate"})
_ROOT_FIELDS = frozenset({"to", "kind", "name", "unseen_references"})
_HEX = frozenset("0123456789abcdefABCDEF")
_HINTS = {
    "strong_global_handle": (
        'a strong_global_handle goes from its owning native, {"native": ID}, '
        'to a JS object, {"js": ID}'
    ),
    "weak_global_handle": (
        'a weak_global_handle goes from its owning native, {"native": ID}, '
        'to a JS object, {"js": ID}'
    ),
    "weak_callback": (
        'a weak_callback goes from the JS object whose death runs it, {"js": ID}, '
        'to the native it frees, {"native": ID}'
    ),
}


@cache
def load_schema() -> dict[str, Any]:
    """The format-version-1 schema shipped in the package.

    >>> load_schema()["properties"]["version"]
    {'const': 1}
    """
    text = resources.files(__package__).joinpath("schema-v1.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(definition: str | None) -> jsonschema.protocols.Validator:
    import jsonschema  # only to explain a rejected record: a valid dump never needs it

    schema = load_schema()
    if definition is not None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(schema)
    return validator


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def schema_error(
    instance: Any, definition: str, prefix: tuple[Any, ...], path: str
) -> SnapshotFormatError:
    """The error for a record the direct check rejected: the schema's own message when the
    schema rejects it too (it always should; the tests make sure)."""
    error = _schema_error(instance, definition, prefix, path)
    if error is None:
        pointer = "".join(f"/{p}" for p in prefix)
        return SnapshotFormatError(path, pointer, f"not a valid {definition} record")
    return error


def _schema_error(
    instance: Any, definition: str | None, prefix: tuple[Any, ...], path: str
) -> SnapshotFormatError | None:
    errors = list(_validator(definition).iter_errors(instance))
    if not errors:
        return None
    import jsonschema

    error = jsonschema.exceptions.best_match(errors)
    where = (*prefix, *error.absolute_path)
    message = error.message
    forbidden = _forbidden_member(error, definition, instance)
    if forbidden is not None:
        where = (*where, forbidden)
        message = f"member {forbidden!r} is not allowed here"
    if definition == "edge" and isinstance(instance, dict):
        hint = _HINTS.get(instance.get("kind"))  # type: ignore[arg-type]
        if hint and error.absolute_path and error.absolute_path[0] in ("from", "to"):
            message = f"{message} ({hint})"
    return SnapshotFormatError(path, _pointer(where) or "/", message)


def _forbidden_member(error: Any, definition: str | None, instance: Any) -> str | None:
    """The member a ``false`` property schema rejected (jsonschema reports its parent's path
    and the member's value)."""
    if (
        error.validator is not None
        or not error.schema_path
        or error.schema_path[-1] != "properties"
    ):
        return None
    schema: Any = load_schema()
    if definition is not None:
        schema = schema["$defs"][definition]
    for step in error.schema_path:
        schema = schema[step]
    parent = instance
    for step in error.absolute_path:
        parent = parent[step]
    if not isinstance(parent, dict) or not isinstance(schema, dict):
        return None
    for key, value in parent.items():
        if schema.get(key) is False and value is error.instance:
            return str(key)
    return None


def validate_document(doc: Any, path: str, *, skip: tuple[str, ...] = ()) -> None:
    """Raise :class:`SnapshotFormatError` naming the JSON pointer of the first schema violation.

    Parameters
    ----------
    doc
        The parsed JSON document.
    path
        The file, for messages.
    skip
        Record arrays the caller checks itself as it reads them (with :func:`parse_edge`).
    """
    if not isinstance(doc, dict):
        error = _schema_error(doc, None, (), path)
        if error is not None:
            raise error
        return
    skeleton = {
        key: ([] if key in RECORD_ARRAYS and isinstance(value, list) else value)
        for key, value in doc.items()
    }
    for member in ("native_columns", "edge_columns"):
        columns = doc.get(member)
        if isinstance(columns, dict):
            # Column elements are checked by the reader (one pass per column).
            skeleton[member] = {
                key: ([] if isinstance(value, list) else value) for key, value in columns.items()
            }
    error = _schema_error(skeleton, None, (), path)
    if error is not None:
        raise error
    for array, definition in RECORD_ARRAYS.items():
        records = doc.get(array)
        if not isinstance(records, list) or array in skip:
            continue
        start = 0
        while True:
            bad = first_bad_record(definition, records, start)
            if bad is None:
                break
            error = _schema_error(records[bad], definition, (array, bad), path)
            if error is not None:
                raise error
            start = bad + 1  # the direct check was stricter than the schema: trust the schema


def _is_id(value: Any) -> bool:
    return type(value) is str and len(value) > 0


INT64_MAX = (1 << 63) - 1
"""Sizes, node ids and references are 64-bit signed integers (the schema's bounds)."""
INDEX_MAX = (1 << 32) - 1
"""An element edge's index fits 32 bits (the graph stores edge names in 32 bits)."""


def _is_int64(value: Any) -> bool:
    return type(value) is int and -INT64_MAX - 1 <= value <= INT64_MAX


def _is_bytes(value: Any) -> bool:
    return type(value) is int and 0 <= value <= INT64_MAX


def _is_address(value: Any) -> bool:
    return (
        type(value) is str
        and len(value) > 2
        and value.startswith("0x")
        and _HEX.issuperset(value[2:])
    )


def _extras_ok(record: Mapping[str, Any], fields: frozenset[str]) -> bool:
    return all(key in fields or key.startswith("x_") for key in record)


def _ref_kind(value: Any) -> str | None:
    """``"js"`` or ``"native"`` for a well-formed reference, else None."""
    if type(value) is not dict or len(value) != 1:
        return None
    if "js" in value:
        return "js" if _is_int64(value["js"]) else None
    if "native" in value:
        return "native" if _is_id(value["native"]) else None
    return None


def _native_ok(r: Any) -> bool:
    return (
        type(r) is dict
        and _is_id(r.get("id"))
        and type(r.get("class")) is str
        and _is_bytes(r.get("size"))
        and ("address" not in r or _is_address(r["address"]))
        and ("name" not in r or type(r["name"]) is str)
        and ("isolate" not in r or _is_id(r["isolate"]))
        and ("context" not in r or _is_id(r["context"]))
        and _extras_ok(r, _NATIVE_FIELDS)
    )


def _node_ok(r: Any) -> bool:
    return (
        type(r) is dict
        and type(r.get("id")) is int
        and 1 <= r["id"] <= INT64_MAX
        and type(r.get("class")) is str
        and _is_bytes(r.get("size"))
        and ("kind" not in r or (type(r["kind"]) is str and r["kind"] in NODE_KINDS))
        and ("name" not in r or type(r["name"]) is str)
        and ("context" not in r or _is_id(r["context"]))
        and ("isolate" not in r or _is_id(r["isolate"]))
        and ("address" not in r or _is_address(r["address"]))
        and _extras_ok(r, _NODE_FIELDS)
    )


EdgeRecord = tuple[
    int,
    bool,
    "int | str",
    bool,
    "int | str",
    bool,
    bool,
    "int | str",
    "str | int | None",
    "str | None",
]
"""A parsed edge: kind code, (is_native, value) for from, to and key (with whether a key is
present), name, isolate."""

_EDGE_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
_HANDLE_CODES = frozenset(_EDGE_CODE[k] for k in _HANDLE_KINDS)
_CALLBACK_CODE = _EDGE_CODE["weak_callback"]
_EPHEMERON_CODE = _EDGE_CODE["ephemeron"]
_ELEMENT_CODE = _EDGE_CODE["element"]
_PLAIN_EDGE_SHAPES = frozenset(
    shape
    for base in (("kind", "from", "to"),)
    for extra in ((), ("name",), ("isolate",), ("name", "isolate"))
    for shape in [frozenset((*base, *extra))]
)


def parse_edge(r: Any) -> EdgeRecord | None:
    """The edge's fields, or None when it breaks ``$defs/edge`` (the direct check).

    >>> parse_edge({"kind": "weak_callback", "from": {"js": 3}, "to": {"native": "n"}})[:5]
    (4, False, 3, True, 'n')
    >>> parse_edge({"kind": "weak_callback", "from": {"js": 3}, "to": {"js": 4}}) is None
    True
    """
    if type(r) is not dict:
        return None
    word = r.get("kind")
    if type(word) is not str:
        return None
    code = _EDGE_CODE.get(word)
    if code is None:
        return None
    source = r.get("from")
    target = r.get("to")
    if type(source) is not dict or type(target) is not dict or len(source) != 1 or len(target) != 1:
        return None
    value: Any = source.get("js")
    from_value: int | str
    to_value: int | str
    if value is not None:
        if not _is_int64(value):
            return None
        from_native, from_value = False, value
    else:
        value = source.get("native")
        if type(value) is not str or not value:
            return None
        from_native, from_value = True, value
    value = target.get("js")
    if value is not None:
        if not _is_int64(value):
            return None
        to_native, to_value = False, value
    else:
        value = target.get("native")
        if type(value) is not str or not value:
            return None
        to_native, to_value = True, value
    if code in _HANDLE_CODES:
        if not from_native or to_native:
            return None
    elif code == _CALLBACK_CODE and (from_native or not to_native):
        return None
    has_key = "key" in r
    key_native, key_value = False, -1
    if has_key != (code == _EPHEMERON_CODE):
        return None
    if has_key:
        kind = _ref_kind(r["key"])
        if kind is None:
            return None
        key_native = kind == "native"
        key_value = r["key"][kind]
    name = r.get("name")
    if name is not None or "name" in r:
        if code == _ELEMENT_CODE:
            if type(name) is not int or not 0 <= name <= INDEX_MAX:
                return None
        elif type(name) is not str and type(name) is not int:
            return None
    isolate = r.get("isolate")
    if (isolate is not None or "isolate" in r) and not _is_id(isolate):
        return None
    if frozenset(r) not in _PLAIN_EDGE_SHAPES and not _extras_ok(r, _EDGE_FIELDS):
        return None
    return (
        code,
        from_native,
        from_value,
        to_native,
        to_value,
        has_key,
        key_native,
        key_value,
        name,
        isolate,
    )


def _edge_ok(r: Any) -> bool:
    return parse_edge(r) is not None


def _root_ok(r: Any) -> bool:
    if type(r) is not dict or _ref_kind(r.get("to")) is None:
        return False
    kind = r.get("kind")
    if type(kind) is not str or kind not in ROOT_KINDS:
        return False
    if ("unseen_references" in r) != (kind == "external"):
        return False
    if "unseen_references" in r:
        count = r["unseen_references"]
        if type(count) is not int or not 1 <= count <= INT64_MAX:
            return False
    if "name" in r and type(r["name"]) is not str:
        return False
    return _extras_ok(r, _ROOT_FIELDS)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "native": _native_ok,
    "node": _node_ok,
    "edge": _edge_ok,
    "root": _root_ok,
}


def first_bad_record(definition: str, records: list[Any], start: int = 0) -> int | None:
    """Index of the first record from ``start`` on that breaks ``$defs/<definition>``, or None.

    >>> first_bad_record("root", [{"to": {"js": 1}, "kind": "user"},
    ...                           {"to": {"js": 2}, "kind": "external"}])
    1
    """
    check = _CHECKS[definition]
    for index in range(start, len(records)):
        if not check(records[index]):
            return index
    return None
