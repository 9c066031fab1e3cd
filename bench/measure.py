#!/usr/bin/env python3
"""Wall time and peak RSS of child processes, median of N runs (stdlib only).

Library::

    from measure import measure, markdown_table
    m = measure("devtools", ["node", "bench/anchors/devtools.js", "snap.heapsnapshot"], repeat=3)
    m.wall_s, m.peak_rss_mb, m.output   # medians; the last run's parsed JSON line, if any

CLI::

    python3 bench/measure.py [-n 3] [--reference NAME] [--json] \\
        --cmd devtools 'node bench/anchors/devtools.js snap.heapsnapshot' \\
        --cmd floor 'python3 bench/floor_numpy.py snap.heapsnapshot'

Each run is one child process started without a shell (``shlex.split``), its output
sent to temporary files, and reaped with :func:`os.wait4`: wall time is measured around
spawn → reap, peak RSS is the child's ``ru_maxrss`` (KiB on Linux; reported in MiB,
written "MB"). ``ru_maxrss`` from ``wait4`` covers the child and any descendants it
waited for, so a wrapper that runs the real work in a subprocess is still measured.
It is the peak of the largest single process, though: for a command that runs two processes
at once (leakhunt's forked background work), ``sample_tree=True`` records ``tree_pss_mb``, the
peak of the proportional set size (PSS) *summed over the child's process tree*, sampled from
``/proc/PID/smaps_rollup`` (Linux; 0 elsewhere): pages a parent shares with its forked child
count once in the sum, where summed RSS would count them twice. Reading ``smaps_rollup`` walks
the page tables of every process, which costs CPU on a small machine and can change what the
measured command decides (leakhunt forks only when a core is idle, decided in its first half
second), so sampling starts 0.6 s in, reads every 100 ms, and is meant for separate memory
runs, not timed ones. A run too short to be sampled reports its ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Run:
    """One child process."""

    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout_tail: str  # last non-empty stdout line
    stderr_tail: str  # last lines of stderr, for failures
    tree_pss_mb: float = 0.0  # peak of the PSS summed over the process tree (sampled)


@dataclass(frozen=True)
class Measurement:
    """``repeat`` runs of one named command."""

    name: str
    argv: tuple[str, ...]
    runs: tuple[Run, ...]
    cwd: str | None = None
    output: dict | None = field(default=None)  # last run's stdout line, if it is JSON

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.returncode == 0 for r in self.runs)

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return statistics.median(r.peak_rss_mb for r in self.runs)

    @property
    def tree_pss_mb(self) -> float:
        return statistics.median(r.tree_pss_mb for r in self.runs)

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(
            ok=self.ok,
            wall_s=self.wall_s,
            peak_rss_mb=self.peak_rss_mb,
            tree_pss_mb=self.tree_pss_mb,
            command=self.command,
        )
        return d


_TAIL_LIMIT = 4096
_SAMPLE_DELAY_S = 0.6
_SAMPLE_S = 0.1


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as stream:
                found += [int(c) for c in stream.read().split()]
    except OSError:
        pass
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Peak of the PSS summed over ``pid`` and its descendants, until :meth:`stop`."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        if self._done.wait(_SAMPLE_DELAY_S):
            return
        while not self._done.wait(_SAMPLE_S):
            pending, total = [self.pid], 0
            while pending:
                pid = pending.pop()
                total += _pss_kib(pid)
                pending += _children(pid)
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak_kib / 1024


def run_once(
    argv: Sequence[str],
    *,
    cwd: str | None = None,
    env: dict | None = None,
    sample_tree: bool = False,
) -> Run:
    """Run ``argv`` once; wall time from spawn to reap, peak RSS from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env
        )
        sampler = _TreeSampler(proc.pid) if sample_tree else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        tree_mb = sampler.stop() if sampler is not None else 0.0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        lines = [ln for ln in out.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        err_text = err.read().decode("utf-8", "replace").strip().splitlines()
    return Run(
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        # Anchors print one short JSON line; a long last line is a report, not worth keeping.
        stdout_tail=lines[-1] if lines and len(lines[-1]) <= _TAIL_LIMIT else "",
        stderr_tail="\n".join(err_text[-5:]),
        tree_pss_mb=tree_mb or (usage.ru_maxrss / 1024 if sample_tree else 0.0),
    )


def _json_or_none(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def measure(
    name: str,
    argv: Sequence[str],
    *,
    repeat: int = 3,
    warmup: int = 0,
    cwd: str | None = None,
    env: dict | None = None,
    stop_on_error: bool = True,
    log=None,
    sample_tree: bool = False,
) -> Measurement:
    """Run ``argv`` ``warmup`` times unrecorded, then ``repeat`` times recorded.

    With ``stop_on_error`` the first failing run ends the series (a broken command is
    not retried). ``log``, if given, is called with one line per finished run.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    for _ in range(warmup):
        run_once(argv, cwd=cwd, env=env)
    runs = []
    for i in range(repeat):
        r = run_once(argv, cwd=cwd, env=env, sample_tree=sample_tree)
        runs.append(r)
        if log:
            log(
                f"{name} [{i + 1}/{repeat}] {r.wall_s:.2f} s  {r.peak_rss_mb:,.0f} MB"
                + ("" if r.returncode == 0 else f"  exit {r.returncode}: {r.stderr_tail}")
            )
        if r.returncode != 0 and stop_on_error:
            break
    return Measurement(
        name=name,
        argv=tuple(argv),
        runs=tuple(runs),
        cwd=cwd,
        output=_json_or_none(runs[-1].stdout_tail),
    )


def measure_all(pipelines: dict[str, Sequence[str]], **kwargs) -> dict[str, Measurement]:
    """Measure each named command in turn (insertion order)."""
    return {name: measure(name, argv, **kwargs) for name, argv in pipelines.items()}


def measure_interleaved(
    pipelines: dict[str, Sequence[str]],
    *,
    repeat: int = 3,
    warmup: int = 0,
    log=None,
) -> dict[str, Measurement]:
    """Measure the commands in rounds (each round runs every command once, in order), so that a
    machine whose speed drifts during the benchmark slows every command alike."""
    for _ in range(warmup):
        for argv in pipelines.values():
            run_once(argv)
    runs: dict[str, list[Run]] = {name: [] for name in pipelines}
    for i in range(repeat):
        for name, argv in pipelines.items():
            r = run_once(argv)
            runs[name].append(r)
            if log:
                log(
                    f"round {i + 1}/{repeat} {name} {r.wall_s:.2f} s  {r.peak_rss_mb:,.0f} MB"
                    + ("" if r.returncode == 0 else f"  exit {r.returncode}: {r.stderr_tail}")
                )
    return {
        name: Measurement(
            name=name, argv=tuple(argv), runs=tuple(runs[name]), cwd=None,
            output=_json_or_none(runs[name][-1].stdout_tail),
        )
        for name, argv in pipelines.items()
    }


def round_ratios(results: Sequence[Measurement], reference: str) -> dict[str, list[float]]:
    """Each command's wall time over the reference's in the same round (interleaved runs)."""
    ref = next(m for m in results if m.name == reference)
    return {
        m.name: [r.wall_s / q.wall_s for r, q in zip(m.runs, ref.runs)] for m in results
    }


def _ratio(x: float, ref: float | None) -> str:
    return f"{x / ref:.2f}×" if ref else "–"


def markdown_table(
    results: Sequence[Measurement],
    reference: str | None = None,
    labels: dict[str, str] | None = None,
) -> str:
    """A Markdown table: median wall, median peak RSS, ratios to ``reference``.

    ``labels`` may map a pipeline name to a longer description for the first column.
    A failed pipeline shows its exit code instead of numbers.
    """
    labels = labels or {}
    ref = next((m for m in results if m.name == reference and m.ok), None)
    ref_hdr = reference if ref else "ref"
    rows = [
        f"| pipeline | wall (median) | wall min–max | peak RSS (median) | wall vs {ref_hdr} | RSS vs {ref_hdr} | runs |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for m in results:
        label = labels.get(m.name, f"`{m.name}`")
        if not m.ok:
            code = next((r.returncode for r in m.runs if r.returncode != 0), None)
            rows.append(f"| {label} | failed (exit {code}) | | | | | {len(m.runs)} |")
            continue
        walls = [r.wall_s for r in m.runs]
        rows.append(
            f"| {label} | {m.wall_s:.2f} s | {min(walls):.2f}–{max(walls):.2f} s "
            f"| {m.peak_rss_mb:,.0f} MB "
            f"| {_ratio(m.wall_s, ref.wall_s if ref else None)} "
            f"| {_ratio(m.peak_rss_mb, ref.peak_rss_mb if ref else None)} | {len(m.runs)} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Median wall time and peak RSS of commands.")
    ap.add_argument(
        "--cmd",
        nargs=2,
        action="append",
        metavar=("NAME", "COMMAND"),
        required=True,
        help="a named command, split with shlex (no shell); repeatable",
    )
    ap.add_argument("-n", "--repeat", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=0, help="unrecorded runs before each series")
    ap.add_argument("--reference", help="pipeline name the ratios are computed against")
    ap.add_argument(
        "--interleave",
        action="store_true",
        help="run in rounds (every command once per round) and report per-round ratios",
    )
    ap.add_argument("--json", action="store_true", help="print JSON instead of a Markdown table")
    args = ap.parse_args(argv)

    names = [name for name, _ in args.cmd]
    if len(set(names)) != len(names):
        ap.error("pipeline names must be unique")
    run_all = measure_interleaved if args.interleave else measure_all
    results = run_all(
        {name: shlex.split(cmd) for name, cmd in args.cmd},
        repeat=args.repeat,
        warmup=args.warmup,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps([m.to_dict() for m in results.values()], indent=2))
    else:
        print(markdown_table(list(results.values()), args.reference))
        if args.interleave and args.reference:
            print()
            print(f"| pipeline | wall vs {args.reference} in the same round: median | each round |")
            print("|---|--:|---|")
            for name, ratios in round_ratios(list(results.values()), args.reference).items():
                each = " ".join(f"{r:.2f}" for r in ratios)
                print(f"| `{name}` | {statistics.median(ratios):.2f}× | {each} |")
    return 0 if all(m.ok for m in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
