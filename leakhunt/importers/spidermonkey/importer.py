"""SpiderMonkey GC heap log importer: ``js::DumpHeap`` output, plain or gzip.

One text format is written by Firefox (``gc-edges.*.log``), GJS (``System.dumpHeap()``), the
SpiderMonkey shells (``dumpHeap()``) and any embedder calling ``js::DumpHeap``. Format:
``shared/reference/spidermonkey-gc-log.md``. The file is read once, in blocks
(:mod:`~leakhunt.importers.spidermonkey.reader`, :mod:`~leakhunt.importers.spidermonkey.heap`,
:mod:`~leakhunt.importers.spidermonkey.lines`), and one dump becomes a graph
(:mod:`~leakhunt.importers.spidermonkey.assembly`, :mod:`~leakhunt.importers.spidermonkey.attribution`,
:mod:`~leakhunt.importers.spidermonkey.vocabulary`).

Choices
-------
* **Nodes**: every listed cell, keyed by its address (``node_id``, so ``0xADDR`` selects it),
  plus one ``placeholder`` node per address that is referenced but never listed (mozjs-102
  leaves the targets of its ``vector element`` and ``hashmap key`` roots unlisted).
* **Roots**: each root line is an edge from the super root, labelled with the raw root name.
  Kinds: ``GJS global object``, ``active window global`` → user (a script's or page's
  global: preferred, as DevTools prefers the window);
  ``persistent-*`` → strong global handle; ``exact-*``, ``vm_stack[N]``, ``baseline-*``,
  ``ion-*``, ``jit-*``, ``rval``, ``env chain``, ``script``, ``on-stack realm global`` →
  stack (transient); atoms, static strings, well-known symbols, ``vector element``,
  ``hashmap key``, ``wrapper`` → engine; anything else (``GJS internal global object``,
  Firefox's ``Preserved wrapper``, XPConnect holders, an embedder's own names) → embedder.
* **Colours** (``B``/``G``/``X``/``W``) are stale mark bits: read, checked, then dropped.
  Reachability is computed from the roots.
* **Weak maps**: each ``WeakMapEntry`` is an ephemeron whose value is held by the map and
  the key together (by the key alone when the map is NULL, an engine-internal table). A key
  delegate that differs from the key (a wrapper key) holds the key through the same map.
  ``WeakRefObject::target`` edges are weak.
* **Sizes**: ``SIZE:: N`` when the log has it (the cell and its malloc'd data); otherwise the
  ``size=`` of the cell's arena, i.e. the GC cell size of its AllocKind. That estimate leaves
  out malloc'd slots, elements and string characters.
* **Contexts**: one per ``# realm`` (or ``# compartment``) header; objects are attributed
  through ``shape → base → baseshape_global`` (``group → group_global`` in mozjs-78), and
  classes come from the prototype's ``constructor``. Pre-zone logs group cells by header.
* **Several dumps** in one file (each ``# Roots.`` starts one): the last is read unless
  :attr:`ImportOptions.dump_index` picks another; the count goes into ``source.details``.
* **Errors**: a malformed line raises :class:`SnapshotFormatError` naming the first one. A
  file that ends inside a line (no final newline) is read without that line, and a gzip
  stream that ends early is read up to its last whole block; both are recorded as problems.
  A dump that ends before its heap section is an error.

Examples
--------
>>> import pathlib
>>> sample = pathlib.Path(__file__).parents[3] / "fixtures/spidermonkey/edge_cases/x_colours.log"
>>> g = load_spidermonkey_gclog(str(sample))
>>> g.node_count, g.edge_count, len(g.roots), g.contexts.name
(9, 16, 5, ('https://x.example/',))
>>> dict(g.source.details)["dump"]
'1 of 1'
"""

from __future__ import annotations

import re

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph, SourceInfo
from leakhunt.importers.common.input_file import TruncatedInputError, open_maybe_gzip
from leakhunt.importers.interface import ImportOptions, Progress
from leakhunt.importers.spidermonkey.assembly import assemble_graph
from leakhunt.importers.spidermonkey.reader import ROOTS_TITLE, SEPARATOR, GcLogReader
from leakhunt.importers.spidermonkey.records import DumpRecords

__all__ = ["SpiderMonkeyGcLogImporter", "load_spidermonkey_gclog"]

FORMAT_NAME = "spidermonkey-gclog"
BLOCK_BYTES = 2 << 20
"""Bytes read at a time. 1-2 MiB blocks keep each block's temporaries in cache: on the
80 MB benchmark dump, 2 MiB reads 15 % faster than 16 MiB and 256 KiB (per-block overhead)."""
_ROOT_LINE = re.compile(rb"(?:0x[0-9a-fA-F]+|[0-9a-fA-F]{8,16}) [BGXW] \S")


