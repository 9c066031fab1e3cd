"""Text from dumps as every importer stores it: decoded safely, long texts capped.

A dump is written by whoever controls the heap, so a name may be ten million characters
long or hold bytes that are not UTF-8. Importers keep at most :data:`MAX_TEXT_CHARS`
characters of any one text, marking the cut, so that every output stays bounded however
often a long name is repeated. Real dumps stay below it: Node's V8 cuts snapshot strings
at 1,024 characters, Chromium writes a few string values of a few thousand.

Examples
--------
>>> cap_text("x" * 4102)[-24:]
'xxxx…[6 more characters]'
>>> len(cap_text("x" * 10**6)) < MAX_TEXT_CHARS + 40
True
>>> decode_text("café".encode())
'café'
>>> decode_text(b"bad \\xff\\xc3 byte")
'bad \\\\xff\\\\xc3 byte'
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MAX_TEXT_CHARS", "cap_strings", "cap_text", "decode_text"]

MAX_TEXT_CHARS = 4096
"""Characters of one dump text kept by the importers (four times V8's own limit)."""


def cap_text(text: str) -> str:
    """``text``, or its first :data:`MAX_TEXT_CHARS` characters and a note of what was cut."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return f"{text[:MAX_TEXT_CHARS]}…[{len(text) - MAX_TEXT_CHARS:,} more characters]"


def cap_strings(strings: Iterable[str]) -> tuple[tuple[str, ...], int]:
    """Every string capped with :func:`cap_text`; and how many were cut."""
    values = list(strings)
    if not values or max(map(len, values)) <= MAX_TEXT_CHARS:
        return tuple(values), 0
    cut = 0
    for index, text in enumerate(values):
        if len(text) > MAX_TEXT_CHARS:
            values[index] = cap_text(text)
            cut += 1
    return tuple(values), cut


def decode_text(data: bytes) -> str:
    """UTF-8 text from a dump; bytes that are not UTF-8 become visible ``\\xNN`` escapes."""
    return data.decode("utf-8", "backslashreplace")
