#!/usr/bin/env python3
"""Benchmark of ``leakhunt diff`` and ``leakhunt gate`` against memlab ``find-leaks``, in one run.

    python3 bench/run_diff.py [--prefix PATH] [--repeat N] [--memlab-repeat N]

``--prefix`` names three snapshots ``PREFIX.{baseline,target,final}.heapsnapshot``; when they
are absent they are written by ``bench/gen_three.js`` (the benchmark heap of
``gen_snapshot.js`` at scale 1, ~200 MB each, around a 5,000-object leak with 20,000 transient
objects). Every command runs on the same three files, one after another, on this machine:

* memlab 2.0.5 ``find-leaks --baseline --target --final`` (its CLI, as a user runs it);
* ``leakhunt diff`` and ``leakhunt gate`` without the index cache (``--no-cache``);
* the same two with a warm index cache (one unrecorded run fills it).

Medians of wall time and peak RSS go to ``bench/results_diff.json`` and to the
``diff-gate`` block of ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measurement, measure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MEMLAB = BENCH / "node_modules" / "@memlab" / "cli" / "bin" / "memlab.js"
START, END = "<!-- diff-gate:start -->", "<!-- diff-gate:end -->"


def _files(prefix: str) -> list[str]:
    files = [f"{prefix}.{stage}.heapsnapshot" for stage in ("baseline", "target", "final")]
    if not all(os.path.exists(f) for f in files):
        subprocess.run(
            [
                "node",
                "--max-old-space-size=16384",
                "--expose-gc",
                str(BENCH / "gen_three.js"),
                prefix,
            ],
            check=True,
        )
    return files


def _row(
    m: Measurement,
    label: str,
    memlab: Measurement | None,
    diff: Measurement | None,
    tree_pss: float,
    memlab_pss: float,
) -> str:
    def ratio(value: float, ref: float | None) -> str:
        return f"{value / ref:.2f}×" if ref else "-"

    walls = [r.wall_s for r in m.runs]
    return (
        f"| {label} | {m.wall_s:.2f} s | {min(walls):.2f}–{max(walls):.2f} s "
        f"| {m.peak_rss_mb:,.0f} MB | {tree_pss:,.0f} MB "
        f"| {ratio(m.wall_s, memlab.wall_s if memlab else None)} "
        f"| {ratio(tree_pss, memlab_pss)} "
        f"| {ratio(m.wall_s, diff.wall_s if diff else None)} | {len(m.runs)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--prefix", default=str(Path(tempfile.gettempdir()) / "diffgate-bench" / "three")
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memlab-repeat", type=int, default=2)
    args = parser.parse_args()
    files = _files(args.prefix)
    python = sys.executable
    work = tempfile.mkdtemp(prefix="leakhunt-diff-bench-")
    cache = os.path.join(work, "cache")
    log = lambda line: print(line, flush=True)  # noqa: E731
    # Byte-compile leakhunt first, as installing it does: under PYTHONDONTWRITEBYTECODE (set in
    # some CI and sandbox environments) every run would otherwise recompile ~160 modules.
    compile_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [python, "-m", "compileall", "-q", str(ROOT / "leakhunt")], check=True, env=compile_env
    )
    results: dict[str, Measurement] = {}
    load_before = os.getloadavg()
    memlab_argv = [
        "node",
        "--expose-gc",
        "--max-old-space-size=16384",
        str(MEMLAB),
        "find-leaks",
        "--baseline",
        files[0],
        "--target",
        files[1],
        "--final",
        files[2],
        "--work-dir",
        os.path.join(work, "memlab"),
    ]
    cold = {
        "memlab": (memlab_argv, args.memlab_repeat),
        **{
            f"{command}-nocache": (
                [python, "-m", "leakhunt", command, "-q", "--no-cache", *files],
                args.repeat,
            )
            for command in ("diff", "gate")
        },
    }
    # Rounds of one run each, interleaved: on a shared machine the load drifts over minutes,
    # and running memlab's series apart from leakhunt's would put the drift into the ratios.
    for round_index in range(max(args.repeat, args.memlab_repeat)):
        for key, (argv, repeat) in cold.items():
            if round_index >= repeat:
                continue
            one = measure(
                key,
                argv,
                repeat=1,
                cwd=None if key == "memlab" else str(ROOT),
                stop_on_error=key == "memlab",
                log=log,
            )
            results[key] = (
                dataclasses.replace(results[key], runs=results[key].runs + one.runs)
                if key in results
                else one
            )
    for command in ("diff", "gate"):
        results[f"{command}-cached"] = measure(
            f"{command}-cached",
            [python, "-m", "leakhunt", command, "-q", "--cache-dir", cache, *files],
            repeat=args.repeat,
            warmup=1,
            cwd=str(ROOT),
            stop_on_error=False,
            log=log,
        )
    # Memory: one more run of each command with the process tree's PSS sampled (not timed:
    # sampling costs CPU on this small machine).
    memory: dict[str, float] = {}
    for key, measured in results.items():
        sampled = measure(
            f"{key} (memory)",
            list(measured.argv),
            repeat=1,
            cwd=None if key == "memlab" else str(ROOT),
            stop_on_error=False,
            log=log,
            sample_tree=True,
        )
        memory[key] = sampled.tree_pss_mb
    load_after = os.getloadavg()
    ok = {
        k: all(r.returncode in ((0, 1) if k.startswith("gate") else (0,)) for r in m.runs)
        for k, m in results.items()
    }
    (BENCH / "results_diff.json").write_text(
        json.dumps(
            {
                k: m.to_dict() | {"ok": ok[k], "tree_pss_mb": memory[k]}
                for k, m in results.items()
            },
            indent=2,
        )
        + "\n"
    )
    memlab = results["memlab"]
    labels = {
        "memlab": "**memlab 2.0.5 `find-leaks`** (CLI; parse ×3, paths, dominators, leak filter, clustering)",
        "diff-nocache": "**leakhunt diff**, no cache (parse BASE and FINAL, TARGET's node columns only, ids, dominators of BASE and FINAL, clusters; BASE in a second process on an idle core)",
        "gate-nocache": "**leakhunt gate**, no cache (diff + zombie, pinned-cycle, closure-context and detached-DOM checks on FINAL, run while BASE is reduced)",
        "diff-cached": "leakhunt diff from the index cache (one unrecorded run fills it; BASE and TARGET read as cached ids and classes, FINAL's graph and analyses)",
        "gate-cached": "leakhunt gate from the index cache (also FINAL's cached context analysis)",
    }
    sizes = ", ".join(f"{os.path.getsize(f) / 1e6:.0f} MB" for f in files)
    lines = [
        START,
        f"### diff and gate over three snapshots ({sizes}), measured {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (a loaded 2-core "
        "machine: absolute times vary by tens of percent between runs; ratios are of medians over "
        "interleaved rounds: memlab, diff, gate, memlab, …). "
        f"Load average (1 min) {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end. "
        "leakhunt byte-compiled beforehand (as an installed package is). Memory: the largest "
        "single process's peak RSS (`ru_maxrss`, median of the timed runs) and the peak PSS "
        "summed over the process tree from one more untimed run per command, sampled every "
        "100 ms from 0.6 s in (`diff` and `gate` reduce BASE in a forked process when a "
        "core is idle; PSS counts the pages the two share once); the ratio is of the tree sums.",
        "",
        "| command | median wall | range | peak RSS, largest process | peak PSS, process tree | wall / memlab | memory / memlab (tree PSS) | wall / same-mode diff | runs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, m in results.items():
        mode = "nocache" if key.endswith("nocache") else "cached"
        diff = results.get(f"diff-{mode}") if key.startswith("gate") else None
        lines.append(
            _row(
                m,
                labels[key] + ("" if ok[key] else " (FAILED)"),
                memlab,
                diff,
                memory[key],
                memory["memlab"],
            )
        )
    lines += ["", "Commands:", ""] + [f"- `{k}`: `{m.command}`" for k, m in results.items()] + [END]
    block = "\n".join(lines)
    results_md = BENCH / "RESULTS.md"
    text = results_md.read_text()
    if START in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    results_md.write_text(text)
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
