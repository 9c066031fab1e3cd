"""Write a valid V8 heap snapshot larger than 4 GiB, to show leakhunt has no 32-bit limits.

    python3 bench/gen_huge.py bench/data/huge.heapsnapshot [--nodes 90000000]

The heap is a chain: the root's shortcut edge leads to ``global``, each ``Link`` node holds
the next through a ``next`` property. Ids and self sizes are large numbers so that the file
passes 4 GiB with fewer nodes. Nothing here depends on leakhunt.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

NODE_FIELDS = ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"]
NODE_TYPES = [
    "hidden",
    "array",
    "string",
    "object",
    "code",
    "closure",
    "regexp",
    "number",
    "native",
    "synthetic",
    "concatenated string",
    "sliced string",
    "symbol",
    "bigint",
    "object shape",
    "wasm object",
]
EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]
CHUNK = 1_000_000
ID_BASE = 1_000_000_000_001
SIZE_BASE = 1_000_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--nodes", type=int, default=90_000_000)
    args = parser.parse_args()
    n = args.nodes
    start = time.time()
    meta = {
        "node_fields": NODE_FIELDS,
        "node_types": [NODE_TYPES, "string", "number", "number", "number", "number", "number"],
        "edge_fields": ["type", "name_or_index", "to_node"],
        "edge_types": [EDGE_TYPES, "string_or_number", "node"],
    }
    # strings: 0 "", 1 "global", 2 "Link", 3 "next", 4 "2"
    with open(args.output, "w") as out:
        out.write(
            json.dumps({"meta": meta, "node_count": n, "edge_count": n - 1}).join(
                ['{"snapshot":', ',\n"nodes":[']
            )
        )
        # node 0: synthetic root, one shortcut edge to node 1 ("global"); node i>=1: object
        out.write("9,0,1,0,1,0,0")
        for first in range(1, n, CHUNK):
            last = min(n, first + CHUNK)
            out.write(
                "".join(
                    f"\n,3,{1 if i == 1 else 2},{ID_BASE + 2 * i},{SIZE_BASE + i % 1000},"
                    f"{0 if i == n - 1 else 1},0,0"
                    for i in range(first, last)
                )
            )
        out.write('],\n"edges":[5,4,7')
        for first in range(1, n - 1, CHUNK):
            last = min(n - 1, first + CHUNK)
            out.write("".join(f"\n,2,3,{7 * (i + 1)}" for i in range(first, last)))
        out.write('],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n')
        out.write('"strings":["","global","Link","next","2"]}\n')
        size = out.tell()
    print(
        json.dumps(
            {
                "path": args.output,
                "bytes": size,
                "nodes": n,
                "edges": n - 1,
                "seconds": round(time.time() - start, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
