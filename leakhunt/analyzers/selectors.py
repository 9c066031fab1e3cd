"""Node selectors: how users name the nodes they ask about.

Forms: ``@ID`` (engine node id, as DevTools shows it), ``0xADDR`` (a SpiderMonkey or CC-log
address), ``class:NAME`` (exact class), ``name:SUBSTRING`` (case-sensitive substring of the
node name).

Examples
--------
>>> parse_selector("@42")
Selector(form='id', value='42')
>>> parse_selector("class:Session").form
'class'
>>> parse_selector("Session")
Traceback (most recent call last):
...
leakhunt.errors.SelectorError: unknown selector 'Session': use @ID, 0xADDR, class:NAME or name:SUBSTRING
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import NodeNotFoundError, SelectorError
from leakhunt.graph.core import RetentionGraph

__all__ = ["Selector", "parse_selector", "select_nodes"]


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector."""

    form: str
    """``"id"``, ``"address"``, ``"class"`` or ``"name"``."""
    value: str
    """The text after the prefix."""

    def __str__(self) -> str:
        prefix = {"id": "@", "address": "", "class": "class:", "name": "name:"}[self.form]
        return prefix + self.value


def parse_selector(text: str) -> Selector:
    """Parse one selector; raise :class:`SelectorError` for an unknown form."""
    hint = "use @ID, 0xADDR, class:NAME or name:SUBSTRING"
    if text.startswith("@"):
        if not text[1:].isdigit():
            raise SelectorError(f"bad node id in selector {text!r}: {hint}")
        return Selector("id", text[1:])
    if text[:2].lower() == "0x":
        try:
            int(text, 16)
        except ValueError:
            raise SelectorError(f"bad address in selector {text!r}: {hint}") from None
        return Selector("address", text)
    for form in ("class", "name"):
        if text.startswith(form + ":") and len(text) > len(form) + 1:
            return Selector(form, text[len(form) + 1 :])
    raise SelectorError(f"unknown selector {text!r}: {hint}")


def _string_indices(
    graph: RetentionGraph, wanted: str, *, substring: bool
) -> npt.NDArray[np.int64]:
    if substring:
        hits = [i for i, text in enumerate(graph.strings) if wanted in text]
    else:
        hits = [i for i, text in enumerate(graph.strings) if text == wanted]
    return np.array(hits, dtype=np.int64)


def _match(graph: RetentionGraph, selector: Selector) -> npt.NDArray[np.int64]:
    if selector.form == "id":
        return np.flatnonzero(graph.node_id == int(selector.value)).astype(np.int64)
    if selector.form == "address":
        return np.flatnonzero(graph.node_id == int(selector.value, 16)).astype(np.int64)
    if selector.form == "class":
        indices = _string_indices(graph, selector.value, substring=False)
        return np.flatnonzero(np.isin(graph.node_class, indices)).astype(np.int64)
    indices = _string_indices(graph, selector.value, substring=True)
    return np.flatnonzero(np.isin(graph.node_name, indices)).astype(np.int64)


def select_nodes(
    graph: RetentionGraph, selectors: Sequence[str | Selector]
) -> npt.NDArray[np.int64]:
    """Ordinals matched by any of ``selectors``, ascending and unique.

    Raises
    ------
    SelectorError
        For a selector of unknown form.
    NodeNotFoundError
        When a selector matches nothing.
    """
    found: list[npt.NDArray[np.int64]] = []
    for item in selectors:
        selector = item if isinstance(item, Selector) else parse_selector(item)
        matched = _match(graph, selector)
        if matched.size == 0:
            raise NodeNotFoundError(f"{graph.source.path}: no node matches {str(selector)!r}")
        found.append(matched)
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found))
