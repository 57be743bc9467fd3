// Scenario "redact": the redact processor's per-span work, in one process and without I/O, on
// the spans of the same requests the ingest load generator sends (10% of spans carry an email
// address and a phone number; user ids, client addresses, JSON message content everywhere).
// Every iteration decodes a request anew, since redaction rewrites spans in place:
//   decode            the receiver's decoder (bytes → model spans) → a no-op processor: the baseline
//   decode+redact     the same, then RedactProcessor.consume (default config with an HMAC key)
//   pipeline-off      decode → Native block, as a receiver and exporter do
//   pipeline-on       decode → redact → Native block
// Redaction alone is the difference of the first two: µs per span, spans/s, and MB/s of the
// client-controlled text it scans (every string of the span, its events and links, and its
// share of the resource and scope).
//
//   npm run bench:redact
//   node bench/redact.mjs --seconds 5
//
// Options (flag or environment): --seconds BENCH_REDACT_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/redact.json.

import { Buffer } from 'node:buffer';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { redactProcessorFactory } from '../dist/processors/redact/factory.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receiverDecoder } from './payloads.mjs';

const spanBlocks = spanBlockEncoder();
const params = {
  secondsPerStage: option('seconds', 'BENCH_REDACT_SECONDS', 3),
  warmupSecondsPerStage: 1,
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const { requests, stats: payload } = benchPool(params);
const decode = receiverDecoder();

const noop = { consume: () => Promise.resolve(), flush: () => Promise.resolve() };
const config = redactProcessorFactory.configSchema.parse({
  hmac_key: 'bench-only-hmac-key-0123456789',
});
const processor = redactProcessorFactory.create(
  {
    id: 'redact',
    config,
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    store: undefined,
  },
  noop,
);
await processor.start();

/** UTF-8 bytes of every client-controlled string a span carries (resource and scope once). */
function textBytes(spans) {
  const seen = new Set();
  let bytes = 0;
  const value = (v) => {
    if (typeof v === 'string') bytes += Buffer.byteLength(v);
    else if (Array.isArray(v)) v.forEach(value);
    else if (v && typeof v === 'object' && v.entries) Object.values(v.entries).forEach(value);
  };
  const attributes = (a) => {
    for (const key in a) {
      bytes += Buffer.byteLength(key);
      value(a[key]);
    }
  };
  for (const span of spans) {
    for (const s of [span.name, span.statusMessage, span.traceState]) bytes += Buffer.byteLength(s);
    attributes(span.attributes);
    for (const event of span.events) {
      bytes += Buffer.byteLength(event.name);
      attributes(event.attributes);
    }
    for (const link of span.links) attributes(link.attributes);
    for (const shared of [span.resource, span.scope]) {
      if (seen.has(shared)) continue;
      seen.add(shared);
      attributes(shared.attributes);
    }
  }
  return bytes;
}
const spanCount = requests.reduce((n, r) => n + r.spans, 0);
const scannedBytes = requests.map((r) => textBytes(decode(r.bytes)));

// Every stage checks its output, which also keeps the work from being optimised away.
const check = (ok) => {
  if (!ok) throw new Error('unexpected stage output');
};

const stages = {
  decode: async (i) => {
    const spans = decode(requests[i].bytes);
    await noop.consume({ spans, traces: [], failures: [] });
    check(spans.length === requests[i].spans);
  },
  'decode+redact': async (i) => {
    const batch = { spans: decode(requests[i].bytes), traces: [], failures: [] };
    await processor.consume(batch);
    check(batch.spans.length === requests[i].spans);
  },
  'pipeline-off': async (i) => {
    const spans = decode(requests[i].bytes);
    check(spanBlocks.encode(spans).length > 0);
  },
  'pipeline-on': async (i) => {
    const batch = {
      spans: decode(requests[i].bytes),
      traces: [],
      failures: [],
    };
    await processor.consume(batch);
    check(spanBlocks.encode(batch.spans).length > 0);
  },
};

async function run(stage, seconds) {
  const until = performance.now() + seconds * 1000;
  let spans = 0;
  let bytes = 0;
  let calls = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    const i = calls++ % requests.length;
    await stage(i);
    spans += requests[i].spans;
    bytes += scannedBytes[i];
  } while (performance.now() < until);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { spans, bytes, elapsed, cpuSec: (used.user + used.system) / 1e6 };
}

const results = {};
for (const [name, stage] of Object.entries(stages)) {
  await run(stage, params.warmupSecondsPerStage);
  globalThis.gc?.();
  const r = await run(stage, params.secondsPerStage);
  results[name] = {
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.elapsed / r.spans) * 1e6, 2),
    cpuUsPerSpan: round((r.cpuSec / r.spans) * 1e6, 2),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    spans: r.spans,
    bytes: r.bytes,
    seconds: round(r.elapsed, 2),
  };
}
await processor.shutdown();

// Redaction alone: the extra CPU time per span over the baseline. CPU time rather than wall
// time, so that other work on a shared machine (process CPU below 100%) does not count.
const usRedact = results['decode+redact'].cpuUsPerSpan - results.decode.cpuUsPerSpan;
const bytesPerSpan = scannedBytes.reduce((a, b) => a + b, 0) / spanCount;
const redact = {
  usPerSpan: round(usRedact, 2),
  spansPerSec: round(1e6 / usRedact, 0),
  MBPerSec: round(bytesPerSpan / usRedact, 1),
  scannedBytesPerSpan: round(bytesPerSpan, 0),
};
// Spans/s per core of CPU time, for the same reason.
const perCore = (stage) => round(1e6 / results[stage].cpuUsPerSpan, 0);
const pipeline = {
  offSpansPerSecPerCore: perCore('pipeline-off'),
  onSpansPerSecPerCore: perCore('pipeline-on'),
  slowdownPercent: round(
    (results['pipeline-on'].cpuUsPerSpan / results['pipeline-off'].cpuUsPerSpan - 1) * 100,
    1,
  ),
};

const file = writeResults('redact', {
  scenario: 'redact',
  ...info,
  parameters: params,
  payload,
  redact,
  pipeline,
  stages: results,
});

console.log(`\n== redact — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `payload: ${payload.spansPerRequest} spans/request, ${redact.scannedBytesPerSpan} B/span of client text scanned, ${round(payload.piiSpanShare * 100, 1)}% of spans with PII; ${params.secondsPerStage} s per stage`,
);
console.log(
  `  ${'stage'.padEnd(16)}${'spans/s'.padStart(11)}${'µs/span'.padStart(10)}${'CPU µs/span'.padStart(13)}  (process CPU)`,
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(16)}${r.spansPerSec.toLocaleString('en-US').padStart(11)}${String(r.usPerSpan).padStart(10)}${String(r.cpuUsPerSpan).padStart(13)}  ${r.cpuPercent}%`,
  );
}
console.log(
  `redaction alone: ${redact.usPerSpan} CPU µs/span = ${redact.spansPerSec.toLocaleString('en-US')} spans/s per core, ${redact.MBPerSec} MB/s of text`,
);
console.log(
  `pipeline (decode → rows) per core: ${pipeline.offSpansPerSecPerCore.toLocaleString('en-US')} spans/s off, ${pipeline.onSpansPerSecPerCore.toLocaleString('en-US')} on (${pipeline.slowdownPercent}% more CPU per span)`,
);
console.log('(CPU µs: process CPU time, which other work on the machine does not inflate)');
console.log(`\nwrote ${file}`);
