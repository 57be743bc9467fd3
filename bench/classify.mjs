// Scenario "classify": span-level failure classification alone (the classify processor's
// per-span work), in one process and without I/O, on the spans of the same requests the
// ingest load generator sends: decoded, converted to model spans and given their agent step
// (the assemble processor's converter) beforehand, so only classification is timed.
//   builtins        the default config: every built-in rule
//   builtins+rules  the same plus ten user rules of the kinds the README shows
// Then µs per span by operation (chat, execute_tool, retrieval, invoke_agent), built-ins only.
// Batches of one request's spans go through ClassifyProcessor.consume, as in the pipeline;
// each span's failures are cleared before it is classified again, so every pass is a first
// delivery. Each stage is warmed up, then timed for a fixed time.
//
//   npm run bench:classify
//   node bench/classify.mjs --seconds 5
//
// Options (flag or environment): --seconds BENCH_CLASSIFY_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/classify.json.

import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { classifyConfigSchema } from '../dist/processors/classify/config.js';
import { classifyProcessorFactory } from '../dist/processors/classify/factory.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_CLASSIFY_SECONDS', 3),
  warmupSecondsPerStage: 1,
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

/** Ten user rules of the kinds users write: names, attributes, regexes, numbers, any_of. */
const USER_RULES = [
  {
    when: {
      step_type: 'tool_call',
      attribute_equals: { 'step.tool_name': 'issue_refund' },
      status: 'error',
    },
  },
  { when: { attribute_matches: { 'exception.message': '(?i)card[_ ]declined' } } },
  {
    when: {
      step_type: 'llm_call',
      attribute_compare: [{ key: 'step.input_tokens', op: '>', value: 3900 }],
    },
  },
  { when: { step_type: 'llm_call', duration_over: '5900ms' } },
  { when: { attribute_equals: { 'resource.deployment.environment': 'canary' }, status: 'error' } },
  { when: { name_matches: '^execute_tool (run_sql|create_ticket)$', duration_over: '850ms' } },
  {
    when: {
      step_type: 'retrieval',
      attribute_compare: [{ key: 'step.retrieval_top_score', op: '<', value: 0.05 }],
    },
  },
  {
    when: {
      any_of: [
        { attribute_exists: ['llm.cost.total'] },
        { attribute_compare: [{ key: 'step.cost_usd', op: '>', value: 1 }] },
      ],
    },
  },
  { when: { step_type: 'agent', attribute_matches: { 'span.status_message': 'kept failing' } } },
  { when: { attribute_matches: { 'gen_ai.tool.call.result': '"ok":\\s*false' } } },
].map((rule, i) => ({ name: `user_${i}`, class: `user_class_${i}`, severity: 'low', ...rule }));

/** The assemble processor's step converter; a small GenAI mapping if it is not built. */
async function stepConverter() {
  try {
    const { createStepConverter } = await import('../dist/processors/assemble/convert/index.js');
    return {
      source: 'assemble converter',
      convert: createStepConverter({ prices: {}, previewLength: 256 }),
    };
  } catch {
    return { source: 'local GenAI mapping', convert: localStep };
  }
}

const TYPES = {
  chat: 'llm_call',
  execute_tool: 'tool_call',
  retrieval: 'retrieval',
  invoke_agent: 'agent',
};
const text = (value) => (typeof value === 'string' ? value : '');
function localStep(span) {
  const a = span.attributes;
  const operation = text(a['gen_ai.operation.name']);
  const documents = text(a['retrieval.documents']);
  return {
    type: TYPES[operation] ?? 'span',
    convention: 'gen_ai',
    operation,
    agentName: text(a['gen_ai.agent.name']),
    requestModel: text(a['gen_ai.request.model']),
    responseModel: text(a['gen_ai.response.model']),
    provider: text(a['gen_ai.provider.name']),
    usage: {
      input: Number(a['gen_ai.usage.input_tokens'] ?? 0),
      output: Number(a['gen_ai.usage.output_tokens'] ?? 0),
      total: 0,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
    },
    costUsd: 0,
    toolName: text(a['gen_ai.tool.name']),
    toolArguments: text(a['gen_ai.tool.call.arguments']),
    toolResult: text(a['gen_ai.tool.call.result']),
    retrievalDocuments: documents ? JSON.parse(documents).length : 0,
    retrievalTopScore: Number.NaN,
    sessionId: text(a['gen_ai.conversation.id']),
    userHash: '',
    finishReasons: Array.isArray(a['gen_ai.response.finish_reasons'])
      ? a['gen_ai.response.finish_reasons']
      : [],
    inputPreview: '',
    outputPreview: '',
    evaluations: [],
    gaps: [],
  };
}

