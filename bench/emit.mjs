// Scenario "emit": what handing an assembled trace on costs, per step, in one process and
// without I/O, on the traces the ingest load generator's spans make (assembled beforehand by
// the assemble processor, their steps carrying their spans' failures). Stages, each the CPU
// time per step of every trace once:
//   classify   the classify processor on a batch of traces (trace rules, root causes), each
//              as first emitted: its steps' captured failures, not yet revised
//   summary    the trace summary (the agent_traces columns)
//   document   summary + the step tree served by the API (objects)
//   json       summary + the step tree as JSON: the Document column's text
//   block      the agent_traces Native block, all columns (what the exporter does)
// Per span, emission costs about `block` + `classify` times steps per span.
// Then the longest slice of work emission does at once: one trace as large as
// max_steps_per_trace lets through (5,000 steps), every span of it failed, as a chain (each
// step under the one before), a fan (every step under one agent) and a comb (a chain whose
// every step also has a leaf: the worst case of root causes); CPU ms per trace of
// `classify` and of `block`.
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

/**
 * The traces `spans` assemble into, as the assemble processor hands them on, their steps
 * carrying their spans' failures (span rules ran as the spans passed).
 */
async function assembled(spanBatches) {
  const traces = [];
  const collect = {
    consume: (batch) => {
      traces.push(...batch.traces);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
  };
  const spanRules = classifyProcessorFactory.create(settings(classifyProcessorFactory), collect);
  const assemble = assembleProcessorFactory.create(settings(assembleProcessorFactory), spanRules);
  await assemble.start();
  for (const spans of spanBatches) await assemble.consume({ spans, traces: [], failures: [] });
  await assemble.shutdown();
  return traces;
}

/** Steps a trace keeps at most by default (assemble's max_steps_per_trace). */
const LARGEST_TRACE_STEPS = 5000;
const T0 = 1_700_000_000_000_000_000n;

/**
 * Shapes of a largest trace: each span's parent (span 0 is the root) and its depth, which
 * nests its time inside its parent's.
 */
const SHAPES = {
  chain: { parent: (i) => i - 1, depth: (i) => i },
  fan: { parent: () => 0, depth: (i) => Math.min(i, 1) },
  // Even spans form the chain, each odd one is the leaf of the span before it.
  comb: { parent: (i) => (i % 2 ? i - 1 : i - 2), depth: (i) => (i >> 1) + (i % 2) },
};

/**
 * The spans of one largest trace of `shape`, every one failed (error status, a timeout's
 * exception).
 */
function failedSpans(shape) {
  const resource = {
    attributes: { 'service.name': 'bench' },
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
  const scope = {
    name: 'bench',
    version: '1',
    attributes: {},
    droppedAttributesCount: 0,
    schemaUrl: '',
  };
  const spanId = (i) => (i + 1).toString(16).padStart(16, '0');
  return Array.from({ length: LARGEST_TRACE_STEPS }, (_, i) => {
    const nested = BigInt(SHAPES[shape].depth(i));
    return {
      traceId: shape[0].repeat(32),
      spanId: spanId(i),
      parentSpanId: i === 0 ? '' : spanId(SHAPES[shape].parent(i)),
      traceState: '',
      flags: 1,
      name: i === 0 ? 'invoke_agent planner' : 'execute_tool search',
      kind: 1,
      startTimeUnixNano: T0 + nested * 1000n,
      endTimeUnixNano: T0 + 10_000_000_000n - nested * 1000n,
      attributes:
        i === 0
          ? { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' }
          : {
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': 'search',
              'gen_ai.tool.call.arguments': `{"query":"${i}"}`,
            },
      droppedAttributesCount: 0,
      events: [
        {
          timeUnixNano: T0,
          name: 'exception',
          attributes: { 'exception.type': 'TimeoutError', 'exception.message': `timed out (${i})` },
          droppedAttributesCount: 0,
        },
      ],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      statusCode: 2,
      statusMessage: 'TimeoutError',
      resource,
      scope,
    };
  });
}

/** A largest trace, cut into requests as the load generator's are. */
async function largestTrace(shape) {
  const spans = failedSpans(shape);
  const requests = [];
  for (let at = 0; at < spans.length; at += params.spansPerRequest) {
    requests.push(spans.slice(at, at + params.spansPerRequest));
  }
  return (await assembled(requests))[0];
}

const traces = await assembled(receivedSpans(benchPool(params).requests));
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
/** Each step's span failures as captured, before root causes revise them. */
const capturedFailures = (trace) => trace.steps.map((step) => step.failures.slice());

/** `trace` as emission hands it on for the first time: its captured failures, no trace failures. */
function firstEmission(trace, captured) {
  trace.steps.forEach((step, i) => (step.failures = captured[i].slice()));
  return { ...trace, failures: [] };
}

const captured = traces.map(capturedFailures);
const stages = {
  classify: async () => {
    const emitted = traces.map((trace, i) => firstEmission(trace, captured[i]));
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

/** CPU µs per call of `stage`, after a warm-up, over `seconds` of calls. */
async function cpuUsPerCall(stage, seconds) {
  for (const until = performance.now() + 500; performance.now() < until;) await stage();
  let calls = 0;
  const until = performance.now() + seconds * 1000;
  const cpu = process.cpuUsage();
  do {
    await stage();
    calls++;
  } while (performance.now() < until);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / calls;
}

const cpuUsPerStep = {};
for (const [name, stage] of Object.entries(stages)) {
  // A call of a stage goes over every trace.
  cpuUsPerStep[name] = round((await cpuUsPerCall(stage, params.secondsPerStage)) / stepCount, 2);
}

const cpuMsPerLargestTrace = {};
for (const shape of Object.keys(SHAPES)) {
  const trace = await largestTrace(shape);
  check(trace.steps.length >= LARGEST_TRACE_STEPS);
  const failures = capturedFailures(trace);
  const largest = {
    classify: async () => {
      const batch = { spans: [], traces: [firstEmission(trace, failures)], failures: [] };
      await classify.consume(batch);
      check(batch.failures.length > 0);
    },
    block: () => check(blocks.encode([trace]).length > 0),
  };
  cpuMsPerLargestTrace[shape] = {};
  for (const [name, stage] of Object.entries(largest)) {
    cpuMsPerLargestTrace[shape][name] = round(
      (await cpuUsPerCall(stage, params.secondsPerStage)) / 1000,
      1,
    );
  }
}
await classify.shutdown();

const stepsPerSpan = stepCount / spanCount;
const result = {
  machine: machine(),
  params: { ...params, spans: spanCount, traces: traces.length, steps: stepCount },
  cpuUsPerStep,
  // What emission adds to each span: its steps (derived ones included) classified and written.
  cpuUsPerSpan: round((cpuUsPerStep.classify + cpuUsPerStep.block) * stepsPerSpan, 2),
  cpuMsPerLargestTrace,
};
writeResults('emit', result);
console.log(JSON.stringify(result, null, 2));
