"""SpiderMonkey's words in a ``js::DumpHeap`` log → the neutral model.

Three vocabularies: cell descriptions (what a cell is, its name and JSClass), edge names
(property, element, engine field, weak reference) and root names (why a root is live).
Facts used are in ``shared/reference/spidermonkey-gc-log.md`` §3 and §5 and were checked on
the fixtures in ``fixtures/spidermonkey``.

Examples
--------
>>> describe("Function onTick")
Description(type_index=2, name='onTick', class_name='Function', environment=False)
>>> describe("string <linear: length 5> hello").name
'hello'
>>> describe("GObject_Object 0x55b60f266d40")
Description(type_index=1, name='GObject_Object 0x55b60f266d40', class_name='GObject_Object', environment=False)
>>> classify_edge_name("objectElements[3]"), classify_edge_name("proxy target")
((<EdgeKind.ELEMENT: 1>, 3), (<EdgeKind.INTERNAL: 3>, None))
>>> root_kind("vm_stack[2]"), root_kind("persistent-Object"), root_kind("Preserved wrapper, holder 0x10")
(<RootKind.STACK: 7>, <RootKind.STRONG_GLOBAL_HANDLE: 4>, <RootKind.EMBEDDER: 1>)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind

__all__ = [
    "ENVIRONMENT_CLASSES",
    "JS_VALUE_TYPES",
    "OBJECT_TYPES",
    "PLACEHOLDER_TYPE",
    "SYNTHETIC_TYPE",
    "TYPE_CLASSES",
    "TYPE_KINDS",
    "TYPE_NAMES",
    "Description",
    "classify_edge_name",
    "describe",
    "root_kind",
]

# The engine type vocabulary (``RetentionGraph.type_names``): the words the dump uses.
TYPE_NAMES: tuple[str, ...] = (
    "synthetic",
    "object",
    "function",
    "string",
    "rope",
    "dependent string",
    "symbol",
    "BigInt",
    "script",
    "lazyscript",
    "scope",
    "shape",
    "base_shape",
    "prop_map",
    "object_group",
    "jitcode",
    "getter_setter",
    "reg_exp_shared",
    "placeholder",
    "other",
)
_T = {name: index for index, name in enumerate(TYPE_NAMES)}
SYNTHETIC_TYPE, OBJECT_TYPE, FUNCTION_TYPE = _T["synthetic"], _T["object"], _T["function"]
PLACEHOLDER_TYPE, OTHER_TYPE = _T["placeholder"], _T["other"]
TYPE_KINDS: tuple[NodeKind, ...] = (
    NodeKind.SYNTHETIC,
    NodeKind.OBJECT,
    NodeKind.CLOSURE,
    NodeKind.STRING,
    NodeKind.ROPE_STRING,
    NodeKind.SLICED_STRING,
    NodeKind.SYMBOL,
    NodeKind.BIGINT,
    NodeKind.CODE,
    NodeKind.CODE,
    NodeKind.SCOPE,
    NodeKind.SHAPE,
    NodeKind.SHAPE,
    NodeKind.SHAPE,
    NodeKind.SHAPE,
    NodeKind.CODE,
    NodeKind.HIDDEN,
    NodeKind.CODE,
    NodeKind.PLACEHOLDER,
    NodeKind.OTHER,
)
"""NodeKind of each type."""
TYPE_CLASSES: tuple[str, ...] = tuple(
    "(root)" if name == "synthetic" else "(unlisted)" if name == "placeholder" else f"({name})"
    for name in TYPE_NAMES
)
"""Class of non-object cells (objects use their constructor or JSClass name)."""
OBJECT_TYPES = frozenset({OBJECT_TYPE, FUNCTION_TYPE})
"""Types that have properties, elements, shapes and a realm."""
JS_VALUE_TYPES = frozenset(
    {OBJECT_TYPE, FUNCTION_TYPE, PLACEHOLDER_TYPE}
    | {_T[name] for name in ("string", "rope", "dependent string", "symbol", "BigInt")}
)
"""Types a JavaScript property can hold (placeholders: unknown, so allowed)."""

ENVIRONMENT_CLASSES = frozenset(
    {
        "Call",
        "LexicalEnvironment",
        "Var",
        "ModuleEnvironmentObject",
        "NonSyntacticVariablesObject",
        "WasmInstance",
        "WasmFunctionCall",
    }
)
"""JSClasses of environment objects: their named edges are variables, not properties."""

_WORD_TYPES = {
    "shape": "shape",
    "base_shape": "base_shape",
    "prop_map": "prop_map",
    "object_group": "object_group",
    "type_object": "object_group",
    "jitcode": "jitcode",
    "getter_setter": "getter_setter",
    "reg_exp_shared": "reg_exp_shared",
    "BigInt": "BigInt",
    "null_pointer": "other",
    "INVALID": "other",
}
_PREFIX_TYPES = (("script", "script"), ("lazyscript", "lazyscript"), ("scope", "scope"))
_NO_PRIVATE = (" <unknown object>", " <no private>", " (nil)")
_PRIVATE = re.compile(r"(.+) (?:0x[0-9a-fA-F]+|[0-9A-F]{8,16}|0:Private\(.*\))")


@dataclass(frozen=True, slots=True)
class Description:
    """What a cell description says."""

    type_index: int
    """Index into :data:`TYPE_NAMES`."""
    name: str
    """Node name: string text, function name, JSClass (with its private pointer), script URL."""
    class_name: str
    """JSClass for objects, ``Function`` for functions, ``(type)`` otherwise."""
    environment: bool
    """Whether the cell is an environment object (its named edges are variables)."""


def _string(desc: str) -> Description:
    body = desc.split(" ", 1)[1] if " " in desc else ""
    if body.startswith("<") and ">" in body:
        header, _, text = body[1:].partition(">")
        text = text[1:] if text.startswith(" ") else text
        if header.startswith("rope"):
            return Description(_T["rope"], f"<{header}>", TYPE_CLASSES[_T["rope"]], False)
        kind = _T["dependent string"] if header.startswith("dependent") else _T["string"]
        return Description(kind, text, TYPE_CLASSES[kind], False)
    return Description(_T["string"], body, TYPE_CLASSES[_T["string"]], False)


def _object(desc: str) -> Description:
    for marker in _NO_PRIVATE:
        if desc.endswith(marker) and len(desc) > len(marker):
            js_class = desc[: -len(marker)]
            return Description(OBJECT_TYPE, js_class, js_class, js_class in ENVIRONMENT_CLASSES)
    private = _PRIVATE.fullmatch(desc)
    js_class = private.group(1) if private else desc
    return Description(OBJECT_TYPE, desc, js_class, js_class in ENVIRONMENT_CLASSES)


def describe(desc: str) -> Description:
    """Classify one cell description (``SIZE::`` already removed)."""
    word, _, rest = desc.partition(" ")
    if word in ("string", "substring") and (desc.startswith("string") or rest.startswith("<")):
        return _string(desc)
    if word == "symbol":
        return Description(_T["symbol"], rest, TYPE_CLASSES[_T["symbol"]], False)
    if word == "Function":
        return Description(FUNCTION_TYPE, rest, "Function", False)
    if not rest and word in _WORD_TYPES:
        type_index = _T[_WORD_TYPES[word]]
        return Description(type_index, "", TYPE_CLASSES[type_index], False)
    for prefix, type_name in _PREFIX_TYPES:
        if word == prefix:
            return Description(_T[type_name], rest, TYPE_CLASSES[_T[type_name]], False)
    if not desc:
        return Description(OTHER_TYPE, "", TYPE_CLASSES[OTHER_TYPE], False)
    return _object(desc)


_ELEMENT = re.compile(r"objectElements\[(\d{1,10})\]")
WEAK_EDGE_NAMES = frozenset({"WeakRefObject::target"})
"""Edge names that do not keep their target alive (a WeakRef's target)."""
_ENGINE_FIELDS = frozenset(
    {
        "atom",
        "baseshape_global",
        "baseshape_proto",
        "callee_slot",
        "enclosing_environment",
        "enclosingScope",
        "enclosingScript",
        "fun_environment",
        "gettersetter_getter",
        "gettersetter_setter",
        "group_global",
        "group_proto",
        "private",
        "propid",
        "propmap_key",
        "sourceObject",
    }
)
_ENGINE_MARKS = (" ", "::", "(", "-", "[")


def classify_edge_name(name: str) -> tuple[EdgeKind, int | None]:
    """Edge kind from the tracer name alone; the element index for ``objectElements[N]``.

    Names that do not look like engine fields are read as properties; the assembly turns
    them into internal edges when their source or target cannot hold properties, and into
    variables when their source is an environment object.
    """
    element = _ELEMENT.fullmatch(name)
    if element is not None and int(element.group(1)) < 2**32:
        return EdgeKind.ELEMENT, int(element.group(1))
    if name in WEAK_EDGE_NAMES:
        return EdgeKind.WEAK, None
    if name == "**SYMBOL KEY**":  # a property whose key is a symbol
        return EdgeKind.PROPERTY, None
    engine = name.startswith(("**", ".")) or any(mark in name for mark in _ENGINE_MARKS)
    if engine or name in _ENGINE_FIELDS:
        return EdgeKind.INTERNAL, None
    return EdgeKind.PROPERTY, None


_INDEX = re.compile(r"\[\d+\]")
_USER_ROOTS = frozenset({"GJS global object", "active window global"})
_TRANSIENT_ROOTS = frozenset({"rval", "env chain", "script", "on-stack realm global"})
_TRANSIENT_PREFIXES = (
    "vm_stack",
    "baseline-",
    "ion-",
    "jit-",
    "js::ExternalValueArray",
    "interpreter-",
)
_ENGINE_ROOTS = frozenset(
    {
        "vector element",
        "hashmap key",
        "pinned atom",
        "permanent atom",
        "interned_atom",
        "well_known_symbol",
        "unit-static-string",
        "int-static-string",
        "self-hosting global",
        "wrapper",
    }
)
_STATIC_STRING = re.compile(r"length\d+-static-string")


def root_kind(name: str) -> RootKind:
    """Why a root line's target is live, from the root tracer's name.

    ``GJS global object`` (the script's global) and Firefox's ``active window global`` are
    user roots, so paths through them are preferred, as DevTools prefers the window: a leak
    is then explained by the JavaScript names that hold it, and a path from a handle or an
    embedder root means that no global reaches the target. ``persistent-*`` are ``PersistentRooted``
    handles (in GJS: GLib sources and toggled-up GObject wrappers). ``exact-*`` are
    ``JS::Rooted`` scoped roots: their lifetime is their C++ scope, which the dump does not tell
    (the importer later promotes those that hold a realm's global to embedder roots, see
    :mod:`.rooted_globals`). Stack and JIT frame roots are transient. Atoms, static strings, well-known symbols and engine vectors are
    engine roots. Every other name, e.g. ``GJS internal global object``, Firefox's
    ``Preserved wrapper`` or ``XPCWrappedNative…`` holders and names an embedder gives its
    extra roots tracer, is an embedder root.
    """
    base = _INDEX.sub("[N]", name).split(", holder ", 1)[0]
    if base in _USER_ROOTS:
        return RootKind.USER
    if base.startswith("persistent-"):
        return RootKind.STRONG_GLOBAL_HANDLE
    if base.startswith("exact-"):
        return RootKind.SCOPED
    if base in _TRANSIENT_ROOTS or base.startswith(_TRANSIENT_PREFIXES):
        return RootKind.STACK
    if base in _ENGINE_ROOTS or base.startswith("Atom ") or _STATIC_STRING.fullmatch(base):
        return RootKind.ENGINE
    return RootKind.EMBEDDER
