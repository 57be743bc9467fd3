// Scenario "threads": where the daemon's CPU goes, thread by thread, per stored span, from the
// first request until every acknowledged span is counted by SQL (the drain included). The
// ingest scenario's CPU figure covers its load window only; the engine's inserts and merges
// that lag behind it, and the garbage collector's helper threads, are counted here.
//
// Threads are grouped by name, as Linux reports them in /proc/<pid>/task/*/comm: the main
// thread (JavaScript and the event loop), `node` (V8's platform workers — parallel and
// concurrent garbage collection — and libuv's pool, which also runs chDB's async calls),
// `ThreadPool` (the engine's insert pipelines), `MergeMutate` (its background merges), …
//
//   npm run bench:threads                     # closed loop, 16 requests in flight, 10 s
//   node bench/threads.mjs --rate 4000 --duration 12
//
// Options (flag or environment): --duration BENCH_DURATION (s), --concurrency
// BENCH_CONCURRENCY (closed loop), --rate BENCH_RATE (spans/s, open loop; 0: closed loop),
// --batch BENCH_BATCH (spans per request), --pool BENCH_POOL, --processors BENCH_PROCESSORS
// (comma-separated, in order; `none` for receiver → exporter only). BENCH_DAEMON_NODE_OPTIONS
// passes node flags to the daemon (`--single-threaded-gc` moves the collector's work from `node`
// to the main thread, which tells it apart from libuv's pool). Results:
// bench/results/threads.json.

import { fork } from 'node:child_process';
import console from 'node:console';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { URL, fileURLToPath } from 'node:url';
import { clockTicks, machine, option, round, textOption, writeResults } from './common.mjs';
import { startDaemon } from './daemon.mjs';

const LOADGEN = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));
const DRAIN_TIMEOUT_MS = 120_000;

const params = {
  durationSec: option('duration', 'BENCH_DURATION', 10),
  concurrency: option('concurrency', 'BENCH_CONCURRENCY', 16),
  rateSpansPerSec: option('rate', 'BENCH_RATE', 0),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
  processors: textOption(
    'processors',
    'BENCH_PROCESSORS',
    'memory_limiter,redact,assemble,classify,alert',
  ),
};
const CLK_TCK = clockTicks();

/**
 * CPU milliseconds and minor page faults so far of each thread of `pid`, with its name (the main
 * thread: MAIN).
 */
function threadTimes(pid) {
  const times = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name; minflt is the 8th of them, utime and stime the
      // 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
      const faults = Number(fields[7]);
      times.set(tid, { name: tid === String(pid) ? 'MAIN' : name, ms, faults });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return times;
}

const processors = params.processors === 'none' ? [] : params.processors.split(',');
const daemon = await startDaemon({
  processors,
  exporters: ['clickhouse', 'prometheus'],
  queue: { enabled: true, fsync: 'interval' },
});
try {
  const before = threadTimes(daemon.pid);
  const loadgen = fork(
    LOADGEN,
    [
      ...['--grpc', daemon.grpc, '--http', daemon.http, '--warmup', '0'],
      ...['--duration', String(params.durationSec), '--concurrency', String(params.concurrency)],
      ...['--batch', String(params.spansPerRequest), '--pool', String(params.poolSize)],
      ...(params.rateSpansPerSec ? ['--rate', String(params.rateSpansPerSec)] : []),
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  let result;
  loadgen.on('message', (message) => {
    if (message.type === 'result') result = message;
  });
  await new Promise((resolve) => loadgen.once('exit', resolve));
  if (!result) throw new Error('the load generator ended without a result');
  const acked = result.measured.total.ackedSpans + result.warmup.ackedSpans;

  const started = Date.now();
  let stored = 0;
  while (Date.now() - started < DRAIN_TIMEOUT_MS) {
    stored = await daemon.count();
    if (stored >= acked) break;
    await setTimeout(250);
  }
  const after = threadTimes(daemon.pid);

  const byName = new Map();
  let totalMs = 0;
  let totalFaults = 0;
  for (const [tid, { name, ms, faults }] of after) {
    const spent = ms - (before.get(tid)?.ms ?? 0);
    const faulted = faults - (before.get(tid)?.faults ?? 0);
    totalMs += spent;
    totalFaults += faulted;
    const group = byName.get(name) ?? { ms: 0, faults: 0 };
    group.ms += spent;
    group.faults += faulted;
    byName.set(name, group);
  }
  const perSpan = (ms) => round((ms * 1000) / Math.max(1, stored), 1);
  const faultsPerSpan = (faults) => round(faults / Math.max(1, stored), 2);
  const groups = [...byName]
    .filter(([, { ms, faults }]) => ms > 0 || faults > 0)
    .sort((a, b) => b[1].ms - a[1].ms);
  const threads = Object.fromEntries(groups.map(([name, { ms }]) => [name, perSpan(ms)]));
  const faults = Object.fromEntries(
    groups.map(([name, group]) => [name, faultsPerSpan(group.faults)]),
  );
  const figures = {
    scenario: 'threads',
    ...machine(),
    parameters: params,
    ackedSpans: acked,
    storedSpans: stored,
    drainMs: Date.now() - started,
    cpuUsPerStoredSpan: { total: perSpan(totalMs), ...threads },
    // A first touch of a page; on a virtual machine one can cost ~10 µs (see README).
    pageFaultsPerStoredSpan: { total: faultsPerSpan(totalFaults), ...faults },
  };
  console.log(
    `\n== threads: ${stored.toLocaleString('en')} of ${acked.toLocaleString('en')} acked spans stored, ` +
      `drained ${figures.drainMs} ms after the last ack`,
  );
  console.log(
    `CPU µs per stored span, drain included: ${figures.cpuUsPerStoredSpan.total}; ` +
      `page faults per stored span: ${figures.pageFaultsPerStoredSpan.total}`,
  );
  console.log(`  ${'CPU µs'.padStart(7)}  ${'faults'.padStart(7)}  thread`);
  for (const [name, us] of Object.entries(threads))
    console.log(`  ${String(us).padStart(7)}  ${String(faults[name]).padStart(7)}  ${name}`);
  writeResults('threads', figures);
} finally {
  await daemon.stop();
}
