#!/usr/bin/env python3
"""Python parse floor for V8 ``.heapsnapshot`` files (reference doc §10).

    python3 bench/floor_numpy.py [--method fromstring|split] SNAPSHOT

Reads the snapshot header, locates the ``"nodes":[`` and ``"edges":[`` arrays and the
``"strings":[`` array, parses the two numeric arrays into flat int64 numpy arrays and
the strings with :func:`json.loads`. Nothing else: no graph, no analysis. Whatever a
Python importer does beyond this costs more than this floor.

Only one numeric section is held as text at a time (it is read straight from its file
offset), so the peak is about the two int64 arrays plus the larger text section.

``--method`` picks the text → int64 step:

* ``fromstring`` (default, fastest measured): ``np.fromstring(text, sep=',', count=n)``,
  with ``n`` checked by counting commas first (``fromstring`` silently pads a short
  input with garbage when ``count`` is too large, and reallocates when it is absent).
* ``split``: ``np.array(text.split(b','), dtype=np.int64)``, about 4x slower and
  2x the memory; kept to re-measure the choice.

Prints one JSON line: counts, total self size (equal to the root's retained size in
DevTools and memlab), and per-phase seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK = 16 << 20
HEADER_LIMIT = 1 << 20


@dataclass(frozen=True)
class Sections:
    """Byte offsets of the parts of a snapshot file this floor reads."""

    meta: dict
    node_count: int
    edge_count: int
    nodes: tuple[int, int]  # [start, end) of the text between the brackets
    edges: tuple[int, int]
    strings: int  # offset of the strings array's "["
    size: int


def _find(fh, needle: bytes, start: int) -> int:
    """Offset of the first ``needle`` at or after ``start``, by chunked reads."""
    fh.seek(start)
    pos = start
    tail = b""
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            raise ValueError(f"{needle!r} not found after offset {start}")
        buf = tail + chunk
        i = buf.find(needle)
        if i >= 0:
            return pos - len(tail) + i
        keep = len(needle) - 1
        tail = buf[-keep:] if keep else b""
        pos += len(chunk)


def locate(path: Path) -> Sections:
    """Scan once for the section markers; read ``snapshot.meta`` and the counts."""
    with path.open("rb") as fh:
        head = fh.read(HEADER_LIMIT)
        marker = b'"nodes":['
        i = head.find(marker)
        if not head.startswith(b'{"snapshot":') or i < 0:
            raise ValueError(f"{path}: not a V8 heap snapshot (no snapshot header)")
        snapshot = json.loads(head[len(b'{"snapshot":') : head.rfind(b"}", 0, i) + 1])
        nodes_start = i + len(marker)
        nodes_end = _find(fh, b"]", nodes_start)
        edges_start = _find(fh, b'"edges":[', nodes_end) + len(b'"edges":[')
        edges_end = _find(fh, b"]", edges_start)
        strings = _find(fh, b'"strings":[', edges_end) + len(b'"strings":')
        size = fh.seek(0, 2)
    return Sections(
        meta=snapshot["meta"],
        node_count=snapshot["node_count"],
        edge_count=snapshot["edge_count"],
        nodes=(nodes_start, nodes_end),
        edges=(edges_start, edges_end),
        strings=strings,
        size=size,
    )


def _read(fh, span: tuple[int, int]) -> bytes:
    fh.seek(span[0])
    return fh.read(span[1] - span[0])


def parse_ints(text: bytes, expected: int, method: str = "fromstring") -> np.ndarray:
    """Comma-separated non-negative integers (newlines allowed) → int64 array."""
    if method == "split":
        out = np.array(text.split(b","), dtype=np.int64) if text.strip() else np.empty(0, np.int64)
    else:
        n = text.count(b",") + 1 if text.strip() else 0
        if n != expected:
            raise ValueError(f"expected {expected} numbers, found {n}")
        out = np.fromstring(text, dtype=np.int64, sep=",", count=n)
    if len(out) != expected:
        raise ValueError(f"expected {expected} numbers, parsed {len(out)}")
    return out


def load(path: Path, method: str = "fromstring"):
    """Parse a snapshot into ``(sections, nodes, edges, strings, timings)``."""
    timings = {}
    t0 = time.perf_counter()
    sec = locate(path)
    timings["locate_s"] = time.perf_counter() - t0
    nf = len(sec.meta["node_fields"])
    ef = len(sec.meta["edge_fields"])
    with path.open("rb") as fh:
        t = time.perf_counter()
        nodes = parse_ints(_read(fh, sec.nodes), sec.node_count * nf, method)
        timings["nodes_s"] = time.perf_counter() - t
        t = time.perf_counter()
        edges = parse_ints(_read(fh, sec.edges), sec.edge_count * ef, method)
        timings["edges_s"] = time.perf_counter() - t
        t = time.perf_counter()
        tail = _read(fh, (sec.strings, sec.size)).rstrip()
        if not tail.endswith(b"}"):
            raise ValueError(f"{path}: strings array is not the last section")
        strings = json.loads(tail[:-1])
        timings["strings_s"] = time.perf_counter() - t
    return sec, nodes.reshape(-1, nf), edges.reshape(-1, ef), strings, timings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("--method", choices=("fromstring", "split"), default="fromstring")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    sec, nodes, edges, strings, timings = load(args.snapshot, args.method)
    total = time.perf_counter() - t0
    self_size = nodes[:, sec.meta["node_fields"].index("self_size")]
    print(
        json.dumps(
            {
                "tool": f"numpy-{args.method}",
                "file": str(args.snapshot),
                "node_count": len(nodes),
                "edge_count": len(edges),
                "string_count": len(strings),
                "self_size_total": int(self_size.sum()),
                **{k: round(v, 3) for k, v in timings.items()},
                "total_s": round(total, 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
