#!/usr/bin/env node
'use strict';
// memlab oracle for leakhunt's memlab-mode dominators (tests only; not part of tests/oracle).
//
//   node memlab_dump.js SNAPSHOT[.gz] OUT.json
//
// Resolves memlab from bench/node_modules (the benchmark harness installs memlab@2.0.5 there)
// or from NODE_PATH. Loads the snapshot with memlab's own parser
// (utils.getSnapshotFromFile), runs TraceFinder.calculateAllNodesRetainedSizes (memlab's
// page flag, essential-edge test, orphan test and Lengauer-Tarjan; no shallow-size ownership)
// and writes per-ordinal arrays:
//
//   self_size       node.self_size (raw; memlab has no ownership pass)
//   retained_size   node.retainedSize
//   dominator       node.dominatorNode.nodeIndex (ordinal; the root is its own dominator)
//
// A gzip input (magic bytes) is decompressed to a temporary file first, because memlab reads
// files by name. Exit codes: 0 ok, 1 failure, 2 usage, 3 memlab not installed.

const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

function loadMemlabCore() {
  const bench = path.resolve(__dirname, '..', '..', 'bench');
  const searchPaths = [bench, ...(process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)];
  let memlabEntry;
  try {
    memlabEntry = require.resolve('memlab', { paths: searchPaths });
  } catch {
    return null;
  }
  const memlabPkg = require(path.join(path.dirname(require.resolve('memlab/package.json', { paths: searchPaths })), 'package.json'));
  const core = require(require.resolve('@memlab/core', { paths: [memlabEntry] }));
  return { core, version: memlabPkg.version };
}

function plainCopy(file) {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  const n = fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  if (n === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    const tmp = path.join(os.tmpdir(), `leakhunt-memlab-${process.pid}.heapsnapshot`);
    fs.writeFileSync(tmp, zlib.gunzipSync(fs.readFileSync(file)));
    return { file: tmp, temporary: true };
  }
  return { file, temporary: false };
}

async function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node memlab_dump.js SNAPSHOT[.gz] OUT.json\n');
    return 2;
  }
  const loaded = loadMemlabCore();
  if (!loaded) {
    process.stderr.write('memlab_dump: memlab is not installed (bench/node_modules or NODE_PATH)\n');
    return 3;
  }
  const { core, version } = loaded;
  const { utils, TraceFinder, config } = core;
  config.muteConsole = true;
  const input = plainCopy(argv[0]);
  try {
    const heap = await utils.getSnapshotFromFile(input.file, { buildNodeIdIndex: true });
    const finder = new TraceFinder();
    finder.calculateAllNodesRetainedSizes(heap);
    const nodes = heap.nodes;
    const count = nodes.length;
    const selfSize = new Array(count);
    const retained = new Array(count);
    const dominator = new Array(count);
    for (let i = 0; i < count; i++) {
      const node = nodes.get(i);
      selfSize[i] = node.self_size;
      retained[i] = node.retainedSize;
      dominator[i] = node.dominatorNode ? node.dominatorNode.nodeIndex : -1;
    }
    fs.writeFileSync(argv[1], JSON.stringify({
      tool: 'memlab_dump.js',
      oracle: `memlab@${version}`,
      node_count: count,
      self_size: selfSize,
      retained_size: retained,
      dominator,
    }));
  } finally {
    if (input.temporary) fs.rmSync(input.file, { force: true });
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err) => {
  process.stderr.write(`memlab_dump: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
