#!/usr/bin/env node
// Anchor: memlab 2.0.5's analysis API (the @memlab/core package memlab installs).
//
//   node --max-old-space-size=16384 bench/anchors/memlab.js SNAPSHOT
//
// Parse with utils.getSnapshotFromFile(file, {buildNodeIdIndex: true}), then
// TraceFinder.annotateShortestPaths (memlab's prioritised multi-round BFS) and
// TraceFinder.calculateAllNodesRetainedSizes (dominators + retained sizes, memlab rule
// set: no shallow-size ownership). Prints one JSON line for cross-checking against
// DevTools and leakhunt: node and edge counts, the root's retained size, the largest
// non-root retainer and per-phase seconds.
'use strict';

// memlab's own copy of @memlab/core, wherever npm placed it.
const core = require(require.resolve('@memlab/core', { paths: [require.resolve('memlab')] }));

async function main() {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    process.stderr.write('usage: node --max-old-space-size=16384 memlab.js SNAPSHOT\n');
    process.exit(2);
  }
  const { utils, TraceFinder, config } = core;
  config.muteConsole = true; // keep stdout for the JSON line

  const t0 = process.hrtime.bigint();
  const heap = await utils.getSnapshotFromFile(file, { buildNodeIdIndex: true });
  if (!heap) throw new Error(`memlab could not parse ${file}`);
  const t1 = process.hrtime.bigint();
  const finder = new TraceFinder();
  finder.annotateShortestPaths(heap);
  const t2 = process.hrtime.bigint();
  finder.calculateAllNodesRetainedSizes(heap);
  const t3 = process.hrtime.bigint();

  const nodes = heap.nodes;
  const root = nodes.get(0);
  let top = null;
  for (let i = 1; i < nodes.length; i++) {
    const node = nodes.get(i);
    if (top === null || node.retainedSize > top.retainedSize) top = node;
  }

  process.stdout.write(JSON.stringify({
    tool: 'memlab',
    package: 'memlab@2.0.5',
    file,
    node_count: nodes.length,
    edge_count: heap.edges.length,
    root_retained_size: root.retainedSize,
    top: { ordinal: top.nodeIndex, id: top.id, name: top.name, retained_size: top.retainedSize },
    parse_s: Number(t1 - t0) / 1e9,
    shortest_paths_s: Number(t2 - t1) / 1e9,
    dominators_s: Number(t3 - t2) / 1e9,
  }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`memlab anchor failed: ${err && err.stack || err}\n`);
  process.exit(1);
});
