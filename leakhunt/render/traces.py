"""Leak traces as text lines, shared by every renderer of diff, suspects and gate reports.

The strings returned here still hold raw heap text; each renderer makes them safe for its
own output (``visible()`` for terminals and XML, rich escaping for markup).

Examples
--------
>>> from leakhunt.analyzers.leak_results import LeakTrace, TraceStep
>>> trace = LeakTrace("user", (
...     TraceStep(1, 5, "global", "global", "", "global", 4096),
...     TraceStep(2, 7, "Map", "Map", "property", "cache", 2048),
...     TraceStep(3, 9, "(array)", "", "internal", "table", 2000),
...     TraceStep(4, 11, "Item", "Item", "element", "3", 100),
... ), suspect_from=2)
>>> print("\\n".join(trace_lines(trace)))
(user root) global @5  [4.0 KiB]
  --.cache--> Map @7  [2.0 KiB]
~ --table (internal)--> (array) @9  [2.0 KiB]
~ --[3]--> Item @11  [100 B]
>>> step_message(trace, 2)
'Map @7 --table (internal)--> (array) @9'
"""

from __future__ import annotations

from leakhunt.analyzers.leak_results import LeakTrace, TraceStep
from leakhunt.render.labels import shorten
from leakhunt.render.summary_console import format_bytes

__all__ = ["edge_text", "node_ident", "step_label", "step_message", "trace_lines"]


def node_ident(node_id: int, *, address: bool) -> str:
    """``@123`` for an object id, ``0x7f3a…`` for an address (negative ids, which name a root
    dump's natives, stay ``@-N``).

    >>> node_ident(4467953, address=False), node_ident(140234567, address=True)
    ('@4467953', '0x85bcf47')
    """
    return f"0x{node_id:x}" if address and node_id >= 0 else f"@{node_id}"


def step_label(step: TraceStep, *, address: bool = False) -> str:
    """``Class @id``, with the name when it says more than the class."""
    ident = node_ident(step.node_id, address=address)
    if step.name and step.name != step.class_name and not step.class_name.endswith(step.name):
        return f'{shorten(step.class_name, 40)} "{shorten(step.name, 50)}" {ident}'
    return f"{shorten(step.class_name, 60)} {ident}"


def edge_text(step: TraceStep) -> str:
    """The reference into ``step``: ``.name``, ``[3]``, ``name (closure variable)``…"""
    kind, name = step.edge_kind, shorten(step.edge_name, 50)
    if kind == "property":
        return f".{name}"
    if kind == "element":
        return f"[{name}]"
    if kind == "hidden":
        return f"<slot {name}>"
    if kind == "context variable":
        return f"{name} (closure variable)"
    return f"{name} ({kind})"


def trace_lines(trace: LeakTrace) -> list[str]:
    """One line per step; ``~`` marks the suspect references (LeakCanary's underline)."""
    address = trace.ids_are_addresses
    first = trace.steps[0]
    lines = [
        f"({trace.root_kind} root) {step_label(first, address=address)}"
        f"  [{format_bytes(first.retained_size)}]"
    ]
    for index, step in enumerate(trace.steps[1:], start=1):
        mark = "~" if index >= trace.suspect_from else " "
        lines.append(
            f"{mark} --{edge_text(step)}--> {step_label(step, address=address)}"
            f"  [{format_bytes(step.retained_size)}]"
        )
    return lines


def step_message(trace: LeakTrace, index: int) -> str:
    """``Holder @1 --edge--> Target @2`` for step ``index`` (the root step names its root)."""
    address = trace.ids_are_addresses
    step = trace.steps[index]
    if index == 0:
        return f"{trace.root_kind} root: {step_label(step, address=address)}"
    holder = step_label(trace.steps[index - 1], address=address)
    return f"{holder} --{edge_text(step)}--> {step_label(step, address=address)}"
