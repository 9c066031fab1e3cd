#!/usr/bin/env python3
"""Where an overlay's time goes, phase by phase, in fresh processes (issue 9).

    python3 bench/overlay_phases.py [--rounds 5] SNAPSHOT DUMP

Each round runs, each in a new process and in this order, ``plain`` (the snapshot alone),
``copy`` (the overlay merged into new arrays) and ``in-place`` (the snapshot read with room
after its columns, the overlay merged into it, as ``--overlay`` does on the command line).
Every run times the same phases as the command: the imports and, with an overlay, the start of
the dump's forked reader (``start``), the snapshot's load (``load``), the wait for the reader's
answer (``wait``), the merge (``merge``) and the dominator tree (``dominators``). A fresh process
per run matters: most of a first merge's cost on a virtual machine is memory touched for the
first time, which a warm process would not pay again. The table gives each phase's median and
range over the rounds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time

MODES = ("plain", "copy", "in-place")
PHASES = ("start", "load", "wait", "merge", "dominators", "total")


def one_run(mode: str, snapshot: str, dump: str) -> dict[str, float]:
    """The phases of one run of ``mode`` (in this process)."""
    began = time.perf_counter()
    from leakhunt.analyzers.dominators import compute_dominators
    from leakhunt.cache.session import open_input
    from leakhunt.importers.interface import ImportOptions
    from leakhunt.importers.rootdump import PendingDump, apply_overlay

    pending = PendingDump(dump) if mode != "plain" else None
    options = ImportOptions()
    if pending is not None and mode == "in-place":
        options = dataclasses.replace(
            options, node_room=pending.node_room, edge_room=pending.edge_room
        )
    started = time.perf_counter()
    loaded = open_input(snapshot, format=None, options=options, progress=None, cache=None)
    graph = loaded.graph
    del loaded
    read = time.perf_counter()
    answered = merged = read
    if pending is not None:
        result = pending.result()
        answered = time.perf_counter()
        graph = apply_overlay(graph, result, consume=mode == "in-place").graph
        merged = time.perf_counter()
    compute_dominators(graph)
    done = time.perf_counter()
    return {
        "start": started - began,
        "load": read - started,
        "wait": answered - read,
        "merge": merged - answered,
        "dominators": done - merged,
        "total": done - began,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshot")
    parser.add_argument("dump")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one, args.snapshot, args.dump)))
        return
    runs: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for round_number in range(1, args.rounds + 1):
        for mode in MODES:
            command = [sys.executable, __file__, "--one", mode, args.snapshot, args.dump]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            runs[mode].append(json.loads(output.splitlines()[-1]))
            phases = " ".join(f"{p} {runs[mode][-1][p]:.2f}" for p in PHASES)
            print(f"round {round_number}/{args.rounds} {mode}: {phases}", file=sys.stderr)
    print("| phase | " + " | ".join(f"`{mode}`" for mode in MODES) + " |")
    print("|---|" + "--:|" * len(MODES))
    for phase in PHASES:
        cells = []
        for mode in MODES:
            values = [run[phase] for run in runs[mode]]
            cells.append(f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})")
        print(f"| {phase} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
