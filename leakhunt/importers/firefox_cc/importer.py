"""Firefox cycle-collector log importer (``cc-edges.*.log``, plain or gzip).

The log lists the graph the Gecko cycle collector (CC) built: refcounted C++ objects
(``[rc=N]``), the JS things they hold (``[gc]`` gray, ``[gc.marked]`` black), colourless
edges, weak-map entries and incremental roots, then after ``==========`` its verdict:
``[known=N]`` for a live refcounted node with references from outside the graph and
``[garbage]`` for what it will free. Lines are read by :mod:`leakhunt.importers.firefox_cc.parser`;
descriptions are mapped by :mod:`leakhunt.importers.firefox_cc.nodes`. Modelling:

**Roots** (as amccreight's ``cc/find_roots.py`` chooses them). Every refcounted node with a
``[known=N]`` line, and every refcounted ``IncrementalRoot``, is a
:attr:`RootKind.REFCOUNTED` root labelled ``"K unknown references"`` with K = rc − N (0 for
an incremental root without a result line; ``", incremental root"`` is appended for
incremental roots). Refcounted roots are added most unknown references first, so the
paths BFS prefers them on ties. Every ``[gc.marked]`` node, and every GC-thing
``IncrementalRoot``, is a :attr:`RootKind.MARKED` root (find_roots calls a GC-thing
incremental root "ref counted with 0 unknown edges"; it has no refcount, so here it is a
marked root labelled ``"incremental root"``).

**Held from outside.** A refcounted root with K > 0 is alive because of references the
log cannot show. Its known owners are the graph nodes with an edge to it. The label carries
K for renderers; :func:`leakhunt.analyzers.external.find_external_holders` returns the
nodes, K and the owners, and ``SourceInfo.details`` lists the first ten.

**Weak maps**, following ``nsCycleCollector::ScanWeakMaps``: an entry's value is live once
its map and key are (a NULL map counts as live), and a key is made live by its map and its
*delegate* (the wrapped object, when the key is a wrapper). So an entry becomes up to two
ephemerons: ``(map, key) → value``, and ``(map, delegate) → key`` when the delegate is set
and differs from the key (Firefox 153 prints the key itself as the delegate of a plain
object). A NULL key counts as live: the value is held by the map alone (or is a marked root
when the map is NULL too). An address in a ``WeakMapEntry`` with no node line is a thing
the GC had already marked (``AddWeakMapNode`` leaves those out of the graph): it becomes a
placeholder node that is a marked root. (So the graph's ephemeron-entry count, shown by
``summary``, can exceed the number of ``WeakMapEntry`` lines, which ``details`` gives.)

**Garbage** nodes stay in the graph; nothing roots them, so ``paths`` reports them
unreachable. Their number is in ``SourceInfo.details``.

**Nodes**: ``node_id`` is the address (so ``0xADDR`` selectors work; the rare address
above 2**63 is stored wrapped to int64); the engine type is ``refcounted``, ``gc`` or
``gc.marked``; kinds, classes and names come from the description (see
:mod:`leakhunt.importers.firefox_cc.nodes`). CC logs carry no sizes: every self size is 0.
Edge targets and incremental roots without a node line become placeholder nodes (with a
warning). Edges are :attr:`EdgeKind.PROPERTY` edges named as in the log; the log does not
say which are C++ fields and which JS properties.

**Errors**: a malformed line raises :class:`SnapshotFormatError` naming its line; so does a
log without the ``==========`` separator (cut short) or with an edge before any node.
Inconsistent results (a ``[known=N]`` that disagrees with the edges, a result line for an
unknown address, garbage that is also a root) become warnings in ``graph.problems``.
"""

from __future__ import annotations

import re

from leakhunt.graph.core import RetentionGraph
from leakhunt.importers.common.input_file import open_maybe_gzip
from leakhunt.importers.firefox_cc.assembly import (
    ENGINE,
    FORMAT_NAME,
    build_cc_graph,
    unknown_references_label,
)
from leakhunt.importers.firefox_cc.parser import read_cc_log
from leakhunt.importers.interface import ImportOptions, Progress

__all__ = [
    "ENGINE",
    "FORMAT_NAME",
    "FirefoxCCLogImporter",
    "load_firefox_cclog",
    "unknown_references_label",
]

_SNIFF_NODE = re.compile(rb"^(?:0[xX])?[0-9A-Fa-f]+ \[(?:rc=[0-9]+|gc|gc\.marked)\]", re.M)


def load_firefox_cclog(
    path: str, *, options: ImportOptions | None = None, progress: Progress | None = None
) -> RetentionGraph:
    """Read a Firefox cycle-collector log into a :class:`RetentionGraph`.

    Parameters
    ----------
    path
        A ``cc-edges.*.log`` file, plain or gzip-compressed.
    options
        Import options (only ``max_input_size`` applies: a CC log holds one collection).
    progress
        Optional ``progress(phase, done_bytes, total_bytes)`` callback.

    Returns
    -------
    RetentionGraph
        Nodes in file order after the super root (placeholders last), roots and weak-map
        entries as described in the module docstring, facts in ``source.details``.

    Raises
    ------
    SnapshotFormatError
        Naming the file and line, for a malformed line, a log cut before its results
        section, or undecodable gzip data.

    Examples
    --------
    >>> import pathlib
    >>> log = pathlib.Path(__file__).parents[3] / "fixtures/spidermonkey/cc/cc_all_forms.log"
    >>> g = load_firefox_cclog(str(log))
    >>> g.node_count - 1, g.source.engine
    (17, 'Gecko CC')
    >>> sorted({g.strings[int(label)] for label in g.roots.label})[:3]
    ['0 unknown references, incremental root', '1 unknown reference', '2 unknown references']
    >>> dict(g.source.details)["garbage"][:42]
    '3 node(s) the collector will free: 0x7f100'
    """
    limit = options.max_input_size if options is not None else None
    stream, raw = open_maybe_gzip(path, limit)
    try:
        total = stream.file_size

        def report(_line: int) -> None:
            if progress is not None:
                progress("reading CC log", raw.tell(), total)

        records = read_cc_log(stream.lines(), path, report if progress is not None else None)
    finally:
        stream.close()
        raw.close()
    if progress is not None:
        progress("building graph", 0, 1)
    graph = build_cc_graph(path, records)
    if progress is not None:
        progress("building graph", 1, 1)
    return graph


class FirefoxCCLogImporter:
    """Registry entry for Firefox cycle-collector logs."""

    name = FORMAT_NAME
    description = "Firefox cycle-collector log (cc-edges.*.log from about:memory or MOZ_CC_LOG_*)"

    def sniff(self, head: bytes) -> bool:
        """A ``# WantAllTraces=`` first line, or an ``ADDR [rc=N]`` / ``ADDR [gc…]`` node line.

        >>> importer = FirefoxCCLogImporter()
        >>> importer.sniff(b"# WantAllTraces=false\\n"), importer.sniff(b"# x\\n500 [rc=1] A\\n")
        (True, True)
        >>> importer.sniff(b'{"snapshot": {}}')
        False
        """
        return head.startswith(b"# WantAllTraces=") or _SNIFF_NODE.search(head) is not None

    def load(
        self, path: str, *, options: ImportOptions, progress: Progress | None = None
    ) -> RetentionGraph:
        """See :func:`load_firefox_cclog`."""
        return load_firefox_cclog(path, options=options, progress=progress)
