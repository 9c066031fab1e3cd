#!/usr/bin/env python3
"""Write a synthetic root dump (overlay) for the benchmark snapshot: N natives, 2N handles.

Every native ``bench-K`` (class ``bench::Entry``, 48 bytes) owns a strong global handle to an
object O and a weak global handle to a closure F, and F's weak callback frees it: the
``CompiledFnEntry`` shape, N times. Objects and closures are drawn (seeded) from the snapshot's
live ones, so almost every entry is healthy (the user's heap holds F). ``--leaks L`` entries
instead pair O and F along a real edge O → F between nodes no strong path from a root reaches,
so that the handle is what keeps both alive and each makes a cycle ``cycles`` must report
(as many as the snapshot offers, up to L).

    python3 bench/gen_rootdump.py bench/data/bench-s1.heapsnapshot bench/data/bench-s1.rootdump.json

``--columnar`` writes the edges as ``edge_columns``, ``--native-columns`` the natives as
``native_columns`` (both: the fully columnar form).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leakhunt.analyzers.cycles import _reached, _retaining_table
from leakhunt.analyzers.paths import compute_root_distances
from leakhunt.graph.kinds import EdgeKind, NodeKind
from leakhunt.importers import load_graph


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--natives", type=int, default=100_000)
    ap.add_argument("--leaks", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument(
        "--columnar", action="store_true", help="write edge_columns instead of edge records"
    )
    ap.add_argument(
        "--native-columns",
        action="store_true",
        help="write native_columns instead of native records",
    )
    args = ap.parse_args(argv)
    graph = load_graph(str(args.snapshot))
    rng = np.random.default_rng(args.seed)
    reached = compute_root_distances(graph).distance >= 0
    # Held only through "(Global handles)": once a dump handle supersedes that root edge, such a
    # node is kept by the dump's handle alone, and a handle owner whose weak callback hangs on
    # one of its descendants makes a cycle only the handle keeps.
    labels = np.array([graph.strings[int(i)] == "(Global handles)" for i in graph.roots.label])
    weak_root = graph.edge_kind[graph.roots.edge] == EdgeKind.WEAK
    others = np.flatnonzero(~labels & ~weak_root).astype(np.int64)
    without_handles = _reached(graph, others, _retaining_table(False))
    only_handles = reached & ~without_handles
    objects = np.flatnonzero(reached & (graph.node_kind == NodeKind.OBJECT))
    closures = np.flatnonzero(reached & (graph.node_kind == NodeKind.CLOSURE))
    sources = graph.edge_source()
    handle_targets = np.zeros(graph.node_count, dtype=np.bool_)
    handle_targets[graph.edge_target[graph.roots.edge[np.flatnonzero(labels & ~weak_root)]]] = True
    unreached_pairs = np.flatnonzero(
        handle_targets[sources]
        & only_handles[sources]
        & only_handles[graph.edge_target]
        & (graph.edge_kind != EdgeKind.WEAK)
        & (sources != graph.edge_target)
    )
    leak_edges = rng.permutation(unreached_pairs)[: args.leaks]
    o = graph.node_id[rng.choice(objects, args.natives)].tolist()
    f = graph.node_id[rng.choice(closures, args.natives)].tolist()
    for i, edge in enumerate(leak_edges.tolist()):
        o[i] = int(graph.node_id[sources[edge]])
        f[i] = int(graph.node_id[graph.edge_target[edge]])
    natives = []
    edges = []
    for i in range(args.natives):
        native = f"bench-{i}"
        natives.append(
            {
                "id": native,
                "class": "bench::Entry",
                "size": 48,
                "address": hex(0x5500_0000_0000 + 64 * i),
            }
        )
        edges.append(
            {
                "kind": "strong_global_handle",
                "from": {"native": native},
                "to": {"js": o[i]},
                "name": "object_",
            }
        )
        edges.append(
            {
                "kind": "weak_global_handle",
                "from": {"native": native},
                "to": {"js": f[i]},
                "name": "fn_",
            }
        )
        edges.append(
            {
                "kind": "weak_callback",
                "from": {"js": f[i]},
                "to": {"native": native},
                "name": "Entry::WeakCallback",
            }
        )
    doc = {
        "format": "leakhunt-rootdump",
        "version": 1,
        "graph": "overlay",
        "producer": {"name": "bench/gen_rootdump.py", "seed": str(args.seed)},
        "processes": [
            {
                "isolate_groups": [
                    {
                        "id": "default",
                        "pointer_cage_size": 4294967296,
                        "isolates": [{"id": "main", "snapshot": args.snapshot.name}],
                    }
                ]
            }
        ],
        "natives": natives,
        "edges": edges,
    }
    if args.columnar:
        del doc["edges"]
        doc["edge_columns"] = {
            "kind": [e["kind"] for e in edges],
            "from": [next(iter(e["from"].values())) for e in edges],
            "to": [next(iter(e["to"].values())) for e in edges],
            "name": [e["name"] for e in edges],
        }
    if args.native_columns:
        del doc["natives"]
        doc["native_columns"] = {
            member: [n[member] for n in natives] for member in ("id", "class", "size", "address")
        }
    args.output.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    print(
        json.dumps(
            {
                "natives": args.natives,
                "handles": 2 * args.natives,
                "weak_callbacks": args.natives,
                "leak_pairs": int(leak_edges.size),
                "unreached_nodes": int((~reached).sum()),
                "held_only_by_global_handles": int(only_handles.sum()),
                "bytes": args.output.stat().st_size,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
