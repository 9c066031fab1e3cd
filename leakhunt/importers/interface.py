"""What every importer provides, and the errors importers raise.

An importer turns one engine's dump into a :class:`~leakhunt.graph.core.RetentionGraph`.
Importers raise :class:`~leakhunt.errors.InputError` subclasses only
(:class:`~leakhunt.errors.SnapshotFormatError` with the file and offending record).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from leakhunt.errors import InputError, SnapshotFormatError, UnsupportedFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.progress import Progress

__all__ = [
    "ImportOptions",
    "Importer",
    "InputError",
    "Progress",
    "SnapshotFormatError",
    "UnsupportedFormatError",
]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Options every importer understands (each ignores what does not apply to it)."""

    dump_index: int | None = None
    """For files holding several dumps: which one (0-based); None means the last."""
    max_input_size: int | None = None
    """Decompressed-size limit in bytes (0: none); None applies the default rule of
    :mod:`leakhunt.importers.common.input_file` (gzip input only)."""
    lenient: bool = False
    """Turn per-record problems that leave the rest usable into warnings (root dumps)."""
    node_room: int = 0
    """Nodes an overlay may add: importers that can keep this much room after their node
    columns do (:mod:`leakhunt.graph.room`), so that the overlay grows them without a copy."""
    edge_room: int = 0
    """Edges an overlay may add (as :attr:`node_room`, for the edge columns)."""


class Importer(Protocol):
    """One input format."""

    name: str
    """Registry key, e.g. ``"v8-heapsnapshot"``."""
    description: str
    """One line for help texts."""

    def sniff(self, head: bytes) -> bool:
        """Whether the first bytes of a file (decompressed) look like this format."""

    def load(
        self, path: str, *, options: ImportOptions, progress: Progress | None = None
    ) -> RetentionGraph:
        """Read ``path`` into a graph."""
