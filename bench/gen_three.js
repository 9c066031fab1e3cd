#!/usr/bin/env node
// Three snapshots (memlab's baseline / target / final) of the benchmark heap around a leak.
//
//   node --max-old-space-size=16384 --expose-gc bench/gen_three.js [--scale S] OUT_PREFIX
//
// Builds the gen_snapshot.js heap (scale 1: ~199 MB per snapshot), writes OUT_PREFIX.baseline;
// then "opens" N_LEAK report views: each puts a ReportView in a cache keyed by id and N
// transient RenderBuffer objects in a work list; writes OUT_PREFIX.target; then "closes" them:
// the cache is purged by the wrong key (so every ReportView leaks) and the work list is
// cleared (the RenderBuffers are freed); writes OUT_PREFIX.final. Prints one JSON line.
'use strict';

const v8 = require('node:v8');
const { build } = require('./gen_snapshot.js');

const N_LEAK = 5000;
const BUFFERS_PER_VIEW = 4;

class ReportView {
  constructor(id) {
    this.id = id;
    this.title = 'report-' + id;
    this.rows = new Array(16).fill(id);
  }
}

class RenderBuffer {
  constructor(id) {
    this.owner = id;
    this.cells = new Array(16).fill(0);
  }
}

function main() {
  const args = process.argv.slice(2);
  let scale = 1;
  if (args[0] === '--scale') {
    scale = Number(args[1]);
    args.splice(0, 2);
  }
  const prefix = args[0];
  if (!prefix || typeof global.gc !== 'function') {
    process.stderr.write('usage: node --expose-gc gen_three.js [--scale S] OUT_PREFIX\n');
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  globalThis.bench = build(scale, 20240611);
  globalThis.views = { cache: new Map(), work: [] };
  const gc = () => { for (let i = 0; i < 3; i++) global.gc(); };
  gc();
  const files = {};
  files.baseline = v8.writeHeapSnapshot(`${prefix}.baseline.heapsnapshot`);
  for (let id = 1; id <= N_LEAK; id++) {
    globalThis.views.cache.set(id, new ReportView(id));
    for (let b = 0; b < BUFFERS_PER_VIEW; b++) globalThis.views.work.push(new RenderBuffer(id));
  }
  gc();
  files.target = v8.writeHeapSnapshot(`${prefix}.target.heapsnapshot`);
  for (let id = 1; id <= N_LEAK; id++) globalThis.views.cache.delete('report-' + id); // wrong key
  globalThis.views.work = [];
  gc();
  files.final = v8.writeHeapSnapshot(`${prefix}.final.heapsnapshot`);
  const t1 = process.hrtime.bigint();
  process.stdout.write(JSON.stringify({ files, leaked: N_LEAK, transient: N_LEAK * BUFFERS_PER_VIEW, scale, seconds: Number(t1 - t0) / 1e9 }) + '\n');
}

main();
