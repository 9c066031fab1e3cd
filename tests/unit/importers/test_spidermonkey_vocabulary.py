"""SpiderMonkey words → neutral kinds: cell descriptions, edge names, root names."""

from __future__ import annotations

import pytest

from leakhunt.graph.kinds import EdgeKind, NodeKind, RootKind
from leakhunt.importers.spidermonkey.vocabulary import (
    TYPE_KINDS,
    TYPE_NAMES,
    classify_edge_name,
    describe,
    root_kind,
)


@pytest.mark.parametrize(
    ("description", "type_name", "kind", "name", "class_name", "environment"),
    [
        ("Object <unknown object>", "object", NodeKind.OBJECT, "Object", "Object", False),
        ("Object <no private>", "object", NodeKind.OBJECT, "Object", "Object", False),
        ("Object (nil)", "object", NodeKind.OBJECT, "Object", "Object", False),
        (
            "Array Iterator <unknown object>",
            "object",
            NodeKind.OBJECT,
            "Array Iterator",
            "Array Iterator",
            False,
        ),
        (
            "GObject_Object 0x55b60f266d40",
            "object",
            NodeKind.OBJECT,
            "GObject_Object 0x55b60f266d40",
            "GObject_Object",
            False,
        ),
        (
            "HTMLDivElement 0:Private(000001D2A4000200)",
            "object",
            NodeKind.OBJECT,
            "HTMLDivElement 0:Private(000001D2A4000200)",
            "HTMLDivElement",
            False,
        ),
        (
            "BackstagePass 0x9a8b7c10",
            "object",
            NodeKind.OBJECT,
            "BackstagePass 0x9a8b7c10",
            "BackstagePass",
            False,
        ),
        (
            "self-hosting-global <no private>",
            "object",
            NodeKind.OBJECT,
            "self-hosting-global",
            "self-hosting-global",
            False,
        ),
        (
            "LexicalEnvironment <unknown object>",
            "object",
            NodeKind.OBJECT,
            "LexicalEnvironment",
            "LexicalEnvironment",
            True,
        ),
        ("Call <no private>", "object", NodeKind.OBJECT, "Call", "Call", True),
        ("Function onTick", "function", NodeKind.CLOSURE, "onTick", "Function", False),
        ("Function ", "function", NodeKind.CLOSURE, "", "Function", False),
        ("Function", "function", NodeKind.CLOSURE, "", "Function", False),
        (
            "Function _init/this.strup",
            "function",
            NodeKind.CLOSURE,
            "_init/this.strup",
            "Function",
            False,
        ),
        ("string <atom: length 5> hello", "string", NodeKind.STRING, "hello", "(string)", False),
        ("string <atom: length 2>   ", "string", NodeKind.STRING, "  ", "(string)", False),
        (
            "string <rope: length 12>",
            "rope",
            NodeKind.ROPE_STRING,
            "<rope: length 12>",
            "(rope)",
            False,
        ),
        (
            "substring <dependent: length 3> abc",
            "dependent string",
            NodeKind.SLICED_STRING,
            "abc",
            "(dependent string)",
            False,
        ),
        ("string <length 7> onclick", "string", NodeKind.STRING, "onclick", "(string)", False),
        ("string hello", "string", NodeKind.STRING, "hello", "(string)", False),
        ("symbol Symbol.iterator", "symbol", NodeKind.SYMBOL, "Symbol.iterator", "(symbol)", False),
        ("symbol <null>", "symbol", NodeKind.SYMBOL, "<null>", "(symbol)", False),
        (
            "script gjs_plain_leak.js:23",
            "script",
            NodeKind.CODE,
            "gjs_plain_leak.js:23",
            "(script)",
            False,
        ),
        ("lazyscript x.js:3", "lazyscript", NodeKind.CODE, "x.js:3", "(lazyscript)", False),
        ("scope function", "scope", NodeKind.SCOPE, "function", "(scope)", False),
        ("shape", "shape", NodeKind.SHAPE, "", "(shape)", False),
        ("base_shape", "base_shape", NodeKind.SHAPE, "", "(base_shape)", False),
        ("prop_map", "prop_map", NodeKind.SHAPE, "", "(prop_map)", False),
        ("object_group", "object_group", NodeKind.SHAPE, "", "(object_group)", False),
        ("type_object", "object_group", NodeKind.SHAPE, "", "(object_group)", False),
        ("jitcode", "jitcode", NodeKind.CODE, "", "(jitcode)", False),
        ("getter_setter", "getter_setter", NodeKind.HIDDEN, "", "(getter_setter)", False),
        ("reg_exp_shared", "reg_exp_shared", NodeKind.CODE, "", "(reg_exp_shared)", False),
        ("BigInt", "BigInt", NodeKind.BIGINT, "", "(BigInt)", False),
        ("BigInt <unknown object>", "object", NodeKind.OBJECT, "BigInt", "BigInt", False),
        ("String <unknown object>", "object", NodeKind.OBJECT, "String", "String", False),
        ("null_pointer", "other", NodeKind.OTHER, "", "(other)", False),
        ("", "other", NodeKind.OTHER, "", "(other)", False),
    ],
)
def test_descriptions(
    description: str, type_name: str, kind: NodeKind, name: str, class_name: str, environment: bool
) -> None:
    found = describe(description)
    assert TYPE_NAMES[found.type_index] == type_name
    assert TYPE_KINDS[found.type_index] == kind
    assert (found.name, found.class_name, found.environment) == (name, class_name, environment)


