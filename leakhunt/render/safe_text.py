"""Heap text made safe to show: every string in a dump is written by whoever wrote the heap.

A web page chooses its class names, property names and strings, so a renderer must never let
them act on the terminal (control sequences), on rich (markup such as ``[red]`` or ``[/]``) or
on the encoder (lone UTF-16 surrogates, which V8 writes when it cuts a string inside a pair).
:func:`visible` turns every such character into an inert, readable escape; the escaped text is
plain data for every text renderer. JSON output keeps the exact string instead (the JSON
encoder escapes it), and DOT/HTML renderers escape for their own syntax on top of this.

Examples
--------
>>> visible("a\\x1b[2Jb")
'a\\\\x1b[2Jb'
>>> visible("csi\\u009b31m")
'csi\\\\u009b31m'
>>> visible("cut \\ud83d")
'cut \\\\ud83d'
>>> visible("tab\\there")
'tab\\\\there'
>>> visible("plain café ✓")
'plain café ✓'
>>> console_markup("[/bold] x")
'\\\\[/bold] x'
"""

from __future__ import annotations

import re

from rich.markup import escape as _escape_markup

__all__ = ["console_markup", "json_safe", "visible"]

# C0 controls, DEL, C1 controls, lone surrogates, and the bidirectional overrides and isolates
# that reorder what a reader sees (the "Trojan Source" characters).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


# CI runners take commands from the log they show: GitHub Actions' legacy ``##[command]`` and
# Azure Pipelines' ``##vso[...]`` anywhere in a line (annotations, variables, a failed task),
# GitHub's ``::command::`` at the start of a line after spaces. Heap text must issue none, so
# the second ``#`` of such a pair (or of a pair the renderer's next character could complete)
# and the first ``:`` of a leading ``::`` are escaped like a control character.
_LOG_COMMAND_HASH = re.compile(r"(?<=#)#(?=\[|vso\[|$)", re.IGNORECASE)
_LOG_COMMAND_COLON = re.compile(r"^(\s*):(?=:)")


def visible(text: str) -> str:
    """``text`` with every control, surrogate and bidi-override character shown as an escape,
    and with nothing a CI log would run as a command (``##[error]``, ``##vso[…]``, a leading
    ``::error::``).

    The result contains only printable characters and encodes as UTF-8 whatever the input.

    >>> print(visible("##[error]x"), visible("##vso[task.complete]"), visible("  ::error::x"))
    #\\x23[error]x #\\x23vso[task.complete]   \\x3a:error::x
    >>> print(visible("v8::internal::Foo"), visible("#1 ##"))
    v8::internal::Foo #1 #\\x23
    """
    shown = _UNSAFE.sub(_escape, text)
    if "#" in shown:
        shown = _LOG_COMMAND_HASH.sub(r"\\x23", shown)
    if "::" in shown:
        shown = _LOG_COMMAND_COLON.sub(r"\1\\x3a", shown)
    return shown


def console_markup(text: str) -> str:
    """Heap text ready to embed in a rich markup string: made visible, then markup-escaped."""
    return _escape_markup(visible(text))


# In JSON text these characters can only occur inside string literals, so escaping them there
# keeps every string exact: DEL, C1 controls, lone surrogates, bidi controls, line separators.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u2028\u2029]"
)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


# In JSON text "#" only occurs inside strings: "\u0023" reads back as the same character.
_JSON_LOG_COMMAND = re.compile(r"(?<=#)#(?=\[|vso\[)", re.IGNORECASE)


def json_safe(encoded: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters that cannot
    be encoded as UTF-8 or could act on a terminal written as ``\\uXXXX`` escapes.

    Parsers read the escapes back as the very same characters, so strings stay exact; a lone
    surrogate (``"\\ud83d"``, as V8 writes a string cut inside a pair) stays a lone surrogate.

    >>> import json
    >>> text = json_safe(json.dumps({"name": "cut \\ud83d csi\\u009b"}, ensure_ascii=False))
    >>> text
    '{"name": "cut \\\\ud83d csi\\\\u009b"}'
    >>> json.loads(text)["name"] == "cut \\ud83d csi\\u009b"
    True
    >>> json_safe('{"log": "##[error]x"}'), json.loads(json_safe('{"log": "##[error]x"}'))
    ('{"log": "#\\\\u0023[error]x"}', {'log': '##[error]x'})
    """
    safe = _JSON_UNSAFE.sub(_json_escape, encoded)
    return _JSON_LOG_COMMAND.sub(r"\\u0023", safe) if "##" in safe else safe
