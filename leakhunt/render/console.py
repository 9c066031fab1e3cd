"""How text output fits where it goes: one decision for width, colour and glyphs.

Every text renderer builds its :class:`rich.console.Console` with :func:`text_console`, so all
commands behave alike:

* **On a terminal**: the terminal's width (rich asks the terminal, ``COLUMNS`` overrides), colour
  and emphasis unless ``NO_COLOR`` is set (https://no-color.org; rich honours it), and tables
  that shrink their widest text column to fit.
* **Piped or written to a file**: no colour, no emphasis, no escape sequences of any kind, and
  no wrapping: every line is as long as its content (:data:`UNWRAPPED_WIDTH`), so ``grep`` and
  tests see whole lines whatever the terminal or the checkout path.

A renderer may pin a width (golden tests do); the other decisions stay the same.

:func:`unicode_ok` says whether box-drawing characters can be written to a stream (a latin-1
terminal cannot show them); renderers that draw their own glyphs pick ASCII ones otherwise.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> console = text_console(out)
>>> console.print("[bold]" + "x" * 300 + "[/bold]")
>>> len(out.getvalue().splitlines()[0]), "\\x1b" in out.getvalue()
(300, False)
>>> text_console(io.StringIO(), width=80).width
80
"""

from __future__ import annotations

import codecs
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from leakhunt.graph.core import SourceInfo
from leakhunt.render.safe_text import visible

__all__ = [
    "UNWRAPPED_WIDTH",
    "is_terminal",
    "print_source",
    "print_table",
    "source_lines",
    "text_console",
    "unicode_ok",
]

UNWRAPPED_WIDTH = 100_000
"""The width used when output is not a terminal: wide enough that nothing wraps."""


def is_terminal(out: TextIO) -> bool:
    """Whether ``out`` is an interactive terminal (a closed or odd stream is not)."""
    try:
        return out.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def unicode_ok(out: TextIO) -> bool:
    """Whether ``out`` can take any character (its encoding is a UTF one, or it has none).

    >>> import io
    >>> unicode_ok(io.StringIO())
    True
    >>> unicode_ok(io.TextIOWrapper(io.BytesIO(), encoding="latin-1"))
    False
    """
    encoding = getattr(out, "encoding", None)
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def text_console(out: TextIO, *, width: int | None = None) -> Console:
    """A console writing to ``out`` as the module docstring describes.

    Markup is on (renderers build it with :func:`leakhunt.render.safe_text.console_markup`),
    while rich's guesses are off: no highlighting of numbers or URLs, no ``:emoji:`` codes.
    """
    terminal = is_terminal(out)
    if width is None and not terminal:
        width = UNWRAPPED_WIDTH
    return Console(
        file=out,
        width=width,
        force_terminal=terminal,
        color_system="auto" if terminal else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
    )


def print_table(console: Console, title: str, table: Table) -> None:
    """``title`` on a line of its own (never wrapped to the table's width, never padded),
    then ``table``. ``title`` is plain text, not markup."""
    console.print(Text(title, style="italic"))
    console.print(table)


def source_lines(source: SourceInfo) -> list[str]:
    """The input's heading as plain text: its path with engine and format, then the root dump
    merged into it (``--overlay``), if any.

    >>> source_lines(SourceInfo("a.heapsnapshot", "v8-heapsnapshot", "V8", (("overlay", "a.json"),)))
    ['a.heapsnapshot  (V8, v8-heapsnapshot)', '  overlay: a.json']
    """
    lines = [f"{visible(source.path)}  ({visible(source.engine)}, {visible(source.format)})"]
    lines += [f"  overlay: {visible(value)}" for key, value in source.details if key == "overlay"]
    return lines


def print_source(console: Console, source: SourceInfo) -> None:
    """:func:`source_lines` on ``console``, the path in bold."""
    heading, *details = source_lines(source)
    first = Text(heading)
    first.stylize("bold", 0, len(visible(source.path)))
    console.print(first)
    for line in details:
        console.print(Text(line))
