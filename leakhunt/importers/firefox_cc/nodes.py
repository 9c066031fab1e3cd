"""What a CC-log node description says about the node: its kind, class, name and type.

C++ participants (``[rc=N]``) are :attr:`NodeKind.NATIVE` and take their class from the first
word of the description (``nsGlobalWindowInner # 7 inner https://…`` → ``nsGlobalWindowInner``);
their name is the whole description. JS things (``[gc]``, ``[gc.marked]``) are described by
``CycleCollectedJSRuntime::DescribeGCThing``:

==================================  ===========  ============  ====================
description                         kind         class         name
==================================  ===========  ============  ====================
``JS Object (Function - onLoad)``   CLOSURE      ``Function``  ``onLoad``
``JS Object (Function)``            CLOSURE      ``Function``  (empty)
``JS Object (Window)``              OBJECT       ``Window``    ``Window``
``JS Object (Object - res://m.js)`` OBJECT       ``Object``    ``res://m.js``
``JS Object (RegExp)``              REGEXP       ``RegExp``    ``RegExp``
``JS Object`` (no debug info)       OBJECT       ``(object)``  the description
``Script`` / ``JS Script`` (older)  by kind      ``(Script)``  the description
anything else                       OTHER        ``(GC thing)`` the description
==================================  ===========  ============  ====================

Examples
--------
>>> describe_gc_thing("JS Object (Function - onMessage)")
(<NodeKind.CLOSURE: 5>, 'Function', 'onMessage')
>>> describe_gc_thing("JS Scope")
(<NodeKind.SCOPE: 16>, '(Scope)', 'JS Scope')
>>> describe_refcounted("FragmentOrElement (xhtml) div class='x' https://example.com/")
(<NodeKind.NATIVE: 8>, 'FragmentOrElement', "FragmentOrElement (xhtml) div class='x' https://example.com/")
"""

from __future__ import annotations

from leakhunt.graph.kinds import NodeKind

__all__ = ["describe_gc_thing", "describe_refcounted"]

_JS_OBJECT = "JS Object"
_TRACE_KINDS = {
    "Object": NodeKind.OBJECT,
    "String": NodeKind.STRING,
    "Symbol": NodeKind.SYMBOL,
    "BigInt": NodeKind.BIGINT,
    "Double": NodeKind.NUMBER,
    "Script": NodeKind.CODE,
    "LazyScript": NodeKind.CODE,
    "JitCode": NodeKind.CODE,
    "IonCode": NodeKind.CODE,
    "RegExpShared": NodeKind.CODE,
    "Shape": NodeKind.SHAPE,
    "BaseShape": NodeKind.SHAPE,
    "TypeObject": NodeKind.SHAPE,
    "ObjectGroup": NodeKind.SHAPE,
    "PropMap": NodeKind.SHAPE,
    "GetterSetter": NodeKind.SHAPE,
    "Scope": NodeKind.SCOPE,
}
"""``JS::GCTraceKindToAscii`` words (and older ``trace_types`` tables) by neutral kind."""


def describe_refcounted(description: str) -> tuple[NodeKind, str, str]:
    """Kind, class and name of a ``[rc=N]`` node from its description."""
    words = description.split(None, 1)
    return NodeKind.NATIVE, words[0] if words else "(refcounted)", description


def describe_gc_thing(description: str) -> tuple[NodeKind, str, str]:
    """Kind, class and name of a ``[gc]`` / ``[gc.marked]`` node from its description."""
    text = description.rstrip()
    if text.startswith(_JS_OBJECT + " (") and text.endswith(")"):
        inner = text[len(_JS_OBJECT) + 2 : -1]
        class_name, _, detail = inner.partition(" - ")
        if class_name == "Function":
            return NodeKind.CLOSURE, "Function", detail
        kind = NodeKind.REGEXP if class_name == "RegExp" else NodeKind.OBJECT
        return kind, class_name, detail or class_name
    if text == _JS_OBJECT:
        return NodeKind.OBJECT, "(object)", description
    word = text[3:] if text.startswith("JS ") else text
    trace_kind = _TRACE_KINDS.get(word)
    if trace_kind is not None:
        return trace_kind, f"({word})", description
    return NodeKind.OTHER, "(GC thing)", description
