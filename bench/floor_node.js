#!/usr/bin/env node
// JavaScript parse floor (reference doc §10): read the whole snapshot as one string
// and JSON.parse it, nothing else. Every JS tool that loads the file pays at least this.
//
//   node --max-old-space-size=16384 bench/floor_node.js SNAPSHOT
'use strict';

const fs = require('node:fs');

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  process.stderr.write('usage: node --max-old-space-size=16384 floor_node.js SNAPSHOT\n');
  process.exit(2);
}
const t0 = process.hrtime.bigint();
const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
const t1 = process.hrtime.bigint();
const nf = snap.snapshot.meta.node_fields.length;
const selfOffset = snap.snapshot.meta.node_fields.indexOf('self_size');
let selfTotal = 0;
for (let i = selfOffset; i < snap.nodes.length; i += nf) selfTotal += snap.nodes[i];
process.stdout.write(JSON.stringify({
  tool: 'node-json-parse',
  file,
  node_count: snap.nodes.length / nf,
  edge_count: snap.edges.length / snap.snapshot.meta.edge_fields.length,
  string_count: snap.strings.length,
  self_size_total: selfTotal,
  parse_s: Number(t1 - t0) / 1e9,
}) + '\n');
