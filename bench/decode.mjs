// Scenario "decode": the daemon's per-span CPU work on the receive path, stage by stage, in
// one process and without I/O, on the same requests the ingest load generator sends:
//   decode       TraceProtobufDecoder.decode(bytes)   (the receiver's decoder: bytes → model spans)
//   rows         the spans' Native block for otel_traces (the ClickHouse insert body)
//   all          decode and rows in a row, as a receiver + exporter do for one request
// and the heap a decoded span holds while it is in flight: the pool decoded once more and kept,
// measured after full collections.
// Each stage is warmed up, then timed for a fixed time; MB/s is of protobuf input for
// decode / all and of Native output for rows; µs/span is process CPU time.
//
//   npm run bench:decode
//   node bench/decode.mjs --seconds 5 --batch 512
//
// Options (flag or environment): --seconds BENCH_DECODE_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/decode.json.

import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { spanBlockEncoder } from '../dist/exporters/clickhouse/native/span-columns.js';
import { otlpReceiverSchema } from '../dist/receivers/otlp/config.js';
import { TraceProtobufDecoder } from '../dist/receivers/otlp/protobuf-traces.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_DECODE_SECONDS', 3),
  warmupSecondsPerStage: 1,
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const { requests, stats: payload } = benchPool(params);
const limits = otlpReceiverSchema.parse({}).limits;
const decoder = new TraceProtobufDecoder(limits);

const spanCount = requests.reduce((n, r) => n + r.spans, 0);
const spanBlocks = spanBlockEncoder();
// The rows stages' inputs, prepared just before them: spans kept alive across a stage make V8
// allocate what their allocation sites build straight in the old generation (pretenuring),
// which would burden the decode stages timed before with old-generation collections.
let converted;
let rowBytes;
function prepareRows() {
  converted = requests.map((r) => decoder.decode(r.bytes).spans);
  if (converted.reduce((n, s) => n + s.length, 0) !== spanCount) {
    throw new Error('the decoder rejected spans of the benchmark payload');
  }
  rowBytes = converted.map((spans) => spanBlocks.encode(spans).length);
}

// Every stage checks its output, which also keeps the work from being optimised away.
const check = (ok) => {
  if (!ok) throw new Error('unexpected stage output');
};

const stages = {
  decode: (i) => {
    check(decoder.decode(requests[i].bytes).spans.length === requests[i].spans);
    return requests[i].bytes.length;
  },
  rows: (i) => spanBlocks.encode(converted[i]).length,
  all: (i) => {
    const spans = decoder.decode(requests[i].bytes).spans;
    check(spanBlocks.encode(spans).length === rowBytes[i]);
    return requests[i].bytes.length;
  },
};

function run(stage, seconds) {
  const until = performance.now() + seconds * 1000;
  let spans = 0;
  let bytes = 0;
  let calls = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    const i = calls++ % requests.length;
    bytes += stage(i);
    spans += requests[i].spans;
  } while (performance.now() < until);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { spans, bytes, elapsed, cpuSec: (used.user + used.system) / 1e6, calls };
}

const results = {};
for (const [name, stage] of Object.entries(stages)) {
  if (name === 'rows') prepareRows();
  run(stage, params.warmupSecondsPerStage);
  globalThis.gc?.();
  const r = run(stage, params.secondsPerStage);
  results[name] = {
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.cpuSec / r.spans) * 1e6, 2),
    wallUsPerSpan: round((r.elapsed / r.spans) * 1e6, 2),
    usPerRequest: round((r.cpuSec / r.calls) * 1e6, 0),
    MBPerSec: round(r.bytes / r.elapsed / 1e6, 1),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    spans: r.spans,
    seconds: round(r.elapsed, 2),
  };
}

/** Heap bytes per span that the decoded pool holds, after full collections. */
function heldBytesPerSpan() {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc');
  converted = undefined;
  collect();
  collect();
  const before = process.memoryUsage().heapUsed;
  const held = requests.map((r) => decoder.decode(r.bytes).spans);
  collect();
  collect();
  const bytes = process.memoryUsage().heapUsed - before;
  check(held.length === requests.length);
  return round(bytes / spanCount, 0);
}
const heldPerSpan = heldBytesPerSpan();

const file = writeResults('decode', {
  scenario: 'decode',
  ...info,
  parameters: params,
  payload,
  limits,
  rowBytesPerSpan: round(rowBytes.reduce((a, b) => a + b, 0) / spanCount, 0),
  stages: results,
  heldHeapBytesPerSpan: heldPerSpan,
});

console.log(`\n== decode — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `payload: ${payload.spansPerRequest} spans/request, ${payload.bytesPerSpan} B/span protobuf, ${round(rowBytes.reduce((a, b) => a + b, 0) / spanCount, 0)} B/span Native, ${payload.attributesPerSpan} attributes/span; ${params.secondsPerStage} s per stage`,
);
console.log(
  `  ${'stage'.padEnd(11)}${'spans/s'.padStart(11)}${'µs/span'.padStart(10)}${'MB/s'.padStart(8)}  (process CPU)`,
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(11)}${r.spansPerSec.toLocaleString('en-US').padStart(11)}${String(r.usPerSpan).padStart(10)}${String(r.MBPerSec).padStart(8)}  ${r.cpuPercent}%`,
  );
}
console.log('(MB/s: protobuf in, except rows: Native out)');
console.log(`heap held per decoded span: ${heldPerSpan.toLocaleString('en-US')} bytes`);
console.log(`\nwrote ${file}`);
