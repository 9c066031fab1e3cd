#!/usr/bin/env python3
"""Timings of `contexts` and `zombies` against `top --no-cache` in the same run (issue 8).

Usage: python3 bench/contexts_bench.py [--repeat 3] [--vm-snapshot PATH] [SNAPSHOT]

SNAPSHOT defaults to bench/data/bench-s1.heapsnapshot. The 1,000-context snapshot is written
by `node --expose-gc bench/gen_vm_contexts.js 1000 PATH` when PATH does not exist. Every
command runs from the worktree (`python -m leakhunt`); warm rows reuse an index cache filled
by one unrecorded run. Prints one JSON object per row and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure

HERE = Path(__file__).resolve().parent


def leakhunt(*args: str) -> list[str]:
    return [sys.executable, "-m", "leakhunt", *args, "--quiet"]


def rows_for(snapshot: str, repeat: int, label: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as cache:
        commands = [
            ("top --no-cache", leakhunt("top", snapshot, "--no-cache"), 0),
            ("contexts --no-cache", leakhunt("contexts", snapshot, "--no-cache"), 0),
            ("zombies --no-cache", leakhunt("zombies", snapshot, "--no-cache"), 0),
            ("top (warm cache)", leakhunt("top", snapshot, "--cache-dir", cache), 1),
            ("contexts (warm cache)", leakhunt("contexts", snapshot, "--cache-dir", cache), 1),
            ("zombies (warm cache)", leakhunt("zombies", snapshot, "--cache-dir", cache), 1),
        ]
        for name, argv, warmup in commands:
            m = measure(
                name, argv, repeat=repeat, warmup=warmup, cwd=str(HERE.parent), stop_on_error=False
            )
            codes = sorted({r.returncode for r in m.runs})
            row = {
                "input": label,
                "command": name,
                "wall_s": round(m.wall_s, 3),
                "peak_rss_mb": round(m.peak_rss_mb),
                "exit": codes,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    anchor = rows[0]["wall_s"]
    for row in rows:
        row["x_top"] = round(float(row["wall_s"]) / float(anchor), 2)  # type: ignore[arg-type]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("snapshot", nargs="?", default=str(HERE / "data" / "bench-s1.heapsnapshot"))
    parser.add_argument(
        "--vm-snapshot", default=str(Path(tempfile.gettempdir()) / "leakhunt-vm1000.heapsnapshot")
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not Path(args.vm_snapshot).exists():
        subprocess.run(
            ["node", "--expose-gc", str(HERE / "gen_vm_contexts.js"), "1000", args.vm_snapshot],
            check=True,
        )
    rows = rows_for(args.snapshot, args.repeat, Path(args.snapshot).name)
    rows += rows_for(args.vm_snapshot, args.repeat, "1,000 vm contexts")
    print("| input | command | wall s | × top --no-cache | peak RSS MB | exit |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['input']} | `{row['command']}` | {row['wall_s']} | {row['x_top']} | {row['peak_rss_mb']} | {row['exit']} |"
        )


if __name__ == "__main__":
    main()
