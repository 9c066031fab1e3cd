#!/usr/bin/env python3
"""leakhunt on a large GJS heap dump: ``summary`` and ``paths`` to every ``Session``.

    python3 bench/spidermonkey.py [--dump PATH] [--sessions N] [--repeat N]
                                  [--only NAME ...] [--regenerate] [--no-write]

The SpiderMonkey case of issue 4 (part 5): on an ~80 MB ``System.dumpHeap()`` log
(~700 k cells, ~1.8 M edges), ``leakhunt summary`` plus ``leakhunt paths FILE class:Session``
(all 100 k instances, JSON to /dev/null) within 4 s and 0.5 GB.

* ``--dump`` defaults to ``bench/data/gjs-scale-<N>.heap`` (``N = --sessions``, default
  100 000); when absent, or with ``--regenerate``, it is written by
  ``fixtures/spidermonkey/generate.sh --scale N`` (needs ``gjs``) and the generation is
  timed once.
* Every pipeline in :data:`PIPELINES` runs ``--repeat`` times under :mod:`measure` (median
  wall time and peak RSS of the whole process tree, so ``sh -c`` rows count the shell's
  children). JSON goes to ``/dev/null`` through the shell: ``-o /dev/null`` would make
  leakhunt replace the device with its temporary file.
* Results are merged into ``bench/results.json`` under the dump's label and rendered into
  ``bench/RESULTS.md`` between ``bench:results`` markers of that label.

The existing analysers (GJS ``tools/heapgraph.py``, amccreight ``heapgraph/find_roots.py``)
are published on GitHub only, in no package registry, so they are not run here; the block
quotes the reference document's measurements of them instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measurement, markdown_table, measure, run_once
from run import RESULTS_JSON, ROOT, _measurement_from, machine_info, rel, write_results_md

DATA = ROOT / "bench" / "data"
GENERATE = ROOT / "fixtures" / "spidermonkey" / "generate.sh"
CACHE = DATA / "cache-spidermonkey"


@dataclass(frozen=True)
class Pipeline:
    argv: tuple[str, ...]  # may contain {dump}, {python} and {cache}
    label: str
    warmup: int = 0


_LEAKHUNT = '"$0" -m leakhunt'
PIPELINES: dict[str, Pipeline] = {
    "summary": Pipeline(
        ("{python}", "-m", "leakhunt", "summary", "{dump}", "--no-cache", "--quiet"),
        "**leakhunt summary**, no cache",
    ),
    "paths-json": Pipeline(
        (
            "sh",
            "-c",
            f'{_LEAKHUNT} paths "$1" class:Session --no-cache --quiet --format json > /dev/null',
            "{python}",
            "{dump}",
        ),
        "**leakhunt paths class:Session** (100 k targets), JSON to /dev/null, no cache",
    ),
    "summary+paths-json": Pipeline(
        (
            "sh",
            "-c",
            f'{_LEAKHUNT} summary "$1" --no-cache --quiet > /dev/null && '
            f'{_LEAKHUNT} paths "$1" class:Session --no-cache --quiet --format json > /dev/null',
            "{python}",
            "{dump}",
        ),
        "**summary, then paths class:Session** (JSON), one after the other, no cache",
    ),
    "paths-text": Pipeline(
        (
            "sh",
            "-c",
            f'{_LEAKHUNT} paths "$1" class:Session --no-cache --quiet > /dev/null',
            "{python}",
            "{dump}",
        ),
        "leakhunt paths class:Session, text (first 20 targets printed), no cache",
    ),
    "summary+paths-text": Pipeline(
        (
            "sh",
            "-c",
            f'{_LEAKHUNT} summary "$1" --no-cache --quiet > /dev/null && '
            f'{_LEAKHUNT} paths "$1" class:Session --no-cache --quiet > /dev/null',
            "{python}",
            "{dump}",
        ),
        "**summary, then paths class:Session** (text), one after the other, no cache",
    ),
    "summary+paths-text-as-a-user": Pipeline(
        (
            "sh",
            "-c",
            f'rm -rf "$2" && {_LEAKHUNT} summary "$1" --cache-dir "$2" --quiet > /dev/null && '
            f'{_LEAKHUNT} paths "$1" class:Session --cache-dir "$2" --quiet > /dev/null',
            "{python}",
            "{dump}",
            "{cache}",
        ),
        "**summary, then paths class:Session** (text) as a user runs them: the first fills "
        "the index cache, the second starts from it (cache emptied before each run)",
    ),
    "paths-json-cached": Pipeline(
        (
            "sh",
            "-c",
            f'{_LEAKHUNT} paths "$1" class:Session --cache-dir "$2" --quiet --format json '
            "> /dev/null",
            "{python}",
            "{dump}",
            "{cache}",
        ),
        "leakhunt paths class:Session, JSON, from the index cache (one unrecorded run fills it)",
        warmup=1,
    ),
}
"""Rows of the table, in order."""

REFERENCE_FIGURES = """\
Reference figures (`shared/reference/spidermonkey-gc-log.md` §8: a 2-core machine, Python
3.11, real GJS mozjs-102 dumps; **one** target unless stated):

| Dump | Cells / edges | GJS `heapgraph.py` | amccreight `find_roots.py` | one BFS from all roots (plain Python) |
|---|---|---|---|---|
| 2.4 MB, 2,014 targets | 19 k / 54 k | 35.6 s, 47 MB | 55.5 s, 44 MB | — |
| 16.9 MB, 1 target | 145 k / 378 k | 2.6 s, 242 MB | 1.9–2.1 s, 228 MB | 0.8 s, 100 MB |
| 16.9 MB, 20,014 targets | 145 k / 378 k | same algorithm | ≈ 1.6 h (401 targets in 120 s) | 0.8 s |
| 80.8 MB, 1 target | 705 k / 1.82 M | 14.6–16.2 s, 1.17 GB | 11.0–12.6 s, 1.12 GB | 4.0 s, 0.44 GB |

