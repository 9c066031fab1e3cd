#!/usr/bin/env node
// Anchor: the Chrome DevTools heap-snapshot model, via npm heap-snapshot-toolkit@1.1.3.
//
//   node --max-old-space-size=16384 bench/anchors/devtools.js SNAPSHOT
//
// `parse()` streams the file into DevTools' HeapSnapshotLoader and then runs the full
// JSHeapSnapshot initialisation in this thread (edge indexes, retainers, DOM state,
// flags, shallow-size ownership, dominators and retained sizes, distances, class
// names, statistics). Prints one JSON line for cross-checking against memlab and
// leakhunt: node and edge counts, the root's retained size (DevTools rule set) and
// the largest non-root retainer.
'use strict';

const fs = require('node:fs');

async function main() {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    process.stderr.write('usage: node --max-old-space-size=16384 devtools.js SNAPSHOT\n');
    process.exit(2);
  }
  const { parse } = await import('heap-snapshot-toolkit');

  const t0 = process.hrtime.bigint();
  const snapshot = await parse(fs.createReadStream(file, 'utf-8'));
  const t1 = process.hrtime.bigint();

  const nodeFieldCount = snapshot.nodeFieldCount;
  const rootOrdinal = snapshot.rootNodeIndex / nodeFieldCount;
  const retained = snapshot.retainedSizes;
  let top = -1;
  for (let i = 0; i < snapshot.nodeCount; i++) {
    if (i !== rootOrdinal && (top < 0 || retained[i] > retained[top])) top = i;
  }
  const topNode = snapshot.createNode(top * nodeFieldCount);

  process.stdout.write(JSON.stringify({
    tool: 'devtools',
    package: 'heap-snapshot-toolkit@1.1.3',
    file,
    node_count: snapshot.nodeCount,
    edge_count: snapshot.containmentEdges.length / snapshot.edgeFieldsCount,
    root_retained_size: retained[rootOrdinal],
    total_size: snapshot.totalSize,
    top: { ordinal: top, id: topNode.id(), name: topNode.name(), retained_size: retained[top] },
    parse_and_init_s: Number(t1 - t0) / 1e9,
  }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`devtools anchor failed: ${err && err.stack || err}\n`);
  process.exit(1);
});