@pytest.mark.parametrize(
    ("name", "kind", "index"),
    [
        ("leakyRegistry", EdgeKind.PROPERTY, None),
        ("objectElements[0]", EdgeKind.ELEMENT, 0),
        ("objectElements[4294967295]", EdgeKind.ELEMENT, 4294967295),
        ("objectElements[4294967296]", EdgeKind.INTERNAL, None),
        ("**UNKNOWN SLOT 1**", EdgeKind.INTERNAL, None),
        ("**SYMBOL KEY**", EdgeKind.PROPERTY, None),
        ("nativeReserved[0]", EdgeKind.INTERNAL, None),
        ("shape", EdgeKind.PROPERTY, None),  # by target kind in the assembly
        ("proxy target", EdgeKind.INTERNAL, None),
        ("signal connection", EdgeKind.INTERNAL, None),
        ("global-builtin-ctor", EdgeKind.INTERNAL, None),
        ("SavedStacks::LocationValue::source", EdgeKind.INTERNAL, None),
        ("CLASS_OBJECT(Math)", EdgeKind.INTERNAL, None),
        (".this", EdgeKind.INTERNAL, None),
        ("fun_environment", EdgeKind.INTERNAL, None),
        ("enclosing_environment", EdgeKind.INTERNAL, None),
        ("baseshape_global", EdgeKind.INTERNAL, None),
        ("WeakRefObject::target", EdgeKind.WEAK, None),
        ("constructor", EdgeKind.PROPERTY, None),
    ],
)
def test_edge_names(name: str, kind: EdgeKind, index: int | None) -> None:
    assert classify_edge_name(name) == (kind, index)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("GJS global object", RootKind.USER),
        ("GJS internal global object", RootKind.EMBEDDER),
        ("active window global", RootKind.USER),
        ("persistent-Object", RootKind.STRONG_GLOBAL_HANDLE),
        ("persistent-value", RootKind.STRONG_GLOBAL_HANDLE),
        ("exact-Object", RootKind.SCOPED),
        ("exact-value", RootKind.SCOPED),
        ("vm_stack[3]", RootKind.STACK),
        ("baseline-stack[0]", RootKind.STACK),
        ("baseline-envchain", RootKind.STACK),
        ("baseline-interpreterScript", RootKind.STACK),
        ("jit-script", RootKind.STACK),
        ("ion-argv", RootKind.STACK),
        ("js::ExternalValueArray[2]", RootKind.STACK),
        ("rval", RootKind.STACK),
        ("env chain", RootKind.STACK),
        ("script", RootKind.STACK),
        ("on-stack realm global", RootKind.STACK),
        ("vector element", RootKind.ENGINE),
        ("hashmap key", RootKind.ENGINE),
        ("pinned atom", RootKind.ENGINE),
        ("Atom _init", RootKind.ENGINE),
        ("permanent atom", RootKind.ENGINE),
        ("length2-static-string", RootKind.ENGINE),
        ("unit-static-string", RootKind.ENGINE),
        ("int-static-string", RootKind.ENGINE),
        ("well_known_symbol", RootKind.ENGINE),
        ("interned_atom", RootKind.ENGINE),
        ("self-hosting global", RootKind.ENGINE),
        ("wrapper", RootKind.ENGINE),
        ("Preserved wrapper", RootKind.EMBEDDER),
        ("Preserved wrapper, holder 000001D2A4000100", RootKind.EMBEDDER),
        ("XPCWrappedNative::mFlatJSObject", RootKind.EMBEDDER),
        ("mCallback", RootKind.EMBEDDER),
        ("DOM expando object", RootKind.EMBEDDER),
        ("embedder plugin global", RootKind.EMBEDDER),
    ],
)
def test_root_names(name: str, kind: RootKind) -> None:
    assert root_kind(name) == kind
