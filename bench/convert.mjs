// Scenario "convert": span → StepInfo conversion alone (the assemble processor's per-span
// work before assembly), in one process and without I/O, on the spans of the same requests the
// ingest load generator sends, decoded and converted to model spans beforehand:
//   steps        createStepConverter(...)(span) with a price table for the payload's models and
//                the default preview length
//   no-previews  the same with preview_length 0, to show what previews (JSON message parsing)
//                cost
// Then µs per span by operation (chat, execute_tool, retrieval, invoke_agent) with previews on.
// Each stage is warmed up, then timed for a fixed time.
//
//   npm run bench:convert
//   node bench/convert.mjs --seconds 5
//
// Options (flag or environment): --seconds BENCH_CONVERT_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/convert.json.

import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import {
  DEFAULT_PREVIEW_LENGTH,
  createStepConverter,
  priceTableSchema,
} from '../dist/processors/assemble/convert/index.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_CONVERT_SECONDS', 3),
  warmupSecondsPerStage: 1,
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

// Every model of the payload is priced, so each chat span goes through the price lookup.
const PRICES = priceTableSchema.parse({
  'gpt-4o-mini*': { input: 0.15, output: 0.6, cache_read: 0.075 },
  'gpt-4o*': { input: 2.5, output: 10, cache_read: 1.25 },
  'claude-sonnet-4*': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  '*claude-3-5-haiku*': { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
});

const info = machine();
const { requests, stats: payload } = benchPool(params);
const spans = receivedSpans(requests).flat();
const operationOf = (span) => String(span.attributes['gen_ai.operation.name'] ?? 'other');

function run(convert, list, seconds) {
  const until = performance.now() + seconds * 1000;
  let converted = 0;
  let tokens = 0; // read from every result, so no work is optimised away
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    for (let i = 0; i < list.length; i++) tokens += convert(list[i]).usage.total;
    converted += list.length;
  } while (performance.now() < until);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (tokens === 0 && list.some((s) => s.attributes['gen_ai.usage.input_tokens'])) {
    throw new Error('the converter read no token usage from the payload');
  }
  return { spans: converted, elapsed, cpuSec: (used.user + used.system) / 1e6 };
}

function measure(convert, list) {
  run(convert, list, params.warmupSecondsPerStage);
  globalThis.gc?.();
  const r = run(convert, list, params.secondsPerStage);
  return {
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.elapsed / r.spans) * 1e6, 3),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    spans: r.spans,
    seconds: round(r.elapsed, 2),
  };
}

const withPreviews = createStepConverter({ prices: PRICES, previewLength: DEFAULT_PREVIEW_LENGTH });
const withoutPreviews = createStepConverter({ prices: PRICES, previewLength: 0 });

// What the payload converts to, for the results file (and a check that conversion works).
const stepTypes = {};
const gaps = {};
for (const span of spans) {
  const step = withPreviews(span);
  stepTypes[step.type] = (stepTypes[step.type] ?? 0) + 1;
  for (const gap of step.gaps) gaps[gap] = (gaps[gap] ?? 0) + 1;
}

const stages = {
  steps: measure(withPreviews, spans),
  'no-previews': measure(withoutPreviews, spans),
};
const byOperation = {};
for (const operation of [...new Set(spans.map(operationOf))].sort()) {
  byOperation[operation] = measure(
    withPreviews,
    spans.filter((s) => operationOf(s) === operation),
  );
}

const file = writeResults('convert', {
  scenario: 'convert',
  ...info,
  parameters: {
    ...params,
    previewLength: DEFAULT_PREVIEW_LENGTH,
    pricedModels: Object.keys(PRICES),
  },
  payload,
  converted: { spans: spans.length, stepTypes, gaps },
  stages,
  byOperation,
});

console.log(`\n== convert — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `payload: ${spans.length} distinct spans, ${payload.attributesPerSpan} attributes/span; ${params.secondsPerStage} s per stage`,
);
const row = (name, r) =>
  console.log(
    `  ${name.padEnd(14)}${r.spansPerSec.toLocaleString('en-US').padStart(12)}${String(r.usPerSpan).padStart(10)}  ${r.cpuPercent}%`,
  );
console.log(
  `  ${'stage'.padEnd(14)}${'spans/s'.padStart(12)}${'µs/span'.padStart(10)}  (process CPU)`,
);
for (const [name, r] of Object.entries(stages)) row(name, r);
console.log('  by operation, previews on:');
for (const [name, r] of Object.entries(byOperation)) row(name, r);
console.log(`step types: ${JSON.stringify(stepTypes)}; gaps: ${JSON.stringify(gaps)}`);
console.log(`\nwrote ${file}`);
