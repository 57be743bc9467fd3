// Scenario "schema": what each part of the `otel_traces` schema costs per inserted row, so that
// only what pays for itself is kept (SPEC §9). Each variant runs in a fresh process with a
// fresh embedded store (chDB binds one data directory per process), migrated as shipped, then
// with some of its parts dropped or changed:
//   shipped            as migrated with the default `storage.compression` (lz4)
//   no-map-blooms      without the bloom-filter indexes on attribute map keys and values
//   no-views           without the materialized views fed by otel_traces
//   bare               without both, nor the trace id and duration indexes
//   zstd               as shipped, with `storage.compression: zstd` (the Collector's codecs)
//   granules-10mib     as shipped, created with the engine's default granules of at most 10 MiB
//                      (the wide tables are created with 2 MiB ones)
// The same `--rows`-row Native blocks (fresh trace ids) are inserted `--rounds` times with the
// table's merges stopped, then all its parts are merged into one (`OPTIMIZE … FINAL`). CPU is
// the whole process's (the engine's threads included), per row: of the inserts, and of that
// merge. The merge is one level of what background merging does: a row is merged again each
// time its part grows into a bigger one. It also gives the most memory the engine counted
// for that merge (MiB, sampled): the daemon's peak RSS under load is set by such merges. The
// variants take turns, `--repeat` times each; medians are reported (a run's figure moves by
// ±20% with the engine's background work).
//
//   node bench/schema.mjs
//   node bench/schema.mjs --rounds 10 --rows 10000 --repeat 5
//
// Options (flag or environment): --rounds BENCH_SCHEMA_ROUNDS, --rows BENCH_SCHEMA_ROWS,
// --repeat BENCH_SCHEMA_REPEAT, --batch BENCH_BATCH, --pool BENCH_POOL. Results:
// bench/results/schema.json.

import { fork } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { EmbeddedStore } from '../dist/storage/embedded.js';
import { migrate } from '../dist/storage/schema/migrate.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, freshSpanSource } from './payloads.mjs';
import { SHIPPED_COMPRESSION } from './store.mjs';

