#!/usr/bin/env node
'use strict';
// Self-test of the DevTools oracle: run devtools_dump.js on the hand-written worked example
// (fixtures/v8/edge_cases/worked_example.heapsnapshot, reference section 8.6) and compare with
// the table in the reference exactly. Exit 0 on success, 1 on mismatch.
//
//   node tests/oracle/selftest.js

const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const here = __dirname;
const example = path.join(here, '..', '..', 'fixtures', 'v8', 'edge_cases', 'worked_example.heapsnapshot');
const out = path.join(os.tmpdir(), `leakhunt-oracle-selftest-${process.pid}.json`);

const EXPECTED = {
  node_count: 6,
  edge_count: 7,
  root_index: 0,
  node_id: [1, 3, 5, 7, 9, 11],
  self_size: [0, 0, 100, 90, 0, 30],
  retained_size: [220, 0, 220, 90, 0, 30],
  dominator: [0, 0, 0, 2, 3, 2],
  distance: [100000000, 100000001, 1, 2, 3, 2],
  // Not in the reference table, but fixed by the rules: everything below `global` is page-owned,
  // and the only non-essential edge is (GC roots) -> global (non-page-owned -> page-owned).
  page_owned: [0, 0, 1, 1, 1, 1],
  non_essential_edges: [2],
  problems: [],
};

try {
  execFileSync(process.execPath, [path.join(here, 'devtools_dump.js'), example, out], { stdio: 'inherit' });
  const got = JSON.parse(fs.readFileSync(out, 'utf8'));
  for (const [key, value] of Object.entries(EXPECTED)) {
    assert.deepStrictEqual(got[key], value, `${key} differs`);
  }
  console.log('oracle selftest: worked example matches reference section 8.6');
} catch (err) {
  console.error(err.message || err);
  process.exitCode = 1;
} finally {
  fs.rmSync(out, { force: true });
}