const info = machine();
const { requests, stats: payload } = benchPool(params);
const steps = await stepConverter();
const batches = receivedSpans(requests);
for (const span of batches.flat()) span.step = steps.convert(span);
const spanCount = batches.reduce((n, spans) => n + spans.length, 0);
const operationOf = (span) => String(span.attributes['gen_ai.operation.name'] ?? 'other');

const passOn = { consume: () => Promise.resolve(), flush: () => Promise.resolve() };
function processor(rawConfig) {
  const settings = {
    id: 'classify',
    config: classifyConfigSchema.parse(rawConfig),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    store: undefined,
  };
  return classifyProcessorFactory.create(settings, passOn);
}

async function run(classify, list, seconds) {
  const until = performance.now() + seconds * 1000;
  let spans = 0;
  let failures = 0; // read from every batch, so no work is optimised away
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    for (const batchSpans of list) {
      for (const span of batchSpans) span.failures = undefined;
      const batch = { spans: batchSpans, traces: [], failures: [] };
      await classify.consume(batch);
      failures += batch.failures.length;
      spans += batchSpans.length;
    }
  } while (performance.now() < until);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { spans, failures, elapsed, cpuSec: (used.user + used.system) / 1e6 };
}

async function measure(rawConfig, list) {
  const classify = processor(rawConfig);
  await run(classify, list, params.warmupSecondsPerStage);
  globalThis.gc?.();
  const r = await run(classify, list, params.secondsPerStage);
  return {
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.elapsed / r.spans) * 1e6, 3),
    // CPU time per span holds up better than wall time when other work shares the machine.
    cpuUsPerSpan: round((r.cpuSec / r.spans) * 1e6, 3),
    failuresPer100Spans: round((r.failures / r.spans) * 100, 2),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    spans: r.spans,
    seconds: round(r.elapsed, 2),
  };
}

// What the payload classifies to, for the results file (and a check that rules match).
const classes = {};
const probe = { spans: batches.flat(), traces: [], failures: [] };
for (const span of probe.spans) span.failures = undefined;
await processor({}).consume(probe);
for (const f of probe.failures) classes[f.failureClass] = (classes[f.failureClass] ?? 0) + 1;
if (probe.failures.length === 0) throw new Error('no failure found in the benchmark payload');

const stages = {
  builtins: await measure({}, batches),
  'builtins+rules': await measure({ rules: USER_RULES }, batches),
};
const byOperation = {};
for (const operation of [...new Set(batches.flat().map(operationOf))].sort()) {
  byOperation[operation] = await measure(
    {},
    batches.map((spans) => spans.filter((s) => operationOf(s) === operation)),
  );
}

const file = writeResults('classify', {
  scenario: 'classify',
  ...info,
  parameters: { ...params, userRules: USER_RULES.length, steps: steps.source },
  payload,
  classified: { spans: spanCount, failures: probe.failures.length, classes },
  stages,
  byOperation,
});

console.log(`\n== classify — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `payload: ${spanCount} distinct spans, steps from the ${steps.source}; ${params.secondsPerStage} s per stage`,
);
const row = (name, r) =>
  console.log(
    `  ${name.padEnd(16)}${r.spansPerSec.toLocaleString('en-US').padStart(12)}${String(r.usPerSpan).padStart(10)}${String(r.cpuUsPerSpan).padStart(14)}${String(r.failuresPer100Spans).padStart(10)}  ${r.cpuPercent}%`,
  );
console.log(
  `  ${'stage'.padEnd(16)}${'spans/s'.padStart(12)}${'µs/span'.padStart(10)}${'CPU µs/span'.padStart(14)}${'fail/100'.padStart(10)}  (process CPU)`,
);
for (const [name, r] of Object.entries(stages)) row(name, r);
console.log('  by operation, built-ins:');
for (const [name, r] of Object.entries(byOperation)) row(name, r);
console.log(`classes: ${JSON.stringify(classes)}`);
console.log(`\nwrote ${file}`);
