'use strict';
// Benchmark input: a Node 20 heap with many vm contexts (default 1,000), written to
// bench/data/vm<N>.heapsnapshot (not committed). Of every 4 contexts: 2 are kept on purpose
// through their sandbox, 1 is leaked through a closure created inside it and stored in a
// main-realm Map, 1 is dropped (collected). Each context holds a small state object graph.
//
// Usage: node --expose-gc bench/gen_vm_contexts.js [N] [OUT]
const path = require('path');
const v8 = require('v8');
const vm = require('vm');

const N = Number(process.argv[2] || 1000);
const OUT = process.argv[3] || path.join(__dirname, 'data', `vm${N}.heapsnapshot`);

class BenchSandbox { constructor(i) { this.index = i; } }

const kept = [];
const leaked = new Map();
for (let i = 0; i < N; i++) {
  const ctx = vm.createContext(new BenchSandbox(i));
  vm.runInContext('class Row { constructor(i) { this.i = i; this.tag = "row-" + i; } }\n' +
    'var rows = []; for (let i = 0; i < 16; i++) rows.push(new Row(i));', ctx);
  switch (i % 4) {
    case 0: case 1: kept.push(ctx); break;
    case 2: leaked.set(i, vm.runInContext('(function probe() { return rows.length; })', ctx)); break;
    default: break; // dropped
  }
}
globalThis.kept = kept;
globalThis.leaked = leaked;
for (let i = 0; i < 4; i++) global.gc();
v8.writeHeapSnapshot(OUT);
console.log(JSON.stringify({ file: OUT, contexts: N, kept: kept.length, leaked: leaked.size }));
