#!/usr/bin/env node
// Deterministic synthetic heap for leakhunt's benchmarks (see
// /work/shared/reference/v8-heapsnapshot.md §10).
//
//   node --max-old-space-size=16384 --expose-gc bench/gen_snapshot.js [--scale S] [--seed N] OUT.heapsnapshot
//
// Builds, in this Node process, a heap whose shape follows the reference benchmark:
// linked class instances, closures over per-iteration (block-scope) state, Maps of
// small object graphs, a Set, a WeakMap population, cons and sliced strings, small
// cycles, and 16 `vm` contexts of which 8 are zombies held only by closures stored in
// the main context. Every choice comes from a seeded PRNG (no Date, no Math.random),
// so the same scale and seed build the same objects. Node/V8 internals still add a few
// nodes that vary between runs (6–13 seen: lazily created strings, code objects) and
// embedder ids differ, so compare counts, not bytes. Scale 1: ~199 MB, 2.23 M nodes, 7.79 M edges; scale 2: ~393 MB, 4.40 M nodes.
//
// Prints one JSON line on stdout: file, bytes, node_count, edge_count, build/write
// seconds, scale, seed.
'use strict';

const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

function usage(msg) {
  if (msg) process.stderr.write(`gen_snapshot: ${msg}\n`);
  process.stderr.write('usage: node --max-old-space-size=16384 --expose-gc gen_snapshot.js ' +
    '[--scale S] [--seed N] OUT.heapsnapshot\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { scale: 1, seed: 20240611, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scale' || a === '--seed') {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) usage(`${a} needs a positive number`);
      opts[a.slice(2)] = v;
    } else if (a === '-h' || a === '--help') {
      usage();
    } else if (a.startsWith('-')) {
      usage(`unknown option ${a}`);
    } else if (opts.out === null) {
      opts.out = a;
    } else {
      usage('only one output file');
    }
  }
  if (opts.out === null) usage('missing OUT.heapsnapshot');
  return opts;
}

// mulberry32: tiny, fast, good enough for shaping a heap.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel',
  'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec',
  'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu'];

// ---------------------------------------------------------------------------------
// Shapes kept alive from the main context's global object (`globalThis.bench`).

class Item {
  constructor(id, label, prev) {
    this.id = id;
    this.label = label;
    this.prev = prev;
    this.next = null;
    this.meta = null;
  }
}

class Session {
  constructor(id, user) {
    this.id = id;
    this.user = user;
    this.peer = null;
  }
}

class GraphNode {
  constructor(key, weight) {
    this.key = key;
    this.weight = weight;
    this.children = [];
    this.parent = null;
  }
}

