"""Load a dump with leakhunt's importer and nothing else; print one JSON line (for bench/run.py)."""

from __future__ import annotations

import json
import sys

from leakhunt import load_graph

graph = load_graph(sys.argv[1])
print(
    json.dumps(
        {
            "nodes": graph.node_count,
            "edges": graph.edge_count,
            "self_size": int(graph.node_self_size.sum()),
        }
    )
)