Neither tool is in a package registry (GitHub only), so neither is re-run here."""


def default_dump(sessions: int) -> Path:
    size = f"{sessions // 1000}k" if sessions % 1000 == 0 else str(sessions)
    return DATA / f"gjs-scale-{size}.heap"


def expand(pipeline: Pipeline, dump: Path) -> list[str]:
    subst = {"{dump}": rel(dump), "{python}": sys.executable, "{cache}": rel(CACHE)}
    return [subst.get(a, a) for a in pipeline.argv]


def generate(dump: Path, sessions: int) -> dict:
    dump.parent.mkdir(parents=True, exist_ok=True)
    argv = ["bash", str(GENERATE), "--scale", str(sessions), str(dump.resolve())]
    print(f"generating: {shlex.join(argv)}", file=sys.stderr, flush=True)
    run = run_once(argv, cwd=str(ROOT))
    if run.returncode != 0:
        sys.exit(f"generation failed (exit {run.returncode}):\n{run.stderr_tail}")
    return {"command": shlex.join(argv), "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb}


def dump_header(dump: Path) -> dict:
    """Size and line counts of the dump (one pass, no parsing)."""
    counts = {"cells": 0, "edges": 0, "roots": 0, "dumps": 0}
    section = ""
    with dump.open("rb") as lines:
        for line in lines:
            if line.startswith(b"# Roots."):
                counts["dumps"] += 1
                section = "roots"
            elif line.startswith(b"=========="):
                section = "heap"
            elif line.startswith(b"#"):
                section = "heap" if section == "heap" else "weak maps"
            elif section == "roots":
                counts["roots"] += 1
            elif section == "heap":
                counts["edges" if line.startswith(b">") else "cells"] += 1
    return {"path": rel(dump), "bytes": dump.stat().st_size, **counts}


def render_block(label: str, record: dict) -> str:
    header = record["dump"]
    entries = record["pipelines"]
    order = [n for n in PIPELINES if n in entries]
    measured: list[Measurement] = [_measurement_from(entries[n]) for n in order]
    labels = {n: p.label for n, p in PIPELINES.items()}
    out = [
        f"### GJS heap dump `{label}` (SpiderMonkey GC log)",
        "",
        f"`{header['path']}`: {header['bytes']:,} bytes ({header['bytes'] / 1e6:.1f} MB), "
        f"{header['cells']:,} cells, {header['edges']:,} edge lines, {header['roots']:,} root "
        f"lines, {header['dumps']} dump; written by `fixtures/spidermonkey/scale.js` "
        "(gjs 1.74.2, mozjs-102) with N `Session` objects in a global `Map`.",
    ]
    generation = record.get("generation")
    if generation:
        out += [
            "",
            f"Generation (one run): {generation['wall_s']:.2f} s wall, "
            f"{generation['peak_rss_mb']:,.0f} MB peak RSS — `{generation['command']}`",
        ]
    out += ["", markdown_table(measured, None, labels), ""]
    out += ["Commands (run from the repository root):", ""]
    out += [f"- `{n}`: `{entries[n]['command']}`" for n in order]
    if order:
        machine = entries[order[-1]]["machine"]
        out += [
            "",
            f"Machine ({entries[order[-1]]['date']}): {machine['nproc']} CPUs "
            f"({machine['cpu']}), {machine['ram_gib']} GiB RAM, {machine['kernel']}; "
            f"Python {machine['python']}, numpy {machine['numpy']}; 1-minute load average "
            f"{machine['loadavg_1m_at_start']} at the start.",
        ]
    out += ["", REFERENCE_FIGURES]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dump", type=Path, help="GC log to measure (generated if absent)")
    ap.add_argument("--sessions", type=int, default=100_000, help="N for scale.js")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="+", metavar="NAME", choices=list(PIPELINES))
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print the block only")
    args = ap.parse_args(argv)

    dump = (args.dump or default_dump(args.sessions)).resolve()
    label = dump.name.removesuffix(".heap")
    generation = None
    if args.regenerate or not dump.exists():
        generation = generate(dump, args.sessions)
    header = dump_header(dump)
    machine = machine_info()
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = {}
    for name in args.only or list(PIPELINES):
        pipeline = PIPELINES[name]
        result = measure(
            name,
            expand(pipeline, dump),
            repeat=args.repeat,
            warmup=pipeline.warmup,
            cwd=str(ROOT),
            env={**os.environ, "LEAKHUNT_CACHE_DIR": str(CACHE)},
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        rows[name] = {**result.to_dict(), "machine": machine, "date": date}
    # results.json is read only now: a child's peak RSS includes this process's at fork time.
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    record = results.get(label, {"pipelines": {}})
    if generation is not None or record.get("dump", header) != header:
        record = {"pipelines": {}}  # a new or changed file: earlier rows no longer apply
    if generation is not None:
        record["generation"] = generation
    record["dump"] = header
    record["pipelines"].update(rows)
    del results
    block = render_block(label, record)
    print(block)
    if not args.no_write:
        # Re-read right before writing: bench/run.py may have added other blocks meanwhile.
        latest = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
        latest[label] = record
        RESULTS_JSON.write_text(json.dumps(latest, indent=1, sort_keys=True) + "\n")
        write_results_md(label, block)
    return 0 if all(e["ok"] for e in record["pipelines"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