def _read(
    path: str, wanted: int | None, progress: Progress | None, limit: int | None = None
) -> tuple[DumpRecords, int]:
    stream, raw = open_maybe_gzip(path, limit)
    total = stream.file_size
    reader = GcLogReader(path, wanted)
    line, carry, cut_short = 1, b"", -1
    long_line: list[bytes] = []  # pieces of a line longer than a block, joined once
    try:
        while block := stream.read(BLOCK_BYTES):
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                long_line.append(block)
                continue
            if long_line:
                carry = carry + b"".join(long_line)
                long_line = []
            line += reader.feed(carry + block[:cut], line)
            carry = block[cut:]
            if progress is not None:
                progress("reading", raw.tell(), total)
    except TruncatedInputError as exc:
        cut_short = exc.position  # keep what was decompressed, as for a cut plain file
    finally:
        stream.close()
        raw.close()
    dump, count = reader.finish(carry + b"".join(long_line), line)
    if cut_short >= 0 and dump is not None:
        dump.add_problem(
            f"the gzip stream ends early (truncated file?) after {cut_short:,} decompressed "
            f"bytes: read up to line {line}; the last block before the cut is lost"
        )
    if count == 0:
        raise SnapshotFormatError(path, "line 1", "no dump found (empty, or not a heap log)")
    if dump is None or (wanted is not None and wanted >= count):
        raise SnapshotFormatError(
            path,
            f"dump {wanted}",
            f"out of range: the file holds {count} dump(s), numbered 0 to {count - 1}",
        )
    if not dump.heap_seen:
        raise SnapshotFormatError(
            path,
            f"dump {dump.index}",
            "ends before its heap section (no '==========' line): truncated?",
        )
    return dump, count


def _details(dump: DumpRecords, count: int) -> tuple[tuple[str, str], ...]:
    realms = [h for h in dump.headers if h.kind == "realm"]
    if dump.pre_zone:
        variant = "pre-zone (compartment headers group cells)"
    elif realms:
        variant = "realms (mozjs-68 and later)"
    else:
        variant = "zones era (compartment headers)"
    if dump.sized_cells:
        sizes = f"SIZE:: on {dump.sized_cells} cells, arena cell sizes on the rest"
    else:
        sizes = "estimated: GC cell size of each arena's AllocKind"
    details = [("dump", f"{dump.index + 1} of {count}")]
    if count > 1:
        details.append(("dump index", str(dump.index)))
    details += [
        ("variant", variant),
        ("zones", str(len(dump.zones))),
        ("realm or compartment headers", str(len(dump.headers))),
        ("sizes", sizes),
    ]
    return tuple(details)


def load_spidermonkey_gclog(
    path: str, *, options: ImportOptions | None = None, progress: Progress | None = None
) -> RetentionGraph:
    """Read one dump of a ``js::DumpHeap`` log into a :class:`RetentionGraph`.

    Parameters
    ----------
    path
        A GC heap log (Firefox ``gc-edges.*.log``, GJS ``System.dumpHeap``, shell
        ``dumpHeap``), plain or gzip-compressed.
    options
        ``dump_index`` picks one dump of a file holding several (0-based; default the last).
    progress
        Optional ``progress(phase, done_bytes, total_bytes)`` callback.

    Returns
    -------
    RetentionGraph
        Cells and placeholders as nodes (``node_id`` = address), root lines as root edges,
        weak-map entries as ephemerons, realms or compartments as contexts. See the module
        docstring for every mapping choice.

    Raises
    ------
    SnapshotFormatError
        For a malformed line (naming it), a dump without a heap section, or a ``dump_index``
        out of range.

    Examples
    --------
    >>> import pathlib
    >>> log = pathlib.Path(__file__).parents[3] / "fixtures/spidermonkey/edge_cases/bsd_null_0x0.log"
    >>> g = load_spidermonkey_gclog(str(log))
    >>> from leakhunt.graph.kinds import RootKind
    >>> len(g.ephemerons), [RootKind(k).name for k in g.roots.kind.tolist()]
    (3, ['SCOPED', 'STACK', 'STRONG_GLOBAL_HANDLE'])
    """
    options = options or ImportOptions()
    dump, count = _read(path, options.dump_index, progress, options.max_input_size)
    if progress is not None:
        progress("building graph", 0, 1)
    source = SourceInfo(path, FORMAT_NAME, "SpiderMonkey", _details(dump, count))
    graph = assemble_graph(path, dump, source)
    if progress is not None:
        progress("building graph", 1, 1)
    return graph


class SpiderMonkeyGcLogImporter:
    """Registry entry for ``js::DumpHeap`` logs."""

    name = FORMAT_NAME
    description = "SpiderMonkey GC heap log (js::DumpHeap: Firefox gc-edges, GJS, js shells)"

    def sniff(self, head: bytes) -> bool:
        """``# Roots.`` first; or (pre-zone) root lines up to a ``==========`` line."""
        if head.startswith((ROOTS_TITLE + b"\n", ROOTS_TITLE + b"\r\n")):
            return True
        lines = [line.rstrip(b"\r") for line in head.split(b"\n")[:-1]]
        for index, line in enumerate(lines):
            if line == SEPARATOR:
                return index > 0
            if not _ROOT_LINE.match(line):
                return False
        return bool(lines)

    def load(
        self, path: str, *, options: ImportOptions, progress: Progress | None = None
    ) -> RetentionGraph:
        """See :func:`load_spidermonkey_gclog`."""
        return load_spidermonkey_gclog(path, options=options, progress=progress)
