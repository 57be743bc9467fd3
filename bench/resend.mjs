// Scenario "resend": identical requests sent again and again, concurrently, as OTLP exporters do
// after a timeout, a 429 or a 503. The same spans arrive many times; the daemon must stay
// responsive, keep its memory bounded, count each span once per agent trace, and stop on
// SIGTERM in time.
//
//   npm run build && node bench/resend.mjs                # defaults, ~40 s
//   node bench/resend.mjs --duration 30 --concurrency 8 --batch 500 --pool 4
//
// Options (flag or environment): --duration BENCH_DURATION (s), --concurrency
// BENCH_CONCURRENCY (clients, half OTLP/gRPC, half OTLP/HTTP), --batch BENCH_BATCH (spans per
// request), --pool BENCH_POOL (distinct requests, resent in rotation). The daemon runs the
// shipped pipeline (memory_limiter, redact, assemble, classify, alert → clickhouse, prometheus).
//
// Measured: /healthz answered within 1 s (a probe every 200 ms), its latency; the daemon's RSS
// (sampled every 250 ms, and peak VmHWM); after the load, how long the queue takes to drain,
// the stored rows (otel_traces, distinct spans, agent_traces FINAL, failures FINAL) and how many
// agent traces count a different number of spans than otel_traces holds distinct span ids for;
// how long SIGTERM takes. Results: bench/results/resend.json.

import { fork } from 'node:child_process';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval, clearInterval, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { machine, option, round, writeResults } from './common.mjs';
import { startDaemon } from './daemon.mjs';

const LOADGEN = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));
const PROBE_EVERY_MS = 200;
const PROBE_TIMEOUT_MS = 1000;
const DRAIN_TIMEOUT_MS = 60_000;

const params = {
  durationSec: option('duration', 'BENCH_DURATION', 15),
  concurrency: option('concurrency', 'BENCH_CONCURRENCY', 8),
  spansPerRequest: option('batch', 'BENCH_BATCH', 500),
  poolSize: option('pool', 'BENCH_POOL', 4),
};

const daemon = await startDaemon({
  processors: ['memory_limiter', 'redact', 'assemble', 'classify', 'alert'],
  exporters: ['clickhouse', 'prometheus'],
});
const stopNow = () => {
  daemon.killNow();
  daemon.cleanupNow();
  process.exit(1);
};
process.once('SIGINT', stopNow);
setTimeout(
  () => {
    console.error('resend benchmark exceeded its time budget; aborted');
    stopNow();
  },
  (params.durationSec + 300) * 1000,
).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kib) => round(kib / 1024, 1);
const quantile = (values, q) => {
  const sorted = Float64Array.from(values).sort();
  return sorted.length
    ? round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)], 1)
    : null;
};

/** The first row of a query's answer, or its error: on a stalled daemon queries can fail. */
async function sql(query) {
  try {
    return await firstRow(query);
  } catch (error) {
    return { n: `failed: ${String(error).slice(0, 200)}` };
  }
}

async function firstRow(query) {
  const response = await globalThis.fetch(`${daemon.adminUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql: query, format: 'JSONEachRow' }),
    signal: globalThis.AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`query failed (${response.status}): ${text}`);
  return JSON.parse(text.split('\n')[0]);
}

/** Probes /healthz until `done`; each probe gives up after 1 s. */
function probeHealth(done) {
  const latencies = [];
  let failed = 0;
  const run = (async () => {
    while (!done()) {
      const started = performance.now();
      try {
        const response = await globalThis.fetch(`${daemon.adminUrl}/healthz`, {
          signal: globalThis.AbortSignal.timeout(PROBE_TIMEOUT_MS),
        });
        await response.text();
        if (response.ok) latencies.push(performance.now() - started);
        else failed++;
      } catch {
        failed++;
      }
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return { run, latencies, failed: () => failed };
}

let rssMaxKiB = 0;
const rssSampler = setInterval(() => {
  rssMaxKiB = Math.max(rssMaxKiB, daemon.proc().rssKiB);
}, 250);

let loading = true;
const health = probeHealth(() => !loading);
const loadgen = fork(
  LOADGEN,
  [
    '--grpc',
    daemon.grpc,
    '--http',
    daemon.http,
    '--concurrency',
    String(params.concurrency),
    '--batch',
    String(params.spansPerRequest),
    '--pool',
    String(params.poolSize),
    '--duration',
    String(params.durationSec),
    '--warmup',
    '0',
    '--resend',
  ],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const load = await new Promise((resolve, reject) => {
  loadgen.on('message', (message) => message.type === 'result' && resolve(message));
  loadgen.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
});
loading = false;
await health.run;

// After the load: the queue drains (or not), then what was stored.
const drainStarted = performance.now();
let drained = false;
while (performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
  const queued = await daemon.metrics().then(
    (sums) => sums.get('faultline_queue_rows'),
    () => undefined,
  );
  if (queued === 0) {
    drained = true;
    break;
  }
  await sleep(250);
}
const drainSec = round((performance.now() - drainStarted) / 1000, 1);
// Traces still held are emitted after decision_wait (10 s) and stored a batch later.
await sleep(15_000);
const stored = {
  otelTracesRows: (await sql('SELECT count() AS n FROM faultline.otel_traces')).n,
  distinctSpans: (await sql('SELECT uniqExact(TraceId, SpanId) AS n FROM faultline.otel_traces')).n,
  agentTraces: (await sql('SELECT count() AS n FROM faultline.agent_traces FINAL')).n,
  agentTraceSpanCountSum: (
    await sql('SELECT sum(SpanCount) AS n FROM faultline.agent_traces FINAL')
  ).n,
  failures: (await sql('SELECT count() AS n FROM faultline.failures FINAL')).n,
  tracesCountingSpansWrongly: (
    await sql(`SELECT countIf(a.SpanCount != s.n) AS n
      FROM (SELECT TraceId, SpanCount FROM faultline.agent_traces FINAL) AS a
      INNER JOIN (SELECT TraceId, uniqExact(SpanId) AS n FROM faultline.otel_traces GROUP BY TraceId) AS s
      USING TraceId`)
  ).n,
};
clearInterval(rssSampler);
const atEnd = daemon.proc();

const stopStarted = performance.now();
await daemon.stop();
const stopSec = round((performance.now() - stopStarted) / 1000, 1);

const result = {
  machine: machine(),
  params,
  load: load.measured.total,
  loadErrors: load.errors,
  healthz: {
    probes: health.latencies.length + health.failed(),
    unanswered: health.failed(),
    latencyMs: {
      p50: quantile(health.latencies, 0.5),
      p99: quantile(health.latencies, 0.99),
      max: quantile(health.latencies, 1),
    },
  },
  rss: { maxSampledMiB: mib(rssMaxKiB), peakMiB: mib(atEnd.hwmKiB), atEndMiB: mib(atEnd.rssKiB) },
  queue: { drained, drainSec },
  stored,
  sigtermExitSec: stopSec,
};
writeResults('resend', result);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
