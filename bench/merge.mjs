// Scenario "merge": what merging a batch's Native blocks into one costs the event loop, and what
// it saves the engine. A queue record is one request's block (`--batch` rows); the sender merges
// a batch of them (`--rows` rows) before the insert (src/exporters/clickhouse/native/merge.ts):
//   merge     CPU µs per row of mergeNativeBlocks on the batch's blocks (the event loop's cost)
//   insert    CPU µs per row of inserting the batch into `otel_traces` of a fresh embedded
//             store, as its blocks one after another and merged, alternately; medians of
//             `--rounds` each (the process's CPU, engine threads included; merges stopped)
//
//   npm run bench:merge
//   node bench/merge.mjs --rounds 14 --rows 10000
//
// Options (flag or environment): --rounds BENCH_MERGE_ROUNDS, --rows BENCH_MERGE_ROWS, --batch
// BENCH_BATCH (rows per block), --pool BENCH_POOL. Results: bench/results/merge.json.

import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pino } from 'pino';
import { mergeNativeBlocks } from '../dist/exporters/clickhouse/native/merge.js';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { EmbeddedStore } from '../dist/storage/embedded.js';
import { migrate } from '../dist/storage/schema/migrate.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, freshSpanSource } from './payloads.mjs';
import { SHIPPED_COMPRESSION } from './store.mjs';

const params = {
  rounds: option('rounds', 'BENCH_MERGE_ROUNDS', 14),
  rowsPerInsert: option('rows', 'BENCH_MERGE_ROWS', 10_000),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const { requests, stats: payload } = benchPool(params);
const freshSpans = freshSpanSource(requests);
const encoder = spanBlockEncoder();
const NATIVE = { format: { name: 'Native', columns: encoder.columnNames } };

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** A batch as the queue holds it: one block per request, fresh trace ids. */
function batch() {
  const blocks = [];
  for (let rows = 0; rows < params.rowsPerInsert; rows += params.spansPerRequest) {
    blocks.push(encoder.encode(freshSpans(params.spansPerRequest)));
  }
  return blocks;
}

// The event loop's cost: merging ready batches, for about 2 s of CPU.
const batches = Array.from({ length: 8 }, batch);
for (const blocks of batches) await mergeNativeBlocks(blocks); // warm-up
const mergeStart = cpuNow();
let merged = 0;
while (cpuNow() - mergeStart < 2) await mergeNativeBlocks(batches[merged++ % batches.length]);
const mergeUs = ((cpuNow() - mergeStart) / (merged * params.rowsPerInsert)) * 1e6;

// The engine's: the same kind of batch inserted both ways, taking turns.
const dir = mkdtempSync(join(os.tmpdir(), 'faultline-merge-'));
const store = new EmbeddedStore(join(dir, 'chdb'), 'faultline', Math.floor(os.totalmem() * 0.3));
const insertUs = { blocks: [], merged: [] };
try {
  await store.open();
  await migrate(
    store,
    { database: 'faultline', compression: SHIPPED_COMPRESSION },
    pino({ level: 'silent' }),
  );
  await store.command('SYSTEM STOP MERGES faultline.otel_traces');
  await store.insert('otel_traces', batch(), NATIVE); // warm-up
  for (let turn = 0; turn < params.rounds * 2; turn++) {
    // blocks, merged, merged, blocks, …: each way as often first as second.
    const how = (turn + (turn >> 1)) % 2 ? 'merged' : 'blocks';
    const blocks = batch();
    const body = how === 'merged' ? await mergeNativeBlocks(blocks) : blocks;
    const start = cpuNow();
    await store.insert('otel_traces', body, NATIVE);
    insertUs[how].push(((cpuNow() - start) / params.rowsPerInsert) * 1e6);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const results = {
  scenario: 'merge',
  ...info,
  parameters: params,
  payload,
  cpuUsPerRow: {
    merge: round(mergeUs, 2),
    insertAsBlocks: round(median(insertUs.blocks), 2),
    insertMerged: round(median(insertUs.merged), 2),
  },
};
const file = writeResults('merge', results);

const { cpuUsPerRow } = results;
console.log(`\n== merge — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `a batch of ${params.rowsPerInsert} rows in ${params.spansPerRequest}-row blocks; CPU µs per row`,
);
console.log(`  merging its blocks (the event loop)            ${cpuUsPerRow.merge}`);
console.log(
  `  inserting it as blocks / merged (medians)      ${cpuUsPerRow.insertAsBlocks} / ${cpuUsPerRow.insertMerged}`,
);
console.log(`\nwrote ${file}`);