function build(scale, seed) {
  const rnd = mulberry32(seed);
  const int = (n) => (rnd() * n) | 0; // Smi results: no heap numbers
  const word = () => WORDS[int(WORDS.length)];
  const n = (base) => Math.max(1, Math.round(base * scale));

  const bench = {};

  // 1. Linked class instances: a doubly linked list of Items, each with a small
  //    metadata object, a tags array and its own label string.
  const N_ITEMS = n(150000);
  let head = null;
  let prev = null;
  for (let i = 0; i < N_ITEMS; i++) {
    const item = new Item(i, `it${i}`, prev); // short label: a flat string of its own
    item.meta = { rank: int(1000), owner: word(), tags: [word(), int(100)] };
    if (prev) prev.next = item; else head = item;
    prev = item;
  }
  bench.items = { head, tail: prev, count: N_ITEMS };

  // 2. Closures over per-iteration state: `state` lives in a per-iteration block
  //    context, so each closure retains `system / Context -hidden-> Object`.
  const N_CLOSURES = n(100000);
  const handlers = new Array(N_CLOSURES);
  for (let i = 0; i < N_CLOSURES; i++) {
    const state = { seq: i, hits: int(50), topic: `t${i}` };
    handlers[i] = function onEvent(delta) { state.hits += delta; return state.topic; };
  }
  bench.handlers = handlers;

  // 3. Maps of object graphs: string keys → small trees with parent back-links.
  const N_MAPS = 16;
  const PER_MAP = n(1150);
  const registries = [];
  for (let m = 0; m < N_MAPS; m++) {
    const map = new Map();
    for (let k = 0; k < PER_MAP; k++) {
      const rootNode = new GraphNode(`m${m}/${k}`, int(100));
      const fan = 1 + int(4);
      for (let c = 0; c < fan; c++) {
        const child = new GraphNode(`${word()}-${c}`, int(100));
        child.parent = rootNode;
        rootNode.children.push(child);
      }
      map.set(`k${m}.${k}`, rootNode);
    }
    registries.push(map);
  }
  bench.registries = registries;

  // 4. A Set of small records.
  const N_SET = n(130000);
  const seen = new Set();
  for (let i = 0; i < N_SET; i++) seen.add({ ref: i, kind: word() });
  bench.seen = seen;

  // 5. A WeakMap population: keys are held strongly elsewhere (an array), values
  //    only through the WeakMap ephemerons.
  const N_WEAK = n(40000);
  const weakKeys = new Array(N_WEAK);
  const side = new WeakMap();
  for (let i = 0; i < N_WEAK; i++) {
    const key = { wk: i };
    weakKeys[i] = key;
    side.set(key, { cached: i, note: word(), blob: [int(10), int(10)] });
  }
  bench.weakKeys = weakKeys;
  bench.side = side;

  // 6. Strings: cons strings (concatenations ≥ 13 chars) and sliced strings
  //    (substrings ≥ 13 chars of long flat parents).
  const N_CONS = n(116000);
  const prefixes = [];
  for (let i = 0; i < 64; i++) prefixes.push(`prefix/${word()}/${word()}/${i}/`);
  const cons = new Array(N_CONS);
  for (let i = 0; i < N_CONS; i++) {
    cons[i] = prefixes[int(prefixes.length)] + String(i); // ≥ 13 chars: a ConsString
  }
  bench.cons = cons;

  const N_PARENTS = n(400);
  const parents = [];
  for (let p = 0; p < N_PARENTS; p++) {
    const parts = [];
    for (let k = 0; k < 300; k++) parts.push(word());
    parents.push(parts.join(' ')); // flat, ~2 KB
  }
  const N_SLICED = n(25000);
  const sliced = new Array(N_SLICED);
  for (let i = 0; i < N_SLICED; i++) {
    const parent = parents[int(parents.length)];
    const start = int(parent.length - 64);
    sliced[i] = parent.substring(start, start + 16 + int(40));
  }
  bench.sliced = sliced;
  bench.parents = parents;

  // 7. Small cycles: pairs and triangles of Sessions.
  const N_CYCLES = n(40000);
  const cycles = new Array(N_CYCLES);
  for (let i = 0; i < N_CYCLES; i++) {
    const a = new Session(2 * i, word());
    a.history = [int(1000), int(1000)];
    const b = new Session(2 * i + 1, word());
    a.peer = b;
    if (i % 3 === 0) {
      const c = new Session(2 * N_CYCLES + i, word()); // keep ids Smis (-0 would box them)
      b.peer = c;
      c.peer = a;
    } else {
      b.peer = a;
    }
    cycles[i] = a;
  }
  bench.cycles = cycles;

  // 8. Sixteen vm contexts. Each gets its own data; 8 stay referenced from the
  //    main context (live), 8 are dropped except for a closure created inside them
  //    and stored in the main context (zombies).
  const N_CTX_ITEMS = n(2000);
  const liveContexts = [];
  const zombieProbes = [];
  for (let c = 0; c < 16; c++) {
    const sandbox = { ctxIndex: c, rows: N_CTX_ITEMS, seed: int(1 << 30) };
    const ctx = vm.createContext(sandbox, { name: `bench-ctx-${c}` });
    const probe = vm.runInContext(`
      'use strict';
      class Row { constructor(i, s) { this.i = i; this.s = s; this.link = null; } }
      var store = [];
      var last = null;
      for (let i = 0; i < rows; i++) {
        const r = new Row(i, 'r' + ((seed + i * 7919) % 100003));
        if (last) last.link = r;
        last = r;
        store.push(r);
      }
      (function probe() { return store.length + ctxIndex; })
    `, ctx, { filename: `bench-ctx-${c}.js` });
    if (c % 2 === 0) liveContexts.push({ sandbox: ctx, probe });
    else zombieProbes.push(probe); // ctx itself is dropped
  }
  bench.liveContexts = liveContexts;
  bench.zombieProbes = zombieProbes;

  return bench;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (typeof global.gc !== 'function') usage('run node with --expose-gc');

  const t0 = process.hrtime.bigint();
  globalThis.bench = build(opts.scale, opts.seed);
  for (let i = 0; i < 3; i++) global.gc();
  const t1 = process.hrtime.bigint();
  const file = v8.writeHeapSnapshot(opts.out);
  const t2 = process.hrtime.bigint();

  // Counts straight from the header, without parsing the whole file.
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(4096);
  const got = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const header = buf.toString('utf8', 0, got);
  const nodeCount = Number(/"node_count":(\d+)/.exec(header)[1]);
  const edgeCount = Number(/"edge_count":(\d+)/.exec(header)[1]);

  process.stdout.write(JSON.stringify({
    file,
    bytes: fs.statSync(file).size,
    node_count: nodeCount,
    edge_count: edgeCount,
    scale: opts.scale,
    seed: opts.seed,
    build_s: Number(t1 - t0) / 1e9,
    write_s: Number(t2 - t1) / 1e9,
    js_heap_used: process.memoryUsage().heapUsed,
  }) + '\n');
}

if (require.main === module) main();
else module.exports = { build };
