#!/usr/bin/env node
'use strict';
// Chrome DevTools oracle for leakhunt's V8 analyzers.
//
//   node devtools_dump.js SNAPSHOT[.gz] OUT.json
//
// Loads a .heapsnapshot (gzip detected by magic bytes, not by name) with the DevTools
// heap-snapshot worker as packaged by npm `heap-snapshot-toolkit` (pinned in package.json),
// through its public `parse(readStream)`, which runs the complete JSHeapSnapshot
// initialisation (retainers, DOM state, flags, essential edges, shallow-size ownership,
// dominators, retained sizes, distances, ...). It then writes per-ordinal arrays:
//
//   node_id          node id (snapshot `id` field)
//   self_size        self size AFTER DevTools' shallow-size ownership pass
//                    (JSHeapSnapshot.calculateShallowSizes rewrites the self_size field of the
//                    `nodes` array in place; these are exactly the sizes handed to the
//                    dominator/retained-size step)
//   retained_size    JSHeapSnapshot.retainedSizes (Float64Array)
//   dominator        JSHeapSnapshot.dominatorsTree: ordinal of the immediate dominator
//                    (the root is its own dominator)
//   distance         JSHeapSnapshot.nodeDistances (-5 = never reached)
//   page_owned       1 if JSHeapSnapshot.flags has the pageObject bit (input of the essential-edge test)
//
// plus node_count, edge_count, root_index (ordinal of the root), root_node_index (DevTools'
// rootNodeIndex = ordinal * node field count), essential_edge_count, non_essential_edges
// (edge ordinals the dominator step was told to ignore, i.e. rejected by
// HeapSnapshot.computeIsEssentialEdge), total_size, statistics (getStatistics()) and problems:
// the unreachable-node reports that the dominator step posts ({problemReport}) and that the
// toolkit's build silently drops (its console.warn was stripped). Both are captured by wrapping
// MessagePort.prototype.postMessage; nothing in the toolkit is modified.
//
// Exit codes: 0 ok, 1 failure (including a parse that never completes), 2 usage.

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { MessagePort } = require('worker_threads');

const USAGE = 'usage: node devtools_dump.js SNAPSHOT[.heapsnapshot|.gz] OUT.json';

// --- listen in on the two "threads" (a MessageChannel inside this process) -----------------
// The toolkit runs DevTools' primary and secondary init in one thread, talking over a
// MessageChannel. Wrapping postMessage lets us keep (a) the problem reports the dominator step
// posts and (b) a copy of the essential-edge bit vector exactly as handed to the dominator
// step (it is transferred, so the primary side loses it).
const problemReports = [];
let essentialEdgeBits = null;
const originalPostMessage = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function postMessage(message, ...rest) {
  if (message && typeof message === 'object') {
    if (Array.isArray(message.problemReport)) {
      problemReports.push(message.problemReport.slice());
    } else if (message.step === 2 && message.args && message.args.essentialEdgesBuffer) {
      essentialEdgeBits = new Uint8Array(message.args.essentialEdgesBuffer).slice();
    }
  }
  return originalPostMessage.call(this, message, ...rest);
};

function openSnapshotStream(file) {
  const fd = fs.openSync(file, 'r');
  const magic = Buffer.alloc(2);
  const n = fs.readSync(fd, magic, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file);
  let stream = raw;
  if (n === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = zlib.createGunzip();
    raw.on('error', (err) => gunzip.destroy(err));
    stream = raw.pipe(gunzip);
  }
  // The loader concatenates chunks as strings: decode UTF-8 here so multi-byte characters
  // split across chunk boundaries survive.
  stream.setEncoding('utf8');
  return stream;
}

function describeProblem(snapshot, report) {
  const node = snapshot.createNode(0);
  const messages = [];
  const nodes = [];
  for (const item of report) {
    if (typeof item === 'string') {
      messages.push(item);
    } else {
      node.nodeIndex = item;
      nodes.push({ ordinal: item / snapshot.nodeFieldCount, id: node.id(), name: node.name(), type: node.type() });
    }
  }
  return { messages, nodes, truncated: report.length > 100 };
}

// Write big numeric arrays without building one giant string.
function writeJson(outFile, scalars, arrays) {
  const fd = fs.openSync(outFile, 'w');
  try {
    const head = JSON.stringify(scalars, null, 1);
    fs.writeSync(fd, head.slice(0, head.lastIndexOf('}')).replace(/\s+$/, ''));
    for (const [key, arr] of Object.entries(arrays)) {
      fs.writeSync(fd, `,\n "${key}": [`);
      const CHUNK = 65536;
      for (let i = 0; i < arr.length; i += CHUNK) {
        const end = Math.min(arr.length, i + CHUNK);
        let s = i === 0 ? '' : ',';
        const parts = new Array(end - i);
        for (let j = i; j < end; j++) parts[j - i] = String(arr[j]);
        s += parts.join(',');
        fs.writeSync(fd, s);
      }
      fs.writeSync(fd, ']');
    }
    fs.writeSync(fd, '\n}\n');
  } finally {
    fs.closeSync(fd);
  }
}

