// Scenario "floor": what "OTLP bytes in, ClickHouse row stored" costs at the least on this
// machine, measured on the same requests as `ingest`, against which the daemon's all-in CPU
// per span is compared (SPEC §9):
//   decode        the receiver's decode of each request into model spans (no processors)
//   native        the spans as one ClickHouse Native block (the exporter's insert payload)
//   insert        that block into `otel_traces` of a fresh embedded store (real schema)
// Inserts are `--rows`-row
// batches (fresh trace ids each, so none is deduplicated). CPU is the whole process's, the
// engine's threads included, so other work on the machine does not inflate it.
//
//   npm run bench:floor
//   node bench/floor.mjs --rounds 5 --rows 10000
//
// Options (flag or environment): --rounds BENCH_FLOOR_ROUNDS (inserts per format),
// --rows BENCH_FLOOR_ROWS (rows per insert), --batch BENCH_BATCH (spans per request),
// --pool BENCH_POOL. Results: bench/results/floor.json.

import console from 'node:console';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { pino } from 'pino';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { EmbeddedStore } from '../dist/storage/embedded.js';
import { migrate } from '../dist/storage/schema/migrate.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, freshSpanSource, receiverDecoder } from './payloads.mjs';
import { SHIPPED_COMPRESSION } from './store.mjs';

const params = {
  rounds: option('rounds', 'BENCH_FLOOR_ROUNDS', 5),
  rowsPerInsert: option('rows', 'BENCH_FLOOR_ROWS', 10_000),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const { requests, stats: payload } = benchPool(params);
const decode = receiverDecoder();

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

/** CPU µs per span of `work` over `spans` spans, repeated until ~`seconds` of CPU. */
function cpuPerSpan(work, spansPerCall, seconds = 2) {
  for (let i = 0; i < 20; i++) work(i); // warm-up
  const start = cpuNow();
  let calls = 0;
  while (cpuNow() - start < seconds) work(calls++);
  return ((cpuNow() - start) / (calls * spansPerCall)) * 1e6;
}

const freshSpans = freshSpanSource(requests);

const decodeUs = cpuPerSpan(
  (i) => decode(requests[i % requests.length].bytes),
  params.spansPerRequest,
);
const sample = requests.map((r) => decode(r.bytes));
const encoder = spanBlockEncoder();
const nativeUs = cpuPerSpan(
  (i) => encoder.encode(sample[i % sample.length]),
  params.spansPerRequest,
);

const dir = mkdtempSync(join(os.tmpdir(), 'faultline-floor-'));
const store = new EmbeddedStore(join(dir, 'chdb'), 'faultline', Math.floor(os.totalmem() * 0.3));
await store.open();
await migrate(
  store,
  { database: 'faultline', compression: SHIPPED_COMPRESSION },
  pino({ level: 'silent' }),
);

const NATIVE = { format: { name: 'Native', columns: encoder.columnNames } };

/** CPU µs per row of inserting ready blocks (encoding excluded), median over rounds. */
async function insertUs() {
  const perRow = [];
  for (let round_ = 0; round_ <= params.rounds; round_++) {
    const body = encoder.encode(freshSpans(params.rowsPerInsert));
    const start = cpuNow();
    await store.insert('otel_traces', body, NATIVE);
    if (round_ > 0) perRow.push(((cpuNow() - start) / params.rowsPerInsert) * 1e6); // 0: warm-up
  }
  perRow.sort((a, b) => a - b);
  return perRow[perRow.length >> 1];
}

const nativeInsertUs = await insertUs();
const memory = ownMemory();
await store.close();
rmSync(dir, { recursive: true, force: true });

const floorUs = decodeUs + nativeUs + nativeInsertUs;
const results = {
  scenario: 'floor',
  ...info,
  parameters: params,
  payload,
  cpuUsPerSpan: {
    decode: round(decodeUs),
    nativeEncode: round(nativeUs),
    nativeInsert: round(nativeInsertUs),
  },
  floorCpuUsPerSpan: round(floorUs),
  floorSpansPerCpuSecond: round(1e6 / floorUs, 0),
  // This process after its inserts: node, the embedded engine and the sample spans. What the
  // daemon's peak RSS compares with: with the embedded engine, inserting batches of this size,
  // it holds this much before any of its own work.
  peakRssMiB: memory.peakRssMiB,
  rssFileBackedMiB: memory.rssFileBackedMiB,
};
const file = writeResults('floor', results);

console.log(`\n== floor — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(`CPU µs per span (medians; the process's CPU, engine threads included)`);
console.log(`  decode (bytes → model spans)   ${round(decodeUs)}`);
console.log(`  Native block    encode ${round(nativeUs)}   insert ${round(nativeInsertUs)}`);
console.log(
  `  floor = decode + Native encode + insert: ${round(floorUs)} µs/span = ${results.floorSpansPerCpuSecond.toLocaleString('en-US')} spans per CPU-second`,
);
console.log(
  `  this process peaked at ${memory.peakRssMiB} MiB resident (${memory.rssFileBackedMiB} MiB file-backed: mapped code)`,
);
console.log(`\nwrote ${file}`);

/** Peak and file-backed resident memory of this process, from /proc/self/status. */
function ownMemory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const mib = (name) =>
    round(Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024, 0);
  return { peakRssMiB: mib('VmHWM'), rssFileBackedMiB: mib('RssFile') };
}
