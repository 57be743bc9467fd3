// Scenario "ingest": the whole daemon under realistic agent traffic, end to end.
//
// Phase 1 (max): a load generator in its own process keeps `concurrency` requests in flight
// (half OTLP/gRPC, half OTLP/HTTP protobuf) for `duration` seconds after a warm-up. With the
// queue off acks wait for the insert, so the clients must hold more spans in flight than one
// exporter batch (64 x 200 = 12,800 > max_rows 10,000); with fewer, the figure is the batch
// timer's, not the daemon's limit.
// Phase 2 (half): a fresh daemon, an open-loop load at half the rate phase 1 acked: SPEC §9's
// ack latency target is set there.
// Phase 3 (rate): a fresh daemon, an open-loop load at `rate` spans/s: SPEC §9's memory target
// is set at 10,000 spans/s.
// Each phase measures the daemon process (CPU from /proc/<pid>/stat, peak RSS from VmHWM),
// the load generator's ack latencies, and afterwards how long until every acknowledged span is
// counted by SQL through the admin API, and whether any is missing.
//
//   npm run bench:ingest                       # defaults, ~3 min
//   node bench/ingest.mjs --duration 60 --concurrency 32 --rate 20000
//
// Options (flag or environment): --duration BENCH_DURATION (s, 0 skips the phase),
// --warmup BENCH_WARMUP (s), --concurrency BENCH_CONCURRENCY, --batch BENCH_BATCH (spans per
// request), --pool BENCH_POOL (distinct requests), --rate BENCH_RATE (spans/s; 0 skips the phase),
// --rate-duration BENCH_RATE_DURATION (s, for phases 2 and 3; 0 skips both), --rate-warmup
// BENCH_RATE_WARMUP (s, for phases 2 and 3),
// --batch-timeout-ms BENCH_BATCH_TIMEOUT_MS
// and --max-rows BENCH_MAX_ROWS (the exporter's batching; default: the daemon's defaults),
// --processors BENCH_PROCESSORS (comma-separated, in order; default the shipped pipeline
// memory_limiter,redact,assemble,classify,alert; `none` for receiver → exporter only),
// --exporters BENCH_EXPORTERS (comma-separated; default the shipped clickhouse,prometheus;
// `clickhouse` alone measures the pipeline without the prometheus exporter), --queue BENCH_QUEUE
// (on: acks once in the durable queue, the default; off: acks once inserted), --fsync
// BENCH_FSYNC (the queue's fsync policy: always, interval or never), --queue-max-bytes
// BENCH_QUEUE_MAX_BYTES (the queue's bound per table, e.g. 24MiB: how the daemon behaves
// while it is full and the clients resend at once; default the daemon's), --transports
// BENCH_TRANSPORTS (grpc, http or both, comma-separated: what the load generator sends over;
// default both, half the connections each), --compression BENCH_COMPRESSION (none or gzip: how
// the load generator sends; the OpenTelemetry Collector's OTLP exporters gzip by default),
// --engine BENCH_ENGINE (embedded, the default, or server: the daemon's server engine, talking to
// chDB in a process of its own through ClickHouse's HTTP interface, bench/clickhouse-http.mjs;
// the engine process's CPU and memory are reported apart from the daemon's).
// BENCH_DAEMON_NODE_OPTIONS passes node flags to the daemon only (e.g. "--cpu-prof
// --cpu-prof-dir=/somewhere"). Results: bench/results/ingest.json (ingest-server.json with
// --engine server).

import { fork } from 'node:child_process';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval, clearInterval, setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import {
  clockTicks,
  machine,
  machineBusyTicks,
  option,
  round,
  textOption,
  writeResults,
} from './common.mjs';
import { startDaemon } from './daemon.mjs';

const LOADGEN = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));
// With the durable queue, acks can run ahead of storage: wait long enough for the backlog to
// drain, so what is still missing at the end really is lost.
const VISIBILITY_TIMEOUT_MS = 120_000;

