"""Stable leak fingerprints, after LeakCanary's leak signature.

A fingerprint is a SHA-1 over the *suspect references* of a trace: for each, the class of the
object holding the reference, the reference's kind and its name, with everything that varies
between runs of the same program removed: array indices and numeric property names become
``[x]``, node ids (``@123``) and addresses (``0x7f…``) disappear, digit runs become ``#``, and
V8's WeakMap entry names (``3 / part of key (…)``) become one word. Two traces of one mechanism
therefore hash alike across runs, machines and engines' id schemes; traces through different
fields or classes do not.

Examples
--------
>>> normalise_name("part of key (Key @7) -> value (V @9) pair in WeakMap (table @11)")
'<weak-map entry>'
>>> normalise_name("session-0007"), normalise_name("system / Context / scope @46137")
('session-#', 'system / Context / scope')
>>> normalise_edge("element", "12"), normalise_edge("property", "42"), normalise_edge("property", "cache")
('[x]', '[x]', '.cache')
>>> a = fingerprint("closure context", [("Map", "internal", "table"), ("(array)", "element", "3")])
>>> b = fingerprint("closure context", [("Map", "internal", "table"), ("(array)", "element", "17")])
>>> a == b, len(a)
(True, 40)
>>> a == fingerprint("closure context", [("Set", "internal", "table"), ("(array)", "element", "3")])
False

References
----------
LeakCanary (Shark), ``LeakTrace.signature``: SHA-1 over the suspect references' owner class and
reference generic name. https://square.github.io/leakcanary/fundamentals-how-leakcanary-works/
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable

__all__ = ["fingerprint", "normalise_edge", "normalise_name"]

_WEAK_MAP_ENTRY = re.compile(
    r"^(?:\d+ / )?part of key \(.*\) -> value \(.*\) pair in WeakMap.*$", re.S
)
_NODE_ID = re.compile(r"\s*@\d+")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_DIGITS = re.compile(r"\d+")
_INDEXED_KINDS = frozenset({"element", "hidden"})


@functools.lru_cache(maxsize=1 << 16)
def normalise_name(text: str) -> str:
    """A class, node or reference name with run-specific details removed."""
    if _WEAK_MAP_ENTRY.match(text):
        return "<weak-map entry>"
    text = _NODE_ID.sub("", text)
    text = _ADDRESS.sub("0x", text)
    return _DIGITS.sub("#", text)


@functools.lru_cache(maxsize=1 << 16)
def normalise_edge(kind: str, name: str) -> str:
    """A reference as it enters a fingerprint or a path shape: ``.name``, ``[x]``, ``name (kind)``."""
    if kind in _INDEXED_KINDS or name.isdigit():
        return "[x]"
    name = normalise_name(name)
    if kind == "property":
        return f".{name}"
    return f"{name} ({kind})"


def fingerprint(rule: str, references: Iterable[tuple[str, str, str]]) -> str:
    """SHA-1 hex digest over ``rule`` and the ``(owner class, kind, name)`` suspect references."""
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(rule.encode("utf-8", "surrogatepass"))
    for owner, kind, name in references:
        part = f"\x00{normalise_name(owner)}\x01{normalise_edge(kind, name)}"
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
