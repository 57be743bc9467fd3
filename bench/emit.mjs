// Scenario "emit": what handing an assembled trace on costs, per step, in one process and
// without I/O, on the traces the ingest load generator's spans make (assembled beforehand by
// the assemble processor). Stages, each the CPU time per step of every trace once:
//   classify   the classify processor on a batch of traces (trace rules, root causes)
//   summary    the trace summary (the agent_traces columns)
//   document   summary + the step tree served by the API (objects)
//   json       summary + the step tree as JSON: the Document column's text
//   block      the agent_traces Native block, all columns (what the exporter does)
// Per span, emission costs about `block` + `classify` times steps per span.
//
//   npm run bench:emit
//
// Options (flag or environment): --seconds BENCH_EMIT_SECONDS (per stage), --batch BENCH_BATCH
// (spans per request), --pool BENCH_POOL. Results: bench/results/emit.json.

import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { traceBlockEncoder } from '../dist/exporters/clickhouse/native/trace-columns.js';
import { summarizeTrace, traceDocument, traceDocumentJson } from '../dist/model/index.js';
import { Extensions } from '../dist/pipeline/host.js';
import { assembleProcessorFactory } from '../dist/processors/assemble/factory.js';
import { classifyProcessorFactory } from '../dist/processors/classify/factory.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_EMIT_SECONDS', 2),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const settings = (factory, config = {}) => ({
  id: factory.type,
  config: factory.configSchema.parse(config),
  logger: pino({ level: 'silent' }),
  metrics: new Registry(),
  host: new Extensions(),
});

/** The traces the pool's spans assemble into, as the assemble processor hands them on. */
async function assembledTraces() {
  const traces = [];
  const collect = {
    consume: (batch) => {
      traces.push(...batch.traces);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
  };
  const assemble = assembleProcessorFactory.create(settings(assembleProcessorFactory), collect);
  await assemble.start();
  for (const spans of receivedSpans(benchPool(params).requests)) {
    await assemble.consume({ spans, traces: [], failures: [] });
  }
  await assemble.shutdown();
  return traces;
}

const traces = await assembledTraces();
const spanCount = params.poolSize * params.spansPerRequest;
const stepCount = traces.reduce((n, trace) => n + trace.steps.length, 0);
const passOn = { consume: () => Promise.resolve(), flush: () => Promise.resolve() };
const classify = classifyProcessorFactory.create(settings(classifyProcessorFactory), passOn);
await classify.start();
const blocks = traceBlockEncoder();
/** Trace rows per block as the exporter cuts them (~500 steps). */
const tracesPerBlock = Math.max(1, Math.round(500 / (stepCount / traces.length)));

// Every stage checks its output, which also keeps the work from being optimised away.
const check = (ok) => {
  if (!ok) throw new Error('unexpected stage output');
};
const stages = {
  classify: async () => {
    // Trace failures are found once per emission: each round classifies a fresh emission.
    const emitted = traces.map((trace) => ({ ...trace, failures: [] }));
    await classify.consume({ spans: [], traces: emitted, failures: [] });
    check(emitted.length === traces.length);
  },
  summary: () => {
    for (const trace of traces) check(summarizeTrace(trace).spanCount >= 0);
  },
  document: () => {
    for (const trace of traces) check(traceDocument(trace, summarizeTrace(trace)).steps.length);
  },
  json: () => {
    for (const trace of traces) check(traceDocumentJson(trace, summarizeTrace(trace)).length > 0);
  },
  block: () => {
    for (let at = 0; at < traces.length; at += tracesPerBlock) {
      check(blocks.encode(traces.slice(at, at + tracesPerBlock)).length > 0);
    }
  },
};

/** CPU µs per step of `stage` over every trace, repeated for `seconds`. */
async function measure(stage, seconds) {
  let rounds = 0;
  const until = performance.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  do {
    await stage();
    rounds++;
  } while (performance.now() < until);
  const used = process.cpuUsage(cpu);
  return round((used.user + used.system) / (rounds * stepCount), 2);
}

const cpuUsPerStep = {};
for (const [name, stage] of Object.entries(stages)) {
  await measure(stage, 0.5); // warm-up
  cpuUsPerStep[name] = await measure(stage, params.secondsPerStage);
}
await classify.shutdown();

const stepsPerSpan = stepCount / spanCount;
const result = {
  machine: machine(),
  params: { ...params, spans: spanCount, traces: traces.length, steps: stepCount },
  cpuUsPerStep,
  // What emission adds to each span: its steps (derived ones included) classified and written.
  cpuUsPerSpan: round((cpuUsPerStep.classify + cpuUsPerStep.block) * stepsPerSpan, 2),
};
writeResults('emit', result);
console.log(JSON.stringify(result, null, 2));
