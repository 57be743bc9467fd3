// Scenario "assemble": what trace assembly costs per span, in one process and without I/O, on
// the spans of the requests the ingest load generator sends (converted to steps beforehand):
//   first        TraceAssembler.add of each span once (the step is kept, its id remembered)
//   redelivered  the same spans added again (each one found as a duplicate by its span id)
// Traces are collected between rounds as the processor's timer would, so the held set stays the
// size a steady load keeps. Each stage is warmed up, then timed for a fixed time.
//
//   npm run build && node bench/assemble.mjs
//
// Options (flag or environment): --seconds BENCH_ASSEMBLE_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/assemble.json.

import console from 'node:console';
import { performance } from 'node:perf_hooks';
import { TraceAssembler } from '../dist/processors/assemble/assembler.js';
import { assembleConfigSchema } from '../dist/processors/assemble/config.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_ASSEMBLE_SECONDS', 3),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const config = assembleConfigSchema.parse({});
const options = {
  decisionWaitMs: config.decision_wait,
  rootWaitMs: config.root_wait,
  maxTraces: config.max_traces,
  maxStepsPerTrace: config.max_steps_per_trace,
  lateSpanWindowMs: config.late_span_window,
  maxRememberedTraces: config.max_remembered_traces,
  maxSteps: config.max_held_steps,
};
const spans = receivedSpans(benchPool(params).requests).flat();
// The assembler keeps only a few fields of a step; the bench gives it the span's ids.
const steps = spans.map((span) => ({ spanId: span.spanId, parentSpanId: span.parentSpanId }));

/** ns per span of `round(assembler, offset)` over every span, repeated for `seconds`. */
function measure(seconds, prepare, add) {
  let rounds = 0;
  let busyNs = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const assembler = prepare(rounds);
    const started = performance.now();
    add(assembler, rounds);
    busyNs += (performance.now() - started) * 1e6;
    rounds++;
  }
  return round(busyNs / (rounds * spans.length), 1);
}

// A fresh trace id per round, so every round's spans are new (as from the load generator).
const traceIdFor = (span, round) =>
  `${span.traceId.slice(0, 24)}${round.toString(16).padStart(8, '0')}`;
const addAll = (assembler, round) => {
  for (let i = 0; i < spans.length; i++) assembler.add(traceIdFor(spans[i], round), steps[i], 0);
};
const fresh = () => new TraceAssembler(options);
const alreadyAdded = (round) => {
  const assembler = new TraceAssembler(options);
  addAll(assembler, round);
  return assembler;
};

for (const stage of [fresh, alreadyAdded]) measure(1, stage, addAll); // warm-up
const result = {
  machine: machine(),
  params: { ...params, spans: spans.length, maxStepsPerTrace: options.maxStepsPerTrace },
  nsPerSpan: {
    first: measure(params.secondsPerStage, fresh, addAll),
    redelivered: measure(params.secondsPerStage, alreadyAdded, addAll),
  },
};
writeResults('assemble', result);
console.log(JSON.stringify(result, null, 2));
