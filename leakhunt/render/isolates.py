"""The isolate-group roll-up (``leakhunt isolates``) as text and JSON."""

from __future__ import annotations

from typing import Any, TextIO

from leakhunt.analyzers.isolates import GroupRollup, IsolateGroupsReport
from leakhunt.render.interface import Renderer
from leakhunt.render.json_report import write_json
from leakhunt.render.safe_text import visible

__all__ = ["IsolatesConsoleRenderer", "IsolatesJsonRenderer"]


def _bytes(value: int | None) -> str:
    if value is None:
        return "?"
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    size = float(value)
    unit = 0
    while size >= 1024 and unit < len(units) - 1:
        size /= 1024
        unit += 1
    return f"{value:,} B" if unit == 0 else f"{size:,.1f} {units[unit]}"


class IsolatesConsoleRenderer(Renderer[IsolateGroupsReport]):
    """One block per group: its cage, its isolates and their heaps, its contexts' limits."""

    def __init__(self, source: str) -> None:
        self.source = source

    def _group(self, rollup: GroupRollup, out: TextIO) -> None:
        process, group = rollup.process, rollup.group
        who = f"process {process.pid}" if process.pid is not None else "process"
        if process.name:
            who += f" ({visible(process.name)})"
        name = f" ({visible(group.name)})" if group.name else ""
        out.write(f"{who}, isolate group {visible(group.id)}{name}\n")
        if rollup.cage_size is None:
            out.write(f"  no pointer cage; heaps total {_bytes(rollup.total_heap_size)}\n")
        else:
            assumed = " (assumed)" if rollup.cage_assumed else ""
            out.write(
                f"  heaps total {_bytes(rollup.total_heap_size)} of a {_bytes(rollup.cage_size)} "
                f"cage{assumed}: {100 * (rollup.cage_fraction or 0):.1f} % — "
                f"{rollup.status.upper() if rollup.status != 'ok' else 'ok'}\n"
            )
        for isolate in group.isolates:
            label = visible(isolate.id) + (f" ({visible(isolate.name)})" if isolate.name else "")
            limit = isolate.statistic("heap_size_limit")
            extra = f", limit {_bytes(limit)}" if limit is not None else ""
            external = isolate.statistic("external_memory")
            extra += f", external {_bytes(external)}" if external is not None else ""
            snapshot = f", snapshot {visible(isolate.snapshot)}" if isolate.snapshot else ""
            out.write(f"  - {label}: heap {_bytes(isolate.heap_size)}{extra}{snapshot}\n")
            for context in isolate.contexts:
                limit_text = (
                    f", {_bytes(context.memory_used)} of {_bytes(context.memory_limit)}"
                    if context.memory_limit is not None
                    else (
                        f", {_bytes(context.memory_used)} used"
                        if context.memory_used is not None
                        else ""
                    )
                )
                flag = next(
                    (
                        f" — {f.upper()}"
                        for i, c, f in rollup.contexts_flagged
                        if c is context and i is isolate
                    ),
                    "",
                )
                cname = visible(context.name or context.id)
                out.write(f"      context {cname} ({context.state}){limit_text}{flag}\n")
        if rollup.unknown_isolates:
            missing = ", ".join(visible(i) for i in rollup.unknown_isolates)
            out.write(f"  no heap size given for: {missing}\n")

    def render(self, result: IsolateGroupsReport, out: TextIO) -> None:
        """Write every group."""
        out.write(
            f"{visible(self.source)}: {len(result.groups)} isolate group(s), "
            f"{len(result.flagged)} near or over their cage (near = {result.near:.0%})\n\n"
        )
        for rollup in result.groups:
            self._group(rollup, out)
            out.write("\n")


class IsolatesJsonRenderer(Renderer[IsolateGroupsReport]):
    """The roll-up as one JSON document (schema in docs/json.md)."""

    def __init__(self, source: str) -> None:
        self.source = source

    @staticmethod
    def _group(rollup: GroupRollup) -> dict[str, Any]:
        flags = {(i.id, c.id): f for i, c, f in rollup.contexts_flagged}
        return {
            "process": {"pid": rollup.process.pid, "name": rollup.process.name},
            "id": rollup.group.id,
            "name": rollup.group.name,
            "pointer_cage_size": rollup.cage_size,
            "cage_assumed": rollup.cage_assumed,
            "total_heap_size": rollup.total_heap_size,
            "cage_fraction": rollup.cage_fraction,
            "status": rollup.status,
            "unknown_isolates": list(rollup.unknown_isolates),
            "isolates": [
                {
                    "id": isolate.id,
                    "name": isolate.name,
                    "thread": isolate.thread or None,
                    "snapshot": isolate.snapshot,
                    "dump": isolate.dump,
                    "heap_size": isolate.heap_size,
                    "heap_statistics": dict(isolate.heap_statistics),
                    "contexts": [
                        {
                            "id": c.id,
                            "name": c.name,
                            "state": c.state,
                            "memory_limit": c.memory_limit,
                            "memory_used": c.memory_used,
                            "status": flags.get((isolate.id, c.id), "ok"),
                        }
                        for c in isolate.contexts
                    ],
                }
                for isolate in rollup.group.isolates
            ],
        }

    def render(self, result: IsolateGroupsReport, out: TextIO) -> None:
        """Write the document."""
        write_json(
            {
                "schema": "leakhunt/isolates/1",
                "source": {"path": self.source, "format": "leakhunt-rootdump"},
                "near": result.near,
                "groups": [self._group(g) for g in result.groups],
            },
            out,
        )
