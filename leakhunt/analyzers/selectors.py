"""Node selectors: how users name the nodes they ask about.

Forms: ``@ID`` (engine node id, as DevTools shows it), ``0xADDR`` (a SpiderMonkey or CC-log
address), ``class:NAME`` (exact class: the first word of a node as every text report shows
it, and the names of the class tables), ``type:TYPE`` (the engine's node type, as ``summary``
lists them: ``closure``, ``hidden``, ``string`` …), ``name:SUBSTRING`` (case-sensitive
substring of the node name).

A selector that matches nothing comes with suggestions (:attr:`SelectorMiss.suggestions`):
close class or type names, the name and class of nodes *named* like the class asked for.

Examples
--------
>>> parse_selector("@42")
Selector(form='id', value='42')
>>> parse_selector("class:Session").form
'class'
>>> parse_selector("type:closure")
Selector(form='type', value='closure')
>>> parse_selector("Session")
Traceback (most recent call last):
...
leakhunt.errors.SelectorError: unknown selector 'Session': use @ID, 0xADDR, class:NAME, type:TYPE or name:SUBSTRING
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from leakhunt.errors import NodeNotFoundError, SelectorError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import NodeKind

__all__ = [
    "Selection",
    "Selector",
    "SelectorMiss",
    "parse_selector",
    "resolve_selectors",
    "select_nodes",
]

_HINT = "use @ID, 0xADDR, class:NAME, type:TYPE or name:SUBSTRING"
_PREFIXES = {"id": "@", "address": "", "class": "class:", "type": "type:", "name": "name:"}


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector."""

    form: str
    """``"id"``, ``"address"``, ``"class"``, ``"type"`` or ``"name"``."""
    value: str
    """The text after the prefix."""

    def __str__(self) -> str:
        return _PREFIXES[self.form] + self.value


@dataclass(frozen=True, slots=True)
class SelectorMiss:
    """A selector that matched no node, and what the user may have meant."""

    selector: Selector
    """The selector."""
    suggestions: tuple[str, ...]
    """Selectors that do match something, best first (possibly none)."""

    def message(self) -> str:
        """``no node matches 'X'; did you mean 'Y' or 'Z'?``"""
        text = f"no node matches {str(self.selector)!r}"
        if self.suggestions:
            text += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return text


@dataclass(frozen=True, slots=True)
class Selection:
    """What several selectors matched together."""

    nodes: npt.NDArray[np.int64]
    """Ordinals matched by any selector, ascending and unique."""
    misses: tuple[SelectorMiss, ...]
    """The selectors that matched nothing, in the order given."""


def parse_selector(text: str) -> Selector:
    """Parse one selector; raise :class:`SelectorError` for an unknown form."""
    if text.startswith("@"):
        if not text[1:].isdigit():
            raise SelectorError(f"bad node id in selector {text!r}: {_HINT}")
        return Selector("id", text[1:])
    if text[:2].lower() == "0x":
        try:
            int(text, 16)
        except ValueError:
            raise SelectorError(f"bad address in selector {text!r}: {_HINT}") from None
        return Selector("address", text)
    for form in ("class", "type", "name"):
        if text.startswith(form + ":") and len(text) > len(form) + 1:
            return Selector(form, text[len(form) + 1 :])
    raise SelectorError(f"unknown selector {text!r}: {_HINT}")


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
    if selector.form == "type":
        types = [i for i, name in enumerate(graph.type_names) if name == selector.value]
        return np.flatnonzero(np.isin(graph.node_type, types)).astype(np.int64)
    indices = _string_indices(graph, selector.value, substring=True)
    return np.flatnonzero(np.isin(graph.node_name, indices)).astype(np.int64)


def _close(word: str, candidates: Sequence[str], limit: int = 3) -> list[str]:
    """Candidates equal ignoring case or brackets first, then difflib's closest."""
    folded = word.casefold().strip("()")
    exact = [c for c in candidates if c.casefold().strip("()") == folded and c != word]
    if len(candidates) > 50_000:  # difflib is quadratic-ish; a huge name table gets the cheap part
        return exact[:limit]
    near = difflib.get_close_matches(word, candidates, n=limit, cutoff=0.75)
    return list(dict.fromkeys([*exact, *near]))[:limit]


def _suggest(graph: RetentionGraph, selector: Selector) -> tuple[str, ...]:
    value = selector.value
    if selector.form in ("id", "address"):
        return ()  # both notations name the same engine id: nothing closer to offer
    if selector.form == "type":
        return tuple(f"type:{t}" for t in _close(value, sorted(set(graph.type_names))))
    classes = [graph.strings[int(i)] for i in np.unique(graph.node_class).tolist()]
    if selector.form == "class":
        found = []
        # Text reports show a node as ``class "name"``: someone may have copied the name.
        named = _string_indices(graph, value, substring=False)
        holders = np.flatnonzero(
            np.isin(graph.node_name, named) & (graph.node_kind != NodeKind.STRING)
        )
        if holders.size:
            classes_of_named = np.unique(graph.node_class[holders]).tolist()
            found.append(f"name:{value}")
            found.extend(f"class:{graph.strings[int(c)]}" for c in classes_of_named[:2])
        found.extend(f"class:{c}" for c in _close(value, classes))
        return tuple(dict.fromkeys(found))[:4]
    if selector.form == "name":
        folded = value.casefold()
        node_names = np.unique(graph.node_name).tolist()
        hits = [graph.strings[i] for i in node_names if folded in graph.strings[i].casefold()]
        hits = sorted(hits, key=len)[:3]
        found = [f"class:{c}" for c in _close(value, classes, limit=2)]
        return tuple(dict.fromkeys([*found, *(f"name:{n}" for n in hits)]))
    return ()


def resolve_selectors(graph: RetentionGraph, selectors: Sequence[str | Selector]) -> Selection:
    """Match every selector; the ones that match nothing are returned with suggestions.

    Raises
    ------
    SelectorError
        For a selector of unknown form.

    Examples
    --------
    >>> from leakhunt.graph.builder import GraphBuilder, SourceInfo
    >>> from leakhunt.graph.kinds import NodeKind
    >>> b = GraphBuilder()
    >>> _ = b.add_node(NodeKind.OBJECT, "Session", node_id=3)
    >>> g = b.freeze(SourceInfo("inline", "test", "none"))
    >>> found = resolve_selectors(g, ["class:Session", "class:session"])
    >>> found.nodes.tolist(), found.misses[0].message()
    ([1], "no node matches 'class:session'; did you mean 'class:Session'?")
    """
    found: list[npt.NDArray[np.int64]] = []
    misses: list[SelectorMiss] = []
    for item in selectors:
        selector = item if isinstance(item, Selector) else parse_selector(item)
        matched = _match(graph, selector)
        if matched.size == 0:
            misses.append(SelectorMiss(selector, _suggest(graph, selector)))
        found.append(matched)
    nodes = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return Selection(nodes.astype(np.int64), tuple(misses))


def select_nodes(
    graph: RetentionGraph, selectors: Sequence[str | Selector]
) -> npt.NDArray[np.int64]:
    """Ordinals matched by any of ``selectors``, ascending and unique.

    Raises
    ------
    SelectorError
        For a selector of unknown form.
    NodeNotFoundError
        When a selector matches nothing (the message carries the suggestions).
    """
    selection = resolve_selectors(graph, selectors)
    if selection.misses:
        raise NodeNotFoundError(f"{graph.source.path}: {selection.misses[0].message()}")
    return selection.nodes