/**
 * Every phase is measured after the daemon's first trace emission. The assemble processor hands
 * a trace on `decision_wait` (10 s by default) after its last span, so ~11 s into the load the
 * daemon starts running code no request ran before (trace classification, summaries,
 * documents, trace blocks): compiling it stalled the event loop for ~200–300 ms once, the
 * largest latencies of a 2 s-warm-up run, and before it the daemon did less work per span than
 * it does from then on.
 */
const WARMUP_SEC = 13;

const params = {
  durationSec: option('duration', 'BENCH_DURATION', 20),
  warmupSec: option('warmup', 'BENCH_WARMUP', WARMUP_SEC),
  concurrency: option('concurrency', 'BENCH_CONCURRENCY', 64),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
  rateSpansPerSec: option('rate', 'BENCH_RATE', 10_000),
  rateDurationSec: option('rate-duration', 'BENCH_RATE_DURATION', 15),
  rateWarmupSec: option('rate-warmup', 'BENCH_RATE_WARMUP', WARMUP_SEC),
  exporterBatchTimeoutMs: option('batch-timeout-ms', 'BENCH_BATCH_TIMEOUT_MS', 0) || 'default',
  exporterMaxRows: option('max-rows', 'BENCH_MAX_ROWS', 0) || 'default',
  processors: textOption(
    'processors',
    'BENCH_PROCESSORS',
    'memory_limiter,redact,assemble,classify,alert',
  ),
  exporters: textOption('exporters', 'BENCH_EXPORTERS', 'clickhouse,prometheus'),
  queue: textOption('queue', 'BENCH_QUEUE', 'on'),
  fsync: textOption('fsync', 'BENCH_FSYNC', 'interval'),
  queueMaxBytes: textOption('queue-max-bytes', 'BENCH_QUEUE_MAX_BYTES', 'default'),
  transports: textOption('transports', 'BENCH_TRANSPORTS', 'grpc,http'),
  compression: textOption('compression', 'BENCH_COMPRESSION', 'none'),
  engine: textOption('engine', 'BENCH_ENGINE', 'embedded'),
};
if (params.engine !== 'embedded' && params.engine !== 'server') {
  throw new Error(`--engine takes embedded or server, not "${params.engine}"`);
}
// SPEC §9: the embedded engine in the daemon's process; the server engine outside it.
const RSS_TARGET_MIB_AT_10K = params.engine === 'server' ? 150 : 400;
const transportList = params.transports.split(',').filter(Boolean);
if (transportList.length === 0 || transportList.some((t) => t !== 'grpc' && t !== 'http')) {
  throw new Error(
    `--transports takes grpc, http or both (comma-separated), not "${params.transports}"`,
  );
}
const exporterList = params.exporters.split(',').filter(Boolean);
const processorList =
  params.processors === 'none' ? [] : params.processors.split(',').filter(Boolean);
const CLK_TCK = clockTicks();

// ---- bounded run: everything this process started goes away on exit, Ctrl-C or a hang ----

const active = { daemon: undefined, loadgen: undefined };
function abandon(code, reason) {
  if (reason) console.error(reason);
  active.loadgen?.kill('SIGKILL');
  active.daemon?.killNow();
  active.daemon?.cleanupNow();
  process.exit(code);
}
process.once('SIGINT', () => abandon(130, '\ninterrupted; stopping the daemon'));
process.once('SIGTERM', () => abandon(143));
const budgetSec =
  params.warmupSec + params.durationSec + 2 * (params.rateWarmupSec + params.rateDurationSec) + 240;
setTimeout(
  () => abandon(1, `ingest benchmark exceeded ${budgetSec} s; aborted`),
  budgetSec * 1000,
).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kib) => round(kib / 1024, 1);

