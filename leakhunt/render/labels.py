"""Short human labels for nodes and edges, shared by every renderer.

Examples
--------
>>> shorten("a" * 100, 10)
'aaaaaaaaa…'
>>> shorten("line one\\nline two", 40)
'line one⏎line two'
>>> shorten("[/bold]\\x1b]0;title\\x07")
'[/bold]\\\\x1b]0;title\\\\x07'
"""

from __future__ import annotations

from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.kinds import EdgeKind, NodeKind
from leakhunt.render.safe_text import visible

__all__ = ["edge_label", "node_label", "shorten"]

NAME_WIDTH = 60


def shorten(text: str, width: int = NAME_WIDTH) -> str:
    """One line of inert text (:func:`~leakhunt.render.safe_text.visible`), at most ``width``
    characters. Not markup-escaped: give it to rich as a ``Text``, or through
    :func:`~leakhunt.render.safe_text.console_markup`. Only the start of a huge string is
    looked at, so a megabyte-long name costs no more than a short one."""
    head = text[: 2 * width + 2]
    flat = visible(head.replace("\r", "").replace("\n", "⏎"))
    if len(flat) <= width and len(head) == len(text):
        return flat
    return flat[: width - 1] + "…"


def node_label(graph: RetentionGraph, node: int) -> str:
    """``Class name`` (or ``Class "name"`` when they differ), with the engine id."""
    class_name = graph.strings[int(graph.node_class[node])]
    name = graph.strings[int(graph.node_name[node])]
    node_id = int(graph.node_id[node])
    ident = f"@{node_id}"
    if node_id < 0 and graph.node_kind[node] == NodeKind.NATIVE:
        ident = "(native)"  # root-dump natives: their dump id is their name
    elif graph.source.ids_are_addresses:
        ident = f"0x{node_id:x}"
    if not name or name == class_name:
        return f"{shorten(class_name)} {ident}"
    return f'{shorten(class_name, 30)} "{shorten(name)}" {ident}'


def edge_label(graph: RetentionGraph, edge: int) -> str:
    """How the edge reads in a path: ``.name``, ``[3]``, ``name (closure variable)``…"""
    kind = EdgeKind(int(graph.edge_kind[edge]))
    name = shorten(graph.edge_name_text(edge), 50)
    if kind == EdgeKind.PROPERTY:
        return f".{name}"
    if kind == EdgeKind.ELEMENT:
        return f"[{name}]"
    if kind == EdgeKind.CONTEXT_VARIABLE:
        return f"{name} (closure variable)"
    if kind == EdgeKind.HIDDEN:
        return f"<slot {name}>"
    if kind == EdgeKind.NATIVE_HANDLE:
        return f"{name} (strong global handle)"
    if kind == EdgeKind.WEAK_CALLBACK:
        return f"{name} (weak callback: its death frees the next)"
    if kind == EdgeKind.HOST_OPTIONS:
        return f"{name} (host-defined options)"
    if kind == EdgeKind.EPHEMERON:
        return f"{name} (weak-map entry: held only while its key and its map are)"
    return f"{name} ({kind.name.lower().replace('_', ' ')})"
