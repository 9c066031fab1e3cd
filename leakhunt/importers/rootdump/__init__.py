"""Root dumps: what an embedder knows about its heap (``docs/rootdump.md``).

:class:`RootDumpImporter` reads standalone dumps as graphs; :func:`load_overlay` merges an
overlay dump into a snapshot's graph; :func:`read_root_dump` gives the validated records
(process tree, natives, edges) to anything else that needs them.
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import multiprocessing
import os

from leakhunt.errors import SnapshotFormatError
from leakhunt.graph.core import RetentionGraph
from leakhunt.importers.interface import ImportOptions, Progress
from leakhunt.importers.rootdump.overlay import OverlayResult, apply_overlay
from leakhunt.importers.rootdump.reader import RootDump, read_root_dump
from leakhunt.importers.rootdump.standalone import build_standalone_graph

__all__ = [
    "OverlayResult",
    "PendingDump",
    "RootDump",
    "RootDumpImporter",
    "apply_overlay",
    "load_overlay",
    "read_root_dump",
]


def _running_tasks() -> int | None:
    """Tasks runnable right now, this process included (Linux ``/proc/loadavg``), or None."""
    try:
        with open("/proc/loadavg", encoding="ascii") as stream:
            return int(stream.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def _idle_core() -> bool:
    """Whether a core is free for a second process now.

    Where the kernel says how many tasks are runnable this instant, a core is idle when they
    (this process among them) are fewer than the cores and the 1-minute load average leaves
    room beside this process: a run of commands keeps the average near 1 from the commands
    themselves, which does not mean the second core is busy. Elsewhere, only the load average,
    strictly: below the cores less one. (Benchmark, 300,000-edge record dump on a machine
    shared with other work: 5.0 s with the read beside the snapshot, 6.4–6.7 s in line.)
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    running = _running_tasks()
    if running is None:
        return load < cores - 1
    return cores > 1 and running < cores and load < cores


class PendingDump:
    """A root dump being read in a forked process while the caller does other work (loading
    the snapshot it will be merged into); :meth:`result` waits for it.

    Only when a core is idle (load average below the core count less one): on a busy machine
    the two processes share the same cores and the snapshot load slows by more than the dump
    read costs (measured: 4 s alone, 11 s beside the read). Where fork is not available or no
    core is free, the dump is read when :meth:`result` is called.
    """

    def __init__(self, path: str, *, lenient: bool = False) -> None:
        self.path = path
        self.lenient = lenient
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._future: concurrent.futures.Future[RootDump] | None = None
        if "fork" in multiprocessing.get_all_start_methods() and _idle_core():
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork")
            )
            self._future = self._executor.submit(read_root_dump, path, lenient=lenient)

    def result(self) -> RootDump:
        """The dump (or the error reading it raised)."""
        if self._future is None:
            return read_root_dump(self.path, lenient=self.lenient)
        try:
            return self._future.result()
        except concurrent.futures.process.BrokenProcessPool:
            return read_root_dump(self.path, lenient=self.lenient)
        finally:
            assert self._executor is not None
            self._executor.shutdown(wait=True)


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
