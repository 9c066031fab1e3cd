"""Root dumps: what an embedder knows about its heap (``docs/rootdump.md``).

:class:`RootDumpImporter` reads standalone dumps as graphs; :func:`load_overlay` merges an
overlay dump into a snapshot's graph; :func:`read_root_dump` gives the validated records
(process tree, natives, edges) to anything else that needs them.
"""

from __future__ import annotations

from leakhunt.background import Background
from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers.common.input_file import open_maybe_gzip
from leakhunt.importers.interface import ImportOptions, Progress
from leakhunt.importers.rootdump.overlay import OverlayResult, apply_overlay
from leakhunt.importers.rootdump.reader import PLAIN_FORM_MIN_BYTES, RootDump, read_root_dump
from leakhunt.importers.rootdump.standalone import build_standalone_graph
from leakhunt.lazy_kernel import start_compiler

__all__ = [
    "OverlayResult",
    "PendingDump",
    "RootDump",
    "RootDumpImporter",
    "apply_overlay",
    "load_overlay",
    "read_root_dump",
]


class PendingDump:
    """A root dump being read in a forked process while the caller does other work (loading
    the snapshot it will be merged into); :meth:`result` waits for it.

    Only when a core is idle (:mod:`leakhunt.background`); otherwise the dump is read when
    :meth:`result` is called.
    """

    def __init__(self, path: str, *, lenient: bool = False) -> None:
        self.path = path
        self.lenient = lenient
        size, decoded = _sizes(path)
        self.node_room = decoded // _MIN_NATIVE_BYTES + _CATEGORY_NODES
        """At most how many nodes the dump adds (from its size): room for the snapshot's
        importer to keep (``ImportOptions.node_room``)."""
        self.edge_room = decoded // _MIN_EDGE_BYTES + _CATEGORY_NODES
        """At most how many edges it adds (ephemerons count twice)."""
        if size >= PLAIN_FORM_MIN_BYTES:
            # A large dump is read by compiled kernels; this process compiles kernels to load
            # the snapshot anyway, so it starts the compiler before forking, not both of them.
            start_compiler()
        self._read = Background(read_root_dump, path, lenient=lenient)

    def result(self) -> RootDump:
        """The dump (or the error reading it raised)."""
        return self._read.result()

    def close(self) -> None:
        """Stop reading (the caller failed before it needed the dump)."""
        self._read.close()


_MIN_NATIVE_BYTES = 8
"""Fewer bytes than any native takes in a dump: its id alone (``"a",``) takes 4 in
``native_columns``, its class and size more."""
_MIN_EDGE_BYTES = 2
"""Fewer bytes per added edge than any dump takes: an edge's source and target alone take 4
(``0,`` twice, in ``edge_columns``), and an ephemeron adds two edges."""
_CATEGORY_NODES = 2
"""The synthetic ``(Embedder handles)`` and ``(Embedder roots)`` nodes (and their edges from
the super root)."""


def _sizes(path: str) -> tuple[int, int]:
    """The dump's size on disk and the most bytes it can decode to, as the reader bounds it
    (a gzip file's decompressed size is bounded, not known); zeros when it cannot be opened
    (the reader reports that)."""
    try:
        stream, _ = open_maybe_gzip(path)
    except OSError:
        return 0, 0
    try:
        return stream.file_size, stream.bound
    finally:
        stream.close()


def load_overlay(graph: RetentionGraph, dump_path: str, *, lenient: bool = False) -> OverlayResult:
    """Read the overlay dump at ``dump_path`` and merge it into ``graph``."""
    return apply_overlay(graph, read_root_dump(dump_path, lenient=lenient), lenient=lenient)


class RootDumpImporter:
    """Registry entry for standalone root dumps."""

    name = "leakhunt-rootdump"
    description = "leakhunt root dump (standalone graph written by an embedder, e.g. QuickJS)"

    def sniff(self, head: bytes) -> bool:
        """A JSON object naming ``"format": "leakhunt-rootdump"`` early on."""
        text = head.lstrip()
        return text.startswith(b"{") and b'"leakhunt-rootdump"' in text and b'"format"' in text

    def load(
        self, path: str, *, options: ImportOptions, progress: Progress | None = None
    ) -> RetentionGraph:
        """Read a standalone dump; overlays and manifests are refused with what to do."""
        dump = read_root_dump(path, lenient=options.lenient)
        if dump.graph == "overlay":
            raise SnapshotFormatError(
                path,
                "/graph",
                "an overlay dump has no heap of its own: pass it as --overlay to its snapshot",
            )
        if dump.graph == "manifest":
            raise SnapshotFormatError(
                path, "/graph", "a manifest has no heap of its own: use `leakhunt isolates`"
            )
        return build_standalone_graph(dump, lenient=options.lenient)
