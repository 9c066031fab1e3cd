"""What a report is made of: per-snapshot JSON documents and drawn figures.

The documents are exactly the ``--format json`` documents of the CLI commands
(``leakhunt/summary/1``, ``leakhunt/top/1``, ``leakhunt/paths/1`` …), so the report and the
commands share one code path for every number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Figure", "Finding", "ReportData", "SnapshotReport"]

Document = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Figure:
    """One diagram, drawn or not."""

    caption: str
    """What it shows (may hold heap text; escaped when written)."""
    dot: str
    """Its DOT source."""
    svg: str | None
    """Inline SVG (already sanitised by :func:`~leakhunt.render.image.inline_svg`), or None
    when Graphviz's ``dot`` is not installed."""


@dataclass(frozen=True, slots=True)
class SnapshotReport:
    """The analyses of one input file."""

    label: str
    """The file as the user named it."""
    documents: Mapping[str, Document]
    """JSON documents by analysis: ``summary``, ``top``, ``paths``; later ``suspects``,
    ``zombies``, ``cycles``. An analysis that did not run is absent."""
    figures: Mapping[str, tuple[Figure, ...]] = field(default_factory=dict)
    """Diagrams by section key."""


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one HTML report shows."""

    snapshots: tuple[SnapshotReport, ...]
    """One entry per input file, in command-line order."""
    generator: str
    """``leakhunt X.Y.Z``."""
    documents: Mapping[str, Document] = field(default_factory=dict)
    """Documents about several snapshots at once (``diff``)."""
    figures: Mapping[str, tuple[Figure, ...]] = field(default_factory=dict)
    """Diagrams of those, by section key."""
    notes: tuple[str, ...] = ()
    """Facts about how the report was made (for example, diagrams not drawn)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding laid out by :func:`findings_html`."""

    headline: str
    """One line (heap text allowed)."""
    facts: Sequence[tuple[str, str]] = ()
    """Label/value pairs (values are heap text)."""
    fingerprint: str = ""
    """Stable identifier of the finding, for baselines and CI."""
    trace: Mapping[str, Any] | None = None
    """A path in the ``leakhunt/paths/1`` path format (``root_kind``, ``root_label``, ``hops``)."""
    figure: Figure | None = None
    """Its diagram."""