async function runPhase(loadgenArgs) {
  const daemon = await startDaemon({
    batchTimeout:
      params.exporterBatchTimeoutMs === 'default'
        ? undefined
        : `${params.exporterBatchTimeoutMs}ms`,
    maxRows: params.exporterMaxRows === 'default' ? undefined : params.exporterMaxRows,
    processors: processorList,
    exporters: exporterList,
    engine: params.engine,
    queue: {
      enabled: params.queue !== 'off',
      fsync: params.fsync,
      ...(params.queueMaxBytes === 'default' ? {} : { max_bytes: params.queueMaxBytes }),
    },
  });
  active.daemon = daemon;
  const engineStats = () => daemon.engineProc?.() ?? { ticks: 0, hwmKiB: 0, rssKiB: 0 };
  try {
    const atStart = daemon.proc();
    const engineAtStart = engineStats();
    const loadgen = fork(
      LOADGEN,
      [
        ...transportList.flatMap((transport) => [`--${transport}`, daemon[transport]]),
        '--concurrency',
        String(params.concurrency),
        '--batch',
        String(params.spansPerRequest),
        '--pool',
        String(params.poolSize),
        '--compression',
        params.compression,
        ...loadgenArgs,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    active.loadgen = loadgen;
    let begin;
    let end;
    let result;
    let metricsAtBegin = Promise.resolve(null);
    let rssMaxKiB = 0;
    const sampler = setInterval(() => {
      rssMaxKiB = Math.max(rssMaxKiB, daemon.proc().rssKiB);
    }, 250);
    await new Promise((resolve, reject) => {
      loadgen.on('message', (message) => {
        if (message.type === 'measure') {
          begin = { t: performance.now(), machineTicks: machineBusyTicks(), ...daemon.proc() };
          begin.engine = engineStats();
          metricsAtBegin = daemon.metrics().catch(() => null);
        }
        if (message.type === 'result') {
          end = { t: performance.now(), machineTicks: machineBusyTicks(), ...daemon.proc() };
          end.engine = engineStats();
          result = message;
        }
      });
      loadgen.once('exit', (code) =>
        result ? resolve() : reject(new Error(`the load generator exited with ${code}`)),
      );
    });
    clearInterval(sampler);
    active.loadgen = undefined;
    // No warm-up:
    begin ??= {
      t: performance.now(),
      machineTicks: machineBusyTicks(),
      ...atStart,
      engine: engineAtStart,
    };
    const m0 = await metricsAtBegin;
    const m1 = await daemon.metrics().catch(() => null);
    const acked = result.warmup.ackedSpans + result.measured.total.ackedSpans;
    let stored = 0;
    let visibleMs = null;
    for (;;) {
      stored = await daemon.count();
      const waited = performance.now() - end.t;
      if (stored >= acked) {
        visibleMs = waited;
        break;
      }
      if (waited > VISIBILITY_TIMEOUT_MS) break;
      // Under the query API's default rate limit (20 requests/s per client).
      await sleep(60);
    }
    const drained = daemon.proc();
    const engineDrained = engineStats();
    const windowSec = (end.t - begin.t) / 1000;
    const cpuSec = (end.ticks - begin.ticks) / CLK_TCK;
    const engineCpuSec = (end.engine.ticks - begin.engine.ticks) / CLK_TCK;
    // Everything else the machine ran in the window (this process included): near 0 on a quiet
    // machine; more means the figures are skewed.
    const otherCpuSec =
      (end.machineTicks - begin.machineTicks) / CLK_TCK -
      cpuSec -
      engineCpuSec -
      result.loadgenCpuSec;
    const spans = result.measured.total.ackedSpans;
    const perTransport = {};
    for (const name of ['grpc', 'http']) {
      const t = result.measured[name];
      if (!t) continue;
      perTransport[name] = {
        spansPerSec: round(t.ackedSpans / windowSec, 0),
        requestsPerSec: round(t.ackedRequests / windowSec, 1),
        ackedSpans: t.ackedSpans,
        refusedSpans: t.refusedSpans,
        ackLatencyMs: t.latencyMs,
      };
    }
    return {
      windowSec: round(windowSec, 2),
      spansPerSec: round(spans / windowSec, 0),
      requestsPerSec: round(result.measured.total.ackedRequests / windowSec, 1),
      ackLatencyMs: result.measured.total.latencyMs,
      refusedSpans: result.measured.total.refusedSpans + result.warmup.refusedSpans,
      daemonCpuSec: round(cpuSec, 2),
      daemonCpuPercentOfOneCore: round((cpuSec / windowSec) * 100, 1),
      daemonCpuSecPer100kSpans: spans ? round((cpuSec / spans) * 100_000, 3) : null,
      // The share of the window the main thread (JavaScript, the event loop) was on a core: the
      // busier it is, the more requests queue behind one another, and the ack tail with them.
      mainThreadBusyPercent: round(
        ((end.mainThreadTicks - begin.mainThreadTicks) / CLK_TCK / windowSec) * 100,
        1,
      ),
      // The window's CPU leaves out engine work that lags behind it. This one is everything the
      // daemon spent from the first request (warm-up included) until the last acknowledged
      // span was visible, per span stored.
      daemonCpuUsPerStoredSpanAllIn:
        visibleMs === null
          ? null
          : round(((drained.ticks - atStart.ticks) / CLK_TCK / acked) * 1e6, 1),
      // Each first touch of a page is a fault; on a virtual machine one can cost ~10 µs.
      daemonMinorFaultsPerSpan: spans
        ? round((end.minorFaults - begin.minorFaults) / spans, 2)
        : null,
      loadgenCpuSec: result.loadgenCpuSec,
      // With the server engine: its process, apart from the daemon's (null when embedded).
      engineProcess: daemon.engineProc
        ? {
            cpuSec: round(engineCpuSec, 2),
            cpuPercentOfOneCore: round((engineCpuSec / windowSec) * 100, 1),
            cpuUsPerStoredSpanAllIn:
              visibleMs === null
                ? null
                : round(((engineDrained.ticks - engineAtStart.ticks) / CLK_TCK / acked) * 1e6, 1),
            peakRssMiB: mib(engineDrained.hwmKiB),
          }
        : null,
      peakRssMiB: mib(end.hwmKiB),
      maxSampledRssMiB: mib(Math.max(rssMaxKiB, end.rssKiB)),
      rssAtEndMiB: mib(end.rssKiB),
      rssFileBackedAtEndMiB: mib(end.rssFileKiB),
      rssBeforeLoadMiB: mib(atStart.rssKiB),
      daemonThreads: end.threads,
      ackedSpansTotal: acked,
      storedSpans: stored,
      lostSpans: Math.max(0, acked - stored),
      visibleAfterLoadMs: visibleMs === null ? null : round(visibleMs, 1),
      // What storage kept up with: the window's acked spans over the window plus the time the
      // backlog took to become visible (a lower bound when the queue was ahead of storage).
      storedSpansPerSec:
        visibleMs === null ? null : round(spans / (windowSec + visibleMs / 1000), 0),
      exporter: exporterFigures(m0, m1, windowSec),
      gcPauses: gcPauses(m0, m1, windowSec),
      eventLoopDelayMs: eventLoopDelay(m0, m1),
      otherCpuPercentOfOneCore: round((Math.max(0, otherCpuSec) / windowSec) * 100, 1),
      lateSends: result.lateSends,
      skippedSends: result.skippedSends,
      perTransport,
      errors: result.errors,
      payload: result.payload,
    };
  } finally {
    active.loadgen?.kill('SIGKILL');
    active.loadgen = undefined;
    await daemon.stop();
    active.daemon = undefined;
  }
}

/** What the daemon's own metrics say about its inserts in the window, and its memory. */
function exporterFigures(m0, m1, windowSec) {
  if (!m0 || !m1) return null;
  // A labelled counter appears with its first increment: absent at the window's start is 0.
  const delta = (name) => (m1.get(name) ?? NaN) - (m0.get(name) ?? 0);
  const batches = delta('faultline_exporter_batches_total');
  const seconds = delta('faultline_exporter_send_duration_seconds_sum');
  return {
    inserts: batches,
    rowsPerInsert: round(delta('faultline_exporter_rows_total') / batches, 0),
    insertMsMean: round(
      (seconds / delta('faultline_exporter_send_duration_seconds_count')) * 1000,
      1,
    ),
    // Batches are inserted one at a time: near 100% the insert path is the bottleneck.
    insertBusyPercent: round((seconds / windowSec) * 100, 0),
    jsHeapUsedMiB: mib((m1.get('nodejs_heap_size_used_bytes') ?? NaN) / 1024),
    jsHeapTotalMiB: mib((m1.get('nodejs_heap_size_total_bytes') ?? NaN) / 1024),
    externalMiB: mib((m1.get('nodejs_external_memory_bytes') ?? NaN) / 1024),
  };
}

/**
 * The daemon's garbage-collection pauses in the window, from prom-client's
 * `nodejs_gc_duration_seconds` (main-thread pause per collection): scavenges (`minor`) and
 * full collections (`major`), how many, their total, and how many held the thread over 10 ms.
 * Every request in flight waits through a pause, so long ones reach the ack latency's tail.
 */
function gcPauses(m0, m1, windowSec) {
  if (!m0 || !m1) return null;
  const delta = (key) => (m1.get(key) ?? 0) - (m0.get(key) ?? 0);
  const kind = (name) => {
    const count = delta(`nodejs_gc_duration_seconds_count{kind="${name}"}`);
    const within10ms = delta(`nodejs_gc_duration_seconds_bucket{kind="${name}",le="0.01"}`);
    return {
      count,
      totalMs: round(delta(`nodejs_gc_duration_seconds_sum{kind="${name}"}`) * 1000, 0),
      over10ms: count - within10ms,
    };
  };
  const minor = kind('minor');
  const major = kind('major');
  const pausedPercent = round(((minor.totalMs + major.totalMs) / 1000 / windowSec) * 100, 1);
  return { minor, major, pausedPercent };
}

/**
 * The daemon's main thread's monitor timer, prom-client's `eventLoopMonitoringPrecision`
 * default, which `src/telemetry/metrics.ts` does not change.
 */
const LOOP_MONITOR_MS = 10;

/**
 * How late the event loop let a 10 ms timer fire in the window, from prom-client's
 * `nodejs_eventloop_lag_*` gauges: their histogram is read and reset at every scrape, so the
 * scrape at the window's end covers the window. A request waits through whatever holds the
 * loop, so this bounds its ack latency from below, and it moves far less from run to run than
 * the ack p99 does on a shared machine.
 */
function eventLoopDelay(m0, m1) {
  if (!m0 || !m1) return null;
  const late = (quantile) =>
    round(
      Math.max(
        0,
        (m1.get(`nodejs_eventloop_lag_${quantile}_seconds`) ?? NaN) * 1000 - LOOP_MONITOR_MS,
      ),
      1,
    );
  return { p50: late('p50'), p99: late('p99'), max: late('max') };
}

// ---- the run ----

const info = machine();
const phases = {};
if (params.durationSec > 0) {
  phases.max = await runPhase([
    '--duration',
    String(params.durationSec),
    '--warmup',
    String(params.warmupSec),
  ]);
}
/** An open-loop phase at `spansPerSec` on a fresh daemon. */
const ratePhase = (spansPerSec) =>
  runPhase([
    '--rate',
    String(spansPerSec),
    '--duration',
    String(params.rateDurationSec),
    '--warmup',
    String(params.rateWarmupSec),
  ]);
if (phases.max && params.rateDurationSec > 0) {
  params.halfRateSpansPerSec = Math.round(phases.max.spansPerSec / 2);
  phases.half = await ratePhase(params.halfRateSpansPerSec);
}
if (params.rateSpansPerSec > 0 && params.rateDurationSec > 0) {
  phases.rate = await ratePhase(params.rateSpansPerSec);
}
const payload = (phases.max ?? phases.rate)?.payload;
for (const phase of Object.values(phases)) delete phase.payload;
const file = writeResults(params.engine === 'server' ? 'ingest-server' : 'ingest', {
  scenario: 'ingest',
  ...info,
  clockTicksPerSec: CLK_TCK,
  parameters: params,
  payload,
  // SPEC §9.
  targets: {
    spansPerCpuSecond: 40_000,
    storedSpansPerSec: 60_000,
    drainWithinMs: 2000,
    ackP99MsAtHalfMax: 10,
    peakRssMiBAt10kSpansPerSec: RSS_TARGET_MIB_AT_10K,
  },
  phases,
});

// ---- summary ----

const pad = (value, width) => String(value ?? '-').padStart(width);
const fmt = (n) => (n === null || n === undefined ? '-' : n.toLocaleString('en-US'));
const table = (phase) => {
  const lines = [
    `  ${'transport'.padEnd(9)}${pad('spans/s', 10)}${pad('req/s', 9)}${pad('ack p50', 10)}${pad('p90', 9)}${pad('p99', 9)}${pad('refused', 11)}`,
  ];
  const row = (name, r, latency) =>
    lines.push(
      `  ${name.padEnd(9)}${pad(fmt(r.spansPerSec), 10)}${pad(r.requestsPerSec, 9)}${pad(latency.p50, 10)}${pad(latency.p90, 9)}${pad(latency.p99, 9)}${pad(fmt(r.refusedSpans), 11)}`,
    );
  for (const [name, r] of Object.entries(phase.perTransport)) row(name, r, r.ackLatencyMs);
  row('total', phase, phase.ackLatencyMs);
  return lines.join('\n') + '   (latency in ms)';
};
const footer = (phase) =>
  [
    `  daemon CPU ${phase.daemonCpuSec} s in ${phase.windowSec} s = ${phase.daemonCpuPercentOfOneCore}% of one core (main thread busy ${phase.mainThreadBusyPercent}% of the window), ${phase.daemonCpuSecPer100kSpans} s per 100k spans (load generator: ${phase.loadgenCpuSec} s; anything else: ${phase.otherCpuPercentOfOneCore}% of a core)`,
    `  daemon RSS peak ${phase.peakRssMiB} MiB (before load ${phase.rssBeforeLoadMiB}, at end ${phase.rssAtEndMiB}, of which ${phase.rssFileBackedAtEndMiB} file-backed: mapped code); ${phase.daemonThreads} threads; ${phase.daemonMinorFaultsPerSpan} page faults per span`,
    ...(phase.engineProcess
      ? [
          `  engine process (server engine): CPU ${phase.engineProcess.cpuSec} s = ${phase.engineProcess.cpuPercentOfOneCore}% of one core, ${phase.engineProcess.cpuUsPerStoredSpanAllIn ?? '-'} µs per stored span all-in; RSS peak ${phase.engineProcess.peakRssMiB} MiB`,
        ]
      : []),
    ...(phase.exporter
      ? [
          `  inserts: ${phase.exporter.inserts} of ~${fmt(phase.exporter.rowsPerInsert)} rows, ${phase.exporter.insertMsMean} ms each, busy ${phase.exporter.insertBusyPercent}% of the window; at end JS heap ${phase.exporter.jsHeapUsedMiB} MiB used of ${phase.exporter.jsHeapTotalMiB}, external ${phase.exporter.externalMiB} MiB`,
        ]
      : []),
    ...(phase.eventLoopDelayMs
      ? [
          `  event loop: a 10 ms timer fired late by p50 ${phase.eventLoopDelayMs.p50} ms, p99 ${phase.eventLoopDelayMs.p99} ms, at most ${phase.eventLoopDelayMs.max} ms`,
        ]
      : []),
    ...(phase.gcPauses
      ? [
          `  GC pauses: ${phase.gcPauses.minor.count} scavenges (${phase.gcPauses.minor.totalMs} ms, ${phase.gcPauses.minor.over10ms} over 10 ms), ${phase.gcPauses.major.count} full (${phase.gcPauses.major.totalMs} ms, ${phase.gcPauses.major.over10ms} over 10 ms): the main thread paused ${phase.gcPauses.pausedPercent}% of the window`,
        ]
      : []),
    `  visible to SQL ${phase.visibleAfterLoadMs ?? `NOT within ${VISIBILITY_TIMEOUT_MS / 1000} s`} ms after the last ack (stored ~${fmt(phase.storedSpansPerSec)} spans/s over window + drain); stored ${fmt(phase.storedSpans)} of ${fmt(phase.ackedSpansTotal)} acked (incl. warm-up), lost ${fmt(phase.lostSpans)}`,
    ...(phase.daemonCpuUsPerStoredSpanAllIn === null
      ? []
      : [
          `  daemon CPU from the first request until all was visible: ${phase.daemonCpuUsPerStoredSpanAllIn} µs per stored span`,
        ]),
  ].join('\n');

console.log(`\n== ingest — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
if (payload) {
  console.log(
    `payload: ${payload.spansPerRequest} spans/request, ${payload.bytesPerSpan} B/span, ${payload.attributesPerSpan} attributes/span, ${round(payload.errorSpanShare * 100, 1)}% errors, ${round(payload.piiSpanShare * 100, 1)}% with PII; pool of ${payload.requests} requests; compression ${params.compression}`,
  );
}
console.log(
  `daemon: exporter batch timeout ${params.exporterBatchTimeoutMs}${params.exporterBatchTimeoutMs === 'default' ? '' : ' ms'}, max_rows ${params.exporterMaxRows}; processors [${processorList.join(', ')}]; exporters [${exporterList.join(', ')}]; durable queue ${params.queue === 'off' ? 'off' : `on (fsync ${params.fsync}, max_bytes ${params.queueMaxBytes})`}; ${params.engine} store`,
);
if (phases.max) {
  const half = Math.ceil(params.concurrency / 2);
  console.log(
    `\nmax throughput: closed loop, ${params.concurrency} requests in flight (${half} gRPC + ${params.concurrency - half} HTTP connections), ${params.durationSec} s after ${params.warmupSec} s warm-up`,
  );
  console.log(table(phases.max));
  console.log(footer(phases.max));
}
/** Prints an open-loop phase and whether the daemon kept up with its rate. */
function printRatePhase(phase, spansPerSec, why) {
  console.log(
    `\nfixed rate: ${fmt(spansPerSec)} spans/s open loop (${why}), ${params.rateDurationSec} s after ${params.rateWarmupSec} s warm-up`,
  );
  console.log(table(phase));
  console.log(footer(phase));
  if (phase.spansPerSec < spansPerSec * 0.95 || phase.skippedSends > 0)
    console.log(
      '  the daemon could not keep up with the target rate: it is saturated at or below it',
    );
  if (phase.lateSends || phase.skippedSends) {
    console.log(
      `  ${phase.lateSends} requests sent > 5 ms late, ${phase.skippedSends} not sent by the end (${params.concurrency} in flight at most)`,
    );
  }
}
if (phases.half) {
  printRatePhase(phases.half, params.halfRateSpansPerSec, 'half the max: target ack p99 ≤ 10 ms');
}
if (phases.rate) {
  printRatePhase(
    phases.rate,
    params.rateSpansPerSec,
    `target peak RSS ≤ ${RSS_TARGET_MIB_AT_10K} MiB at 10,000`,
  );
}
for (const phase of Object.values(phases)) {
  for (const e of phase.errors) console.log(`  refused ×${e.count}: ${e.message}`);
}
console.log(`\nwrote ${file}`);