const params = {
  rounds: option('rounds', 'BENCH_SCHEMA_ROUNDS', 8),
  rowsPerInsert: option('rows', 'BENCH_SCHEMA_ROWS', 10_000),
  repeat: option('repeat', 'BENCH_SCHEMA_REPEAT', 3),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const MAP_BLOOMS = [
  'idx_res_attr_key',
  'idx_res_attr_value',
  'idx_span_attr_key',
  'idx_span_attr_value',
];
const dropIndexes = (names) =>
  names.map((name) => `ALTER TABLE faultline.otel_traces DROP INDEX ${name}`);
const DROP_VIEWS = [
  'DROP VIEW faultline.otel_traces_trace_id_ts_mv',
  'DROP VIEW faultline.otel_traces_1m_mv',
];
/**
 * Each variant: the compression its tables are created with, then statements changing them,
 * or MergeTree settings `otel_traces` is created again with (those a table cannot change).
 */
const VARIANTS = {
  shipped: { compression: SHIPPED_COMPRESSION, statements: [] },
  'no-map-blooms': { compression: SHIPPED_COMPRESSION, statements: dropIndexes(MAP_BLOOMS) },
  'no-views': { compression: SHIPPED_COMPRESSION, statements: DROP_VIEWS },
  bare: {
    compression: SHIPPED_COMPRESSION,
    statements: [...dropIndexes([...MAP_BLOOMS, 'idx_trace_id', 'idx_duration']), ...DROP_VIEWS],
  },
  zstd: { compression: 'zstd', statements: [] },
  'granules-10mib': {
    compression: SHIPPED_COMPRESSION,
    statements: [],
    createdWith: { index_granularity_bytes: '10485760' },
  },
};
/** How long merges may run after the last insert before the variant gives up waiting. */
const MERGE_WAIT_MS = 120_000;

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

/** One variant, in this process: the CPU µs per row of its inserts, and with their merges. */
async function measureVariant(name) {
  const dir = mkdtempSync(join(os.tmpdir(), 'faultline-schema-'));
  const store = new EmbeddedStore(join(dir, 'chdb'), 'faultline', Math.floor(os.totalmem() * 0.3));
  try {
    await store.open();
    const { compression, statements, createdWith } = VARIANTS[name];
    await migrate(store, { database: 'faultline', compression }, pino({ level: 'silent' }));
    for (const sql of statements) await store.command(sql);
    if (createdWith) await recreateWith(store, createdWith);
    const freshSpans = freshSpanSource(benchPool(params).requests);
    const encoder = spanBlockEncoder();
    const native = { format: { name: 'Native', columns: encoder.columnNames } };
    const blocks = Array.from({ length: params.rounds + 1 }, () =>
      encoder.encode(freshSpans(params.rowsPerInsert)),
    );
    // Merges wait until every part is in, so that the inserts are timed alone and the merge
    // takes them all at once, as the background merge of a second's parts does.
    await store.command('SYSTEM STOP MERGES faultline.otel_traces');
    await store.insert('otel_traces', blocks[0], native); // warm-up
    const start = cpuNow();
    for (const block of blocks.slice(1)) await store.insert('otel_traces', block, native);
    const inserted = cpuNow();
    await store.command('SYSTEM START MERGES faultline.otel_traces');
    const mergeMemory = sampleMergeMemory(store);
    await store.command('OPTIMIZE TABLE faultline.otel_traces FINAL');
    const merged = (await mergesDone(store)) && (await activeParts(store)) === 1;
    const mergeMemoryMiB = await mergeMemory.stop();
    const rows = params.rounds * params.rowsPerInsert;
    // The warm-up's part is merged too.
    const mergedRows = rows + params.rowsPerInsert;
    return {
      insertCpuUsPerRow: round(((inserted - start) / rows) * 1e6),
      mergeCpuUsPerRow: merged ? round(((cpuNow() - inserted) / mergedRows) * 1e6) : null,
      mergeMemoryMiB: merged ? mergeMemoryMiB : null,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `otel_traces` created again, empty, with `settings` (name → value) in place of those it was
 * created with of the same names, or added to them.
 */
async function recreateWith(store, settings) {
  const create = (
    await store.query('SHOW CREATE TABLE faultline.otel_traces', { format: 'TSVRaw' })
  ).trim();
  const clause = /\nSETTINGS (.*)$/.exec(create);
  if (!clause) throw new Error('otel_traces was created without a SETTINGS clause');
  const given = new Map(clause[1].split(', ').map((setting) => setting.split(' = ')));
  for (const [name, value] of Object.entries(settings)) given.set(name, value);
  const listed = [...given].map(([name, value]) => `${name} = ${value}`).join(', ');
  await store.command('DROP TABLE faultline.otel_traces SYNC');
  await store.command(`${create.slice(0, clause.index)}\nSETTINGS ${listed}`);
}

/**
 * The most memory the engine counted for a merge of `otel_traces`, read from `system.merges`
 * every 50 ms (on another connection) until `stop`: what the daemon's peak RSS rises by while
 * such a merge runs.
 */
function sampleMergeMemory(store) {
  let most = 0;
  let sampling = true;
  const sampled = (async () => {
    while (sampling) {
      const bytes = await store.query(
        "SELECT max(memory_usage) FROM system.merges WHERE database = 'faultline' AND table = 'otel_traces'",
        { format: 'TSV' },
      );
      most = Math.max(most, Number(bytes.trim()) || 0);
      await sleep(50);
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await sampled;
      return round(most / 2 ** 20, 0);
    },
  };
}

/** Waits until no merge runs twice in a row; false when they did not settle in time. */
async function mergesDone(store) {
  const until = Date.now() + MERGE_WAIT_MS;
  let quiet = 0;
  while (Date.now() < until) {
    const running = await store.query('SELECT count() FROM system.merges', { format: 'TSV' });
    quiet = Number(running.trim()) === 0 ? quiet + 1 : 0;
    if (quiet === 2) return true;
    await sleep(250);
  }
  return false;
}

/** The active parts of `otel_traces`. */
async function activeParts(store) {
  const parts = await store.query(
    "SELECT count() FROM system.parts WHERE active AND database = 'faultline' AND table = 'otel_traces'",
    { format: 'TSV' },
  );
  return Number(parts.trim());
}

/** Runs one variant in a child process (this file with `--variant`) and returns its result. */
function inChild(name) {
  return new Promise((resolve, reject) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      [...process.argv.slice(2), '--variant', name],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    let result;
    child.once('message', (message) => (result = message));
    child.once('exit', (code) =>
      code === 0 && result
        ? resolve(result)
        : reject(new Error(`variant ${name} exited with ${code}`)),
    );
  });
}

const variantArg = process.argv.indexOf('--variant');
if (variantArg !== -1) {
  process.send(await measureVariant(process.argv[variantArg + 1]));
  process.exit(0);
}

const info = machine();
const runs = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
for (let turn = 0; turn < params.repeat; turn++) {
  for (const name of Object.keys(VARIANTS)) runs[name].push(await inChild(name));
}
const median = (values) => {
  const known = values.filter((v) => v !== null).sort((a, b) => a - b);
  return known.length ? known[known.length >> 1] : null;
};
const variants = Object.fromEntries(
  Object.entries(runs).map(([name, results]) => [
    name,
    {
      insertCpuUsPerRow: median(results.map((r) => r.insertCpuUsPerRow)),
      mergeCpuUsPerRow: median(results.map((r) => r.mergeCpuUsPerRow)),
      mergeMemoryMiB: median(results.map((r) => r.mergeMemoryMiB)),
      runs: results,
    },
  ]),
);
const file = writeResults('schema', { scenario: 'schema', ...info, parameters: params, variants });

console.log(`\n== schema — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `otel_traces inserts of ${params.rowsPerInsert.toLocaleString('en-US')} rows × ${params.rounds}; CPU µs per row (the process, engine threads included), median of ${params.repeat}`,
);
console.log(
  `  ${'variant'.padEnd(16)}${'insert'.padStart(8)}${'merge'.padStart(8)}${'merge MiB'.padStart(11)}`,
);
for (const [name, r] of Object.entries(variants)) {
  console.log(
    `  ${name.padEnd(16)}${String(r.insertCpuUsPerRow).padStart(8)}${String(r.mergeCpuUsPerRow ?? 'unsettled').padStart(8)}${String(r.mergeMemoryMiB ?? '-').padStart(11)}`,
  );
}
console.log(`\nwrote ${file}`);
