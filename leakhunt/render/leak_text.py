"""``diff`` and ``suspects`` reports as plain text (heap strings made visible, no markup)."""

from __future__ import annotations

from typing import TextIO

from leakhunt.analyzers.leak_results import DiffReport, LeakCluster, Suspect, SuspectReport
from leakhunt.render.interface import Renderer
from leakhunt.render.labels import shorten
from leakhunt.render.safe_text import visible
from leakhunt.render.summary_console import format_bytes
from leakhunt.render.traces import node_ident, trace_lines

__all__ = ["DiffTextRenderer", "SuspectsTextRenderer", "cluster_lines", "suspect_lines"]


def _signed(value: int) -> str:
    return f"{value:+,}"


def cluster_lines(cluster: LeakCluster, index: int) -> list[str]:
    """A cluster: headline, fingerprint, representative trace."""
    lines = [
        f"#{index} {cluster.count} leaked {cluster.class_name} object(s), "
        f"{format_bytes(cluster.retained_size)} retained  (fingerprint {cluster.fingerprint[:12]})",
    ]
    lines += [f"    {line}" for line in trace_lines(cluster.trace)]
    address = cluster.trace.ids_are_addresses
    shown = ", ".join(node_ident(i, address=address) for i in cluster.node_ids[:8])
    more = f" … {len(cluster.node_ids) - 8} more" if len(cluster.node_ids) > 8 else ""
    lines.append(f"    objects: {shown}{more}")
    return lines


def suspect_lines(suspect: Suspect, index: int) -> list[str]:
    """A suspect: headline, evidence, location, trace."""
    tag = " (heuristic)" if suspect.heuristic else ""
    lines = [
        f"#{index} [{suspect.kind}]{tag} {suspect.title}",
        f"    retained {format_bytes(suspect.retained_size)}; holder {suspect.holder}; "
        f"fingerprint {suspect.fingerprint[:12]}",
    ]
    lines += [f"    - {line}" for line in suspect.evidence]
    if suspect.location is not None:
        script, line, column = suspect.location
        lines.append(f"    code: {shorten(script, 100)}:{line + 1}:{column + 1}")
    lines += [f"    {line}" for line in trace_lines(suspect.trace)]
    return lines


class DiffTextRenderer(Renderer[DiffReport]):
    """Clusters first (the answer), then the class growth table, then notes."""

    def __init__(self, growth_rows: int = 20) -> None:
        self.growth_rows = growth_rows

    def render(self, result: DiffReport, out: TextIO) -> None:
        """Write the report."""
        lines = [
            f"Snapshots: {' → '.join(result.sources)}",
            f"Method: {result.method}; identity: {result.identity}",
        ]
        if result.method != "class-growth":
            lines.append(
                f"Allocated between base and target: {result.allocated_between:,} object(s); "
                f"leaked by the method: {result.leaked_objects:,}; ids reused by another class: {result.id_reuse:,}"
            )
        if result.clusters:
            lines += [
                "",
                f"{len(result.clusters)} leak cluster(s) (traces in {result.trace_source}):",
            ]
            for index, cluster in enumerate(result.clusters, start=1):
                lines += cluster_lines(cluster, index)
        elif result.method != "class-growth":
            lines += ["", "No leaked objects."]
        if result.growth:
            shown = min(self.growth_rows, len(result.growth))
            lines += ["", f"Class growth (top {shown} of {len(result.growth)}):"]
            lines.append(f"  {'class':<40} {'count':>14} {'self':>12} {'retained':>12}")
            for row in result.growth[: self.growth_rows]:
                lines.append(
                    f"  {shorten(row.class_name, 40):<40} {_signed(row.count_delta):>14} "
                    f"{_signed(row.self_size_delta):>12} {_signed(row.retained_delta):>12}"
                )
        else:
            lines += ["", "No class grew."]
        lines += [f"note: {note}" for note in result.notes]
        out.write("\n".join(visible(line) for line in lines) + "\n")


class SuspectsTextRenderer(Renderer[SuspectReport]):
    """Suspects, largest first, each with evidence and trace."""

    def render(self, result: SuspectReport, out: TextIO) -> None:
        """Write the report."""
        lines = [f"{result.source}: heap {format_bytes(result.total_size)}"]
        if not result.suspects:
            lines.append("No leak suspects.")
        for index, suspect in enumerate(result.suspects, start=1):
            lines.append("")
            lines += suspect_lines(suspect, index)
        lines += [f"note: {note}" for note in result.notes]
        out.write("\n".join(visible(line) for line in lines) + "\n")
