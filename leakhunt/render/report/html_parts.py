"""Small HTML builders for the report. Every string argument is heap text unless named ``*_html``.

:func:`text` is the one escape: control characters, lone surrogates and bidi overrides made
visible (:func:`~leakhunt.render.safe_text.visible`), then ``& < > " '`` as entities, which is
enough both in element content and in quoted attribute values. Nothing from a heap ever goes
into a URL, an event handler, a ``style`` or a script.

Examples
--------
>>> text('</script><img src=x onerror=alert(1)>')
'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'
>>> text("bell\\x07 'q'")
'bell\\\\x07 &#x27;q&#x27;'
>>> cell(1234, numeric=True)
'<td class="num" data-sort="1234">1,234</td>'
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leakhunt.render.labels import shorten
from leakhunt.render.safe_text import visible

__all__ = ["Column", "cell", "details", "table", "text"]

CELL_WIDTH = 120
"""Characters of heap text shown in a table cell."""


def text(value: str, width: int | None = None) -> str:
    """Heap text as HTML text or attribute content."""
    shown = visible(value if width is None else value[: width * 8])
    if width is not None:
        shown = shorten(shown, width)
    return html.escape(shown, quote=True)


def cell(value: str | int, *, numeric: bool = False, width: int = CELL_WIDTH) -> str:
    """A ``<td>``; numbers are right-aligned, grouped and carry their raw value for sorting."""
    if numeric:
        number = int(value)
        return f'<td class="num" data-sort="{number}">{number:,}</td>'
    return f"<td>{text(str(value), width)}</td>"


@dataclass(frozen=True, slots=True)
class Column:
    """A table column."""

    title: str
    """Header text (ours, not heap text)."""
    numeric: bool = False
    """Whether it sorts as numbers."""


def table(columns: Sequence[Column], rows_html: Iterable[str], *, caption: str = "") -> str:
    """A sortable table (click a header) wrapped so it scrolls sideways on narrow screens."""
    head = "".join(
        f'<th scope="col" data-type="{"number" if c.numeric else "text"}">{html.escape(c.title)}</th>'
        for c in columns
    )
    body = "".join(f"<tr>{row}</tr>" for row in rows_html)
    cap = f"<caption>{text(caption)}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table class="sortable">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def details(summary_html: str, body_html: str, *, open_: bool = False) -> str:
    """A collapsible block."""
    flag = " open" if open_ else ""
    return f"<details{flag}><summary>{summary_html}</summary>{body_html}</details>"