async function main(argv) {
  if (argv.length !== 2 || argv[0] === '-h' || argv[0] === '--help') {
    console.error(USAGE);
    return 2;
  }
  const [input, outFile] = argv;
  const toolkitPkg = require('heap-snapshot-toolkit/package.json');
  const { parse } = await import('heap-snapshot-toolkit');

  const t0 = process.hrtime.bigint();
  const snapshot = await parse(openSnapshotStream(input));
  const t1 = process.hrtime.bigint();

  const { nodeCount, nodeFieldCount, nodeIdOffset, nodeSelfSizeOffset, nodes } = snapshot;
  const nodeId = new Float64Array(nodeCount);
  const selfSize = new Float64Array(nodeCount);
  const pageOwned = new Uint8Array(nodeCount);
  const pageFlag = snapshot.nodeFlags.pageObject;
  for (let i = 0; i < nodeCount; i++) {
    nodeId[i] = nodes.getValue(i * nodeFieldCount + nodeIdOffset);
    selfSize[i] = nodes.getValue(i * nodeFieldCount + nodeSelfSizeOffset);
    pageOwned[i] = (snapshot.flags[i] & pageFlag) ? 1 : 0;
  }
  // Essential edges: the bit vector captured on its way to the dominator step. Cross-check it
  // against a recomputation with HeapSnapshot.initEssentialEdges() (which depends only on
  // edges, ids, edge names and the page flags, all unchanged by the later init steps).
  const edgeCount = snapshot.containmentEdges.length / snapshot.edgeFieldsCount;
  const recomputed = snapshot.initEssentialEdges();
  if (!essentialEdgeBits) throw new Error('essential-edge bit vector was not captured');
  const bit = (bits, e) => (bits[e >> 3] & (1 << (e & 7))) !== 0;
  const nonEssential = [];
  for (let e = 0; e < edgeCount; e++) {
    if (bit(essentialEdgeBits, e) !== recomputed.getBit(e)) {
      throw new Error(`essential edge ${e}: captured and recomputed bit vectors differ`);
    }
    if (!bit(essentialEdgeBits, e)) nonEssential.push(e);
  }

  const scalars = {
    tool: 'devtools_dump.js',
    oracle: `heap-snapshot-toolkit@${toolkitPkg.version}`,
    devtools_frontend: devtoolsCommit(),
    input: path.resolve(input),
    node_count: nodeCount,
    edge_count: edgeCount,
    root_index: snapshot.rootNodeIndex / nodeFieldCount,
    root_node_index: snapshot.rootNodeIndex,
    total_size: snapshot.totalSize,
    statistics: snapshot.getStatistics(),
    essential_edge_count: edgeCount - nonEssential.length,
    problems: problemReports.map((r) => describeProblem(snapshot, r)),
    parse_seconds: Number(t1 - t0) / 1e9,
    self_size_note: 'self sizes after JSHeapSnapshot.calculateShallowSizes (skipped when the snapshot has no user roots)',
  };
  writeJson(outFile, scalars, {
    node_id: nodeId,
    self_size: selfSize,
    retained_size: snapshot.retainedSizes,
    dominator: snapshot.dominatorsTree,
    distance: snapshot.nodeDistances,
    page_owned: pageOwned,
    non_essential_edges: nonEssential,
  });
  return 0;
}

function devtoolsCommit() {
  try {
    const entry = require.resolve('heap-snapshot-toolkit/package.json');
    const js = path.join(path.dirname(entry), 'thirdparty', 'devtools-frontend', 'index.js');
    const firstLine = fs.readFileSync(js, 'utf8').split('\n', 1)[0];
    const m = firstLine.match(/devtools-frontend@([0-9a-f]+)/);
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

let finished = false;
process.on('exit', (code) => {
  if (!finished && code === 0) {
    console.error('devtools_dump: parsing never completed (truncated or malformed snapshot?)');
    process.exitCode = 1;
  }
});

main(process.argv.slice(2)).then((code) => {
  finished = true;
  process.exitCode = code;
}, (err) => {
  finished = true;
  console.error('devtools_dump:', err && err.stack ? err.stack : err);
  process.exitCode = 1;
});
