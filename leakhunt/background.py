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

import contextlib
import multiprocessing
import os
import pickle
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
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


_PIPE_BYTES = 1 << 20


def _widen_pipe(connection: Connection) -> None:
    """Let the pipe hold 1 MiB instead of 64 KiB where Linux allows it: a 20 MB answer then
    crosses in 20 wake-ups of the writer instead of 300 (0.12-0.17 s down to a few hundredths,
    measured with a root dump's columns). Best effort: the default size works, only slower."""
    try:
        import fcntl
    except ImportError:
        return
    command = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if command is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(connection.fileno(), command, _PIPE_BYTES)


def _run_and_send(work: Callable[[], object], sender: Connection, receiver: Connection) -> None:
    """In the worker: run ``work`` and send ``(True, result)`` or ``(False, exception)``."""
    receiver.close()  # so that the pipe breaks, not blocks, once the caller is gone
    try:
        outcome: tuple[bool, object] = (True, work())
    except BaseException as exc:  # every failure goes back to the caller, which re-raises it
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        # The caller is gone (broken pipe), or the outcome does not pickle: the caller sees
        # the pipe close without an answer and does the work itself.
        pass
    finally:
        sender.close()


class Background(Generic[T]):
    """``work(*args, **kwargs)``, started in a forked process when a core is idle.

    :meth:`result` waits for it; where fork is not available, no core is free or the worker
    died without an answer, the work runs in line when :meth:`result` is called. ``work``'s
    result and exceptions must pickle (they are sent back). :meth:`close` ends a worker whose
    result is no longer wanted (the caller failed first); use the object as a context manager
    so that no worker outlives its caller.
    """

    def __init__(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> None:
        self._call: Callable[[], T] = lambda: work(*args, **kwargs)
        self._process: BaseProcess | None = None
        self._receiver: Connection | None = None
        self._forked = False
        if "fork" in multiprocessing.get_all_start_methods() and idle_core():
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            _widen_pipe(receiver)
            self._process = context.Process(
                target=_run_and_send, args=(self._call, sender, receiver), daemon=True
            )
            self._process.start()
            sender.close()
            self._receiver = receiver
            self._forked = True

    @property
    def forked(self) -> bool:
        """Whether the work runs (or ran) in another process."""
        return self._forked

    def result(self) -> T:
        """The work's result (or the exception it raised)."""
        if self._process is None or self._receiver is None:
            return self._call()
        try:
            ok, value = self._receiver.recv()
            self._process.join(timeout=5.0)  # it only has to exit
        except Exception:
            # The worker died without an answer (killed, out of memory), or its answer does
            # not unpickle here: doing the work in line gives the real result or exception.
            ok, value = None, None
        finally:
            self.close()
        if ok is None:
            return self._call()
        if ok:
            return value  # type: ignore[no-any-return]
        raise value

    def close(self) -> None:
        """End the worker (if it is still running) and release the pipe."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._process = None
        if self._receiver is not None:
            self._receiver.close()
            self._receiver = None

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
