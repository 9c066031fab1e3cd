#!/usr/bin/env python3
"""leakhunt benchmark runner: anchors, floors and leakhunt on one V8 snapshot.

    python3 bench/run.py [--snapshot PATH] [--scale S] [--repeat N] [--only NAME ...]
                         [--regenerate] [--no-write]

* ``--snapshot`` defaults to ``bench/data/bench-s<scale>.heapsnapshot``; when the file
  is absent (or with ``--regenerate``) it is generated with ``bench/gen_snapshot.js``,
  and the generation itself is timed (one run) and recorded next to the snapshot.
* Every pipeline in :data:`PIPELINES` (or those named by ``--only``) is run ``--repeat``
  times by :mod:`measure`; median wall time and peak RSS are kept.
* Results are merged into ``bench/results.json`` (per snapshot, per pipeline, so an
  ``--only`` run refreshes only its rows) and the snapshot's block in
  ``bench/RESULTS.md`` is re-rendered, with the exact commands and machine info.

Commands run from the repository root; ``{snapshot}`` in a pipeline is replaced by the
snapshot path relative to it, ``{python}`` by this interpreter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measurement, Run, markdown_table, measure, run_once

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "RESULTS.md"
NODE = "node"
NODE_FLAGS = ("--max-old-space-size=16384",)


@dataclass(frozen=True)
class Pipeline:
    argv: tuple[str, ...]  # may contain {snapshot} and {python}
    label: str  # first column of the table
    warmup: int = 0  # unrecorded runs first (e.g. to fill leakhunt's index cache)


# ---------------------------------------------------------------------------------
# The registry. Order is the row order of the table. REFERENCE is the ratio baseline.
PIPELINES: dict[str, Pipeline] = {
    "devtools": Pipeline(
        (NODE, *NODE_FLAGS, "bench/anchors/devtools.js", "{snapshot}"),
        "**Chrome DevTools model** (heap-snapshot-toolkit 1.1.3: parse + full init incl. dominators)",
    ),
    "memlab": Pipeline(
        (NODE, *NODE_FLAGS, "bench/anchors/memlab.js", "{snapshot}"),
        "**memlab 2.0.5 API** (parse + shortest paths + dominators)",
    ),
    "node-json-parse": Pipeline(
        (NODE, *NODE_FLAGS, "bench/floor_node.js", "{snapshot}"),
        "Node `JSON.parse` only (floor for JavaScript tools)",
    ),
    "numpy-floor": Pipeline(
        ("{python}", "bench/floor_numpy.py", "{snapshot}"),
        "**Python parse floor**: `np.fromstring(sep=',')` on nodes/edges + `json` for strings",
    ),
    "numpy-split": Pipeline(
        ("{python}", "bench/floor_numpy.py", "--method", "split", "{snapshot}"),
        "Python parse, `np.array(bytes.split(b','))` variant (slower; for comparison)",
    ),
    "leakhunt-import": Pipeline(
        ("{python}", "bench/leakhunt_load.py", "{snapshot}"),
        "**leakhunt importer alone** (`load_graph`: streaming parse into columns, roots, WeakMap pairs, realms)",
    ),
    "leakhunt-load": Pipeline(
        ("{python}", "-m", "leakhunt", "summary", "{snapshot}", "--no-cache", "--format", "json"),
        "**leakhunt summary**, no cache (load: streaming parse into columns + summary)",
    ),
    "leakhunt-top": Pipeline(
        ("{python}", "-m", "leakhunt", "top", "{snapshot}", "--no-cache", "--format", "json"),
        "**leakhunt top**, no cache (load + distances + dominators + retained sizes, DevTools semantics)",
    ),
    "leakhunt-top-cached": Pipeline(
        (
            "{python}",
            "-m",
            "leakhunt",
            "top",
            "{snapshot}",
            "--cache-dir",
            "bench/data/cache",
            "--format",
            "json",
        ),
        "leakhunt top from the index cache (one unrecorded run fills it)",
        warmup=1,
    ),
    "leakhunt-paths-cached": Pipeline(
        (
            "{python}",
            "-m",
            "leakhunt",
            "paths",
            "{snapshot}",
            "name:probe",
            "--cache-dir",
            "bench/data/cache",
            "--format",
            "json",
        ),
        "leakhunt paths to the zombie-context `probe` closures from the index cache (one unrecorded run fills it)",
        warmup=1,
    ),
    "leakhunt-paths-class-cached": Pipeline(
        (
            "{python}",
            "-m",
            "leakhunt",
            "paths",
            "{snapshot}",
            "class:Session",
            "--cache-dir",
            "bench/data/cache",
            "--format",
            "json",
        ),
        "leakhunt paths to all 93,334 `Session` objects (62 MB of JSON) from the index cache",
        warmup=1,
    ),
}
REFERENCE = "devtools"
# ---------------------------------------------------------------------------------


def default_snapshot(scale: float) -> Path:
    return DATA / f"bench-s{scale:g}.heapsnapshot"


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path.resolve())


def expand(p: Pipeline, snapshot: Path) -> list[str]:
    subst = {"{snapshot}": rel(snapshot), "{python}": sys.executable}
    return [subst.get(a, a) for a in p.argv]


def snapshot_header(path: Path) -> dict:
    """Size and counts from the first few KB of a snapshot (no full parse)."""
    with path.open("rb") as fh:
        head = fh.read(8192).decode("utf-8", "replace")
    counts = {
        k: int(m.group(1))
        for k in ("node_count", "edge_count")
        if (m := re.search(rf'"{k}":(\d+)', head))
    }
    return {"bytes": path.stat().st_size, **counts}


def _cmd_version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unavailable"


def _package_version(name: str) -> str:
    try:
        return json.loads((BENCH / "node_modules" / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def machine_info() -> dict:
    mem_kib = 0
    cpu = platform.processor() or "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        mem_kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        m = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = m.group(1).strip() if m else cpu
    except (OSError, AttributeError):
        pass
    try:
        import numpy

        numpy_version = numpy.__version__
    except ImportError:
        numpy_version = "not installed"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "ram_gib": round(mem_kib / 2**20, 1),
        "cpu": cpu,
        "kernel": f"{platform.system()} {platform.release()}",
        "node": _cmd_version([NODE, "--version"]),
        "python": platform.python_version(),
        "numpy": numpy_version,
        "heap-snapshot-toolkit": _package_version("heap-snapshot-toolkit"),
        "memlab": _package_version("memlab"),
        "loadavg_1m_at_start": round(os.getloadavg()[0], 2),
    }


def generate(snapshot: Path, scale: float) -> dict:
    """Write the snapshot with gen_snapshot.js (one timed run); return its record."""
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        NODE,
        *NODE_FLAGS,
        "--expose-gc",
        "bench/gen_snapshot.js",
        "--scale",
        f"{scale:g}",
        rel(snapshot),
    ]
    print(f"generating: {shlex.join(argv)}", file=sys.stderr, flush=True)
    run = run_once(argv, cwd=str(ROOT))
    if run.returncode != 0:
        sys.exit(f"generation failed (exit {run.returncode}):\n{run.stderr_tail}")
    record = {
        "command": shlex.join(argv),
        "wall_s": run.wall_s,
        "peak_rss_mb": run.peak_rss_mb,
        "generator": json.loads(run.stdout_tail),
    }
    print(f"generated in {run.wall_s:.2f} s, {run.peak_rss_mb:,.0f} MB", file=sys.stderr)
    return record


# ---------------------------------------------------------------------------------
# results.json: {snapshot label: {"snapshot": {...}, "generation": {...}|None,
#                                 "pipelines": {name: measurement dict + machine + date}}}


def load_results() -> dict:
    try:
        return json.loads(RESULTS_JSON.read_text())
    except FileNotFoundError:
        return {}


def _measurement_from(d: dict) -> Measurement:
    return Measurement(
        name=d["name"],
        argv=tuple(d["argv"]),
        cwd=d.get("cwd"),
        runs=tuple(Run(**r) for r in d["runs"]),
        output=d.get("output"),
    )


def _fmt_mb(x: float) -> str:
    return f"{x:,.0f} MB"


def _cross_check(entries: dict, header: dict) -> list[str]:
    """Lines comparing node counts and root retained sizes reported by the pipelines."""
    outs = {n: e["output"] for n, e in entries.items() if e.get("ok") and e.get("output")}
    lines = []
    counts = {n: o.get("node_count") for n, o in outs.items() if "node_count" in o}
    bad = {n: c for n, c in counts.items() if c != header.get("node_count")}
    if counts:
        lines.append(
            f"- node count {header.get('node_count'):,} (header) "
            + (
                "matched by every pipeline that reports it: " + ", ".join(counts)
                if not bad
                else f"**mismatch**: {bad}"
            )
        )
    roots = {n: o["root_retained_size"] for n, o in outs.items() if "root_retained_size" in o}
    totals = {n: o["self_size_total"] for n, o in outs.items() if "self_size_total" in o}
    if roots or totals:
        parts = [f"{n} {v:,.0f}" for n, v in roots.items()]
        parts += [f"{n} Σ self {v:,}" for n, v in totals.items()]
        agree = len({int(v) for v in [*roots.values(), *totals.values()]}) == 1
        lines.append(
            "- root retained size: "
            + "; ".join(parts)
            + (" (all equal)" if agree else " (**differ**)")
        )
    tops = {n: o["top"] for n, o in outs.items() if isinstance(o.get("top"), dict)}
    for n, t in tops.items():
        lines.append(
            f"- {n}: largest non-root retainer `{t.get('name')}` @{t.get('id')}, "
            f"{t.get('retained_size'):,.0f} bytes"
        )
    return lines


def render_block(label: str, rec: dict) -> str:
    header = rec["snapshot"]
    entries = rec["pipelines"]
    order = [n for n in PIPELINES if n in entries] + [n for n in entries if n not in PIPELINES]
    measured = [_measurement_from(entries[n]) for n in order]
    labels = {n: p.label for n, p in PIPELINES.items()}
    machines = {
        json.dumps(
            {k: v for k, v in entries[n]["machine"].items() if not k.startswith("loadavg")},
            sort_keys=True,
        )
        for n in order
    }
    latest = max(order, key=lambda n: entries[n]["date"]) if order else None

    out = [f"### Snapshot `{label}`", ""]
    out.append(
        f"`{header['path']}`: {header['bytes']:,} bytes ({header['bytes'] / 1e6:.1f} MB), "
        f"{header.get('node_count', 0):,} nodes, {header.get('edge_count', 0):,} edges"
        + (f", scale {header['scale']:g}" if header.get("scale") else "")
        + "."
    )
    gen = rec.get("generation")
    if gen:
        g = gen["generator"]
        out += [
            "",
            f"Generation (one run): **{gen['wall_s']:.2f} s wall, "
            f"{_fmt_mb(gen['peak_rss_mb'])} peak RSS** "
            f"(heap build {g['build_s']:.2f} s, `writeHeapSnapshot` {g['write_s']:.2f} s, "
            f"JS heap used {g['js_heap_used'] / 1e6:.1f} MB) — `{gen['command']}`",
        ]
    out += ["", markdown_table(measured, REFERENCE, labels), ""]
    pending = [n for n in PIPELINES if n not in entries]
    if pending:
        out += ["Registered but not measured yet: " + ", ".join(f"`{n}`" for n in pending), ""]
    out += ["Commands (run from the repository root):", ""]
    out += [f"- `{n}`: `{entries[n]['command']}`" for n in order]
    checks = _cross_check(entries, header)
    if checks:
        out += ["", "Cross-check of the pipelines' own output:", "", *checks]
    if latest:
        m = entries[latest]["machine"]
        out += [
            "",
            f"Machine ({entries[latest]['date']}): {m['nproc']} CPUs ({m['cpu']}), "
            f"{m['ram_gib']} GiB RAM, {m['kernel']}; node {m['node']}, "
            f"Python {m['python']}, numpy {m['numpy']}, "
            f"heap-snapshot-toolkit {m['heap-snapshot-toolkit']}, memlab {m['memlab']}; "
            f"1-minute load average {m['loadavg_1m_at_start']} at the start.",
        ]
        if len(machines) > 1:
            out.append(
                "**Rows were measured on different machines or toolchains**; "
                "see `bench/results.json`."
            )
    return "\n".join(out)


BEGIN = "<!-- bench:results:begin {label} -->"
END = "<!-- bench:results:end {label} -->"
PLACEHOLDER = "<!-- bench:results:insert -->"


def write_results_md(label: str, block: str) -> None:
    """Replace this snapshot's generated block in RESULTS.md (or add it)."""
    begin, end = BEGIN.format(label=label), END.format(label=label)
    text = (
        RESULTS_MD.read_text() if RESULTS_MD.exists() else f"# Benchmark results\n\n{PLACEHOLDER}\n"
    )
    new = f"{begin}\n{block}\n{end}"
    if begin in text and end in text:
        i, j = text.index(begin), text.index(end) + len(end)
        text = text[:i] + new + text[j:]
    elif PLACEHOLDER in text:
        text = text.replace(PLACEHOLDER, f"{new}\n\n{PLACEHOLDER}")
    else:
        text = text.rstrip("\n") + f"\n\n{new}\n"
    RESULTS_MD.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snapshot", type=Path, help="snapshot to measure (generated if absent)")
    ap.add_argument("--scale", type=float, default=1.0, help="generator scale (default 1: ~200 MB)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=list(PIPELINES),
        help=f"pipelines to run (default: all of {', '.join(PIPELINES)})",
    )
    ap.add_argument(
        "--regenerate", action="store_true", help="write the snapshot even if it exists"
    )
    ap.add_argument(
        "--no-write", action="store_true", help="print the block; leave results files alone"
    )
    args = ap.parse_args(argv)

    if not (BENCH / "node_modules").is_dir():
        sys.exit(
            "bench/node_modules is missing: run `cd bench && PUPPETEER_SKIP_DOWNLOAD=1 npm install`"
        )
    snapshot = (args.snapshot or default_snapshot(args.scale)).resolve()
    label = snapshot.name.removesuffix(".heapsnapshot")
    results = load_results()
    rec = results.setdefault(label, {"pipelines": {}})
    if args.regenerate or not snapshot.exists():
        rec = results[label] = {"pipelines": {}, "generation": generate(snapshot, args.scale)}
    header = {"path": rel(snapshot), **snapshot_header(snapshot)}
    if any(
        rec.get("snapshot", header).get(k) != header.get(k)
        for k in ("bytes", "node_count", "edge_count")
    ):
        # The file changed outside run.py: earlier rows and generation timing no longer apply.
        rec = results[label] = {"pipelines": {}}
    if rec.get("generation"):
        header["scale"] = rec["generation"]["generator"]["scale"]
    rec["snapshot"] = header

    machine = machine_info()
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for name in args.only or list(PIPELINES):
        m = measure(
            name,
            expand(PIPELINES[name], snapshot),
            repeat=args.repeat,
            warmup=PIPELINES[name].warmup,
            cwd=str(ROOT),
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        rec["pipelines"][name] = {**m.to_dict(), "machine": machine, "date": date}

    block = render_block(label, rec)
    print(block)
    if not args.no_write:
        RESULTS_JSON.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        write_results_md(label, block)
    return 0 if all(e["ok"] for e in rec["pipelines"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
