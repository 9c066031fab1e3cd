"""Importers: one per input format, listed explicitly in :data:`IMPORTERS`.

:func:`load_graph` picks the importer by content (never by file name) unless told.
"""

from __future__ import annotations

from leakhunt.errors import InputError, UnsupportedFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.graph.node_classes import NodeClasses
from leakhunt.importers.common.input_file import TruncatedInputError, open_maybe_gzip
from leakhunt.importers.firefox_cc.importer import FirefoxCCLogImporter, load_firefox_cclog
from leakhunt.importers.interface import Importer, ImportOptions, Progress
from leakhunt.importers.rootdump import RootDumpImporter
from leakhunt.importers.spidermonkey.importer import (
    SpiderMonkeyGcLogImporter,
    load_spidermonkey_gclog,
)
from leakhunt.importers.v8.heapsnapshot import (
    V8HeapSnapshotImporter,
    load_v8_heapsnapshot,
    load_v8_node_classes,
)

__all__ = [
    "IMPORTERS",
    "ImportOptions",
    "Importer",
    "load_firefox_cclog",
    "load_graph",
    "load_node_classes",
    "load_spidermonkey_gclog",
    "load_v8_heapsnapshot",
    "sniff_format",
]

IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        V8HeapSnapshotImporter(),
        FirefoxCCLogImporter(),
        SpiderMonkeyGcLogImporter(),
        RootDumpImporter(),
    )
}
"""Every importer, by format name, in sniffing order."""

_SNIFF_BYTES = 4096


def sniff_format(path: str) -> str:
    """Name of the importer whose format ``path`` looks like (gzip is looked through).

    Raises
    ------
    UnsupportedFormatError
        When no importer recognises the file.
    """
    try:
        stream, raw = open_maybe_gzip(path)
        pieces: list[bytes] = []
        try:
            # Small reads: a gzip stream cut early still shows what it starts with.
            while sum(map(len, pieces)) < _SNIFF_BYTES and (piece := stream.read(512)):
                pieces.append(piece)
        except TruncatedInputError:
            if not pieces:
                raise
        finally:
            stream.close()
            raw.close()
        head = b"".join(pieces)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    for name, importer in IMPORTERS.items():
        if importer.sniff(head):
            return name
    known = ", ".join(IMPORTERS)
    raise UnsupportedFormatError(f"{path}: not a recognised heap dump (known formats: {known})")


def load_graph(
    path: str,
    *,
    format: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> RetentionGraph:
    """Load any supported dump into a :class:`RetentionGraph`."""
    name = format or sniff_format(path)
    importer = IMPORTERS.get(name)
    if importer is None:
        raise UnsupportedFormatError(f"{path}: unknown format {name!r}")
    try:
        return importer.load(path, options=options or ImportOptions(), progress=progress)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_node_classes(
    path: str,
    *,
    format: str | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> NodeClasses:
    """Node ids, kinds and classes of any supported dump: without building the graph where
    the format allows (V8), else projected from :func:`load_graph`. Files are refused
    exactly as :func:`load_graph` refuses them."""
    name = format or sniff_format(path)
    if name != V8HeapSnapshotImporter.name:
        return NodeClasses.of(load_graph(path, format=name, options=options, progress=progress))
    try:
        return load_v8_node_classes(path, options=options or ImportOptions(), progress=progress)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
