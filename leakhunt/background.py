"""Work done in a forked process on an idle core while this process does something else.

Reading a root dump beside the snapshot it belongs to, or reducing ``diff``'s BASE snapshot to
its identity while TARGET and FINAL load: each is independent work that a second core finishes
in the time the first spends on its own share. On a busy machine the two processes would share
the same cores and slow each other down by more than they save (measured: a 4 s snapshot load
took 11 s beside a dump read), so the work forks only when a core is idle, and otherwise runs in
line when its result is asked for. Either way the caller sees the same result or the same
exception (leakhunt's errors cross the process boundary intact).

Examples
--------
>>> Background(sum, [1, 2, 3]).result()
6
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

__all__ = ["JOBS_VARIABLE", "Background", "idle_core"]

T = TypeVar("T")
P = ParamSpec("P")


def running_tasks() -> int | None:
    """Tasks runnable right now, this process included (Linux ``/proc/loadavg``), or None."""
    try:
        with open("/proc/loadavg", encoding="ascii") as stream:
            return int(stream.read().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


JOBS_VARIABLE = "LEAKHUNT_JOBS"
"""``LEAKHUNT_JOBS=1`` keeps all work in one process (for example where memory is tight: two
processes each hold a graph)."""


_SAMPLES = 3
_SAMPLE_GAP_S = 0.005


def idle_core() -> bool:
    """Whether a core is free for a second process now (never under ``LEAKHUNT_JOBS=1``).

    Where the kernel says how many tasks are runnable, a core is idle when, in each of three
    looks 5 ms apart, they (this process among them) are fewer than the cores. The 1-minute load
    average is no guide there: it still counts the previous command of a script, or this
    command's own earlier second process, for a minute after they ended (measured: `gate` run
    right after `diff` stayed in one process and took 7.2 s instead of 5.7 s). Elsewhere, only
    the load average, strictly: below the cores less one. (Benchmark, 300,000-edge record dump
    on a machine shared with other work: 5.0 s with the read beside the snapshot, 6.4–6.7 s in
    line; a snapshot load beside a read on a busy machine: 11 s instead of 4 s.)
    """
    if os.environ.get(JOBS_VARIABLE, "").strip() == "1":
        return False
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    looks: list[int] = []
    for look in range(_SAMPLES):
        if look:
            time.sleep(_SAMPLE_GAP_S)
        running = running_tasks()
        if running is None:
            break
        looks.append(running)
    if len(looks) == _SAMPLES:
        return max(looks) < cores
    try:
        return os.getloadavg()[0] < cores - 1
    except OSError:
        return False


class Background(Generic[T]):
    """``work(*args, **kwargs)``, started in a forked process when a core is idle.

    :meth:`result` waits for it; where fork is not available, no core is free or the worker
    died, the work runs in line when :meth:`result` is called. ``work`` and its arguments and
    result must pickle (the worker's result is sent back).
    """

    def __init__(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
        self._call: Callable[[], T] = lambda: work(*args, **kwargs)
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._future: concurrent.futures.Future[T] | None = None
        if "fork" in multiprocessing.get_all_start_methods() and idle_core():
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork")
            )
            self._future = self._executor.submit(work, *args, **kwargs)

    @property
    def forked(self) -> bool:
        """Whether the work runs in another process."""
        return self._future is not None

    def result(self) -> T:
        """The work's result (or the exception it raised)."""
        if self._future is None:
            return self._call()
        try:
            return self._future.result()
        except concurrent.futures.process.BrokenProcessPool:
            return self._call()
        finally:
            assert self._executor is not None
            self._executor.shutdown(wait=True)
