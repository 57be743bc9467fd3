// Scenario "handoff": what the main thread would pay per span to hand the pipeline's work to a
// worker thread, measured before building it (SPEC §9's ack target needs the main thread's cost
// per span cut several-fold; see the bench README). On the ingest load generator's requests:
//   request    a request body transferred to a worker (no copy) and a small answer back
//   steps      the request's steps, as the assemble converter makes them, cloned from a worker
//   spans      the request's decoded spans cloned from a worker (what a worker that only
//              decoded would hand back)
//   decode     the receiver's decode of the request on the main thread: the reference
// CPU is the main thread's own (/proc/self/task/<pid>/stat), so the worker's side is left out;
// an empty message's round trip is subtracted from `steps` and `spans`.
//
//   npm run bench:handoff
//   node bench/handoff.mjs --seconds 3
//
// Options (flag or environment): --seconds BENCH_HANDOFF_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/handoff.json.

import console from 'node:console';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Extensions } from '../dist/pipeline/host.js';
import { assembleProcessorFactory } from '../dist/processors/assemble/factory.js';
import { clockTicks, machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans, receiverDecoder } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_HANDOFF_SECONDS', 2),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const info = machine();
const CLK_TCK = clockTicks();
const { requests, stats: payload } = benchPool(params);
const spansByRequest = receivedSpans(requests);

/** CPU seconds of this process's main thread. */
function mainThreadCpuSec() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The steps of each request, made by the assemble processor as the pipeline makes them. */
async function stepsByRequest() {
  const settings = {
    id: 'assemble',
    config: assembleProcessorFactory.configSchema.parse({}),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    host: new Extensions(),
  };
  const discard = { consume: () => Promise.resolve(), flush: () => Promise.resolve() };
  const assemble = assembleProcessorFactory.create(settings, discard);
  await assemble.start();
  const spans = receivedSpans(requests);
  for (const batch of spans) await assemble.consume({ spans: batch, traces: [], failures: [] });
  await assemble.shutdown();
  return spans.map((batch) => batch.map((span) => span.step));
}

// The worker answers a body with an acknowledgement (handing the body back, as a pipeline's
// worker would release it), and `{ send: i }` with the i-th payload it was given at start.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', (message) => {
  if (message.body) parentPort.postMessage({ ok: true, body: message.body }, [message.body.buffer]);
  else if (message.send !== undefined) parentPort.postMessage(workerData.payloads[message.send]);
  else parentPort.postMessage({ ok: true });
});`;

function startWorker(payloads) {
  const worker = new Worker(WORKER, { eval: true, workerData: { payloads } });
  const ask = (message, transfer = []) =>
    new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(message, transfer);
    });
  return { ask, stop: () => worker.terminate() };
}

/** Main-thread CPU µs per call of `call(i)`, run for about `seconds` after a warm-up. */
async function perCall(call) {
  for (let i = 0; i < 50; i++) await call(i);
  const start = mainThreadCpuSec();
  const until = performance.now() + params.secondsPerStage * 1000;
  let calls = 0;
  while (performance.now() < until) await call(calls++);
  return ((mainThreadCpuSec() - start) / calls) * 1e6;
}

const pick = (list, i) => list[i % list.length];
const steps = await stepsByRequest();
const stepWorker = startWorker(steps);
const spanWorker = startWorker(spansByRequest);

const emptyUs = await perCall(() => stepWorker.ask({}));
const requestUs = await perCall((i) => {
  const body = new Uint8Array(pick(requests, i).bytes);
  return stepWorker.ask({ body }, [body.buffer]);
});
const stepsUs = (await perCall((i) => stepWorker.ask({ send: i % steps.length }))) - emptyUs;
// A request's spans share their resource and scope objects, which a clone copies once.
const spansUs =
  (await perCall((i) => spanWorker.ask({ send: i % spansByRequest.length }))) - emptyUs;
const decode = receiverDecoder();
const decodeUs = await perCall((i) => Promise.resolve(decode(pick(requests, i).bytes)));
await Promise.all([stepWorker.stop(), spanWorker.stop()]);

const perSpan = (us) => round(us / params.spansPerRequest, 2);
const results = {
  scenario: 'handoff',
  ...info,
  parameters: params,
  payload,
  mainThreadCpuUsPerSpan: {
    request: perSpan(requestUs),
    steps: perSpan(stepsUs),
    spans: perSpan(spansUs),
    decode: perSpan(decodeUs),
  },
  emptyMessageRoundTripUs: round(emptyUs, 1),
};
const file = writeResults('handoff', results);

console.log(`\n== handoff — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(`main-thread CPU µs per span (${params.spansPerRequest} spans per request)`);
console.log(
  `  request body to a worker and an answer back   ${results.mainThreadCpuUsPerSpan.request}`,
);
console.log(
  `  steps cloned back from a worker               ${results.mainThreadCpuUsPerSpan.steps}`,
);
console.log(
  `  decoded spans cloned back from a worker       ${results.mainThreadCpuUsPerSpan.spans}`,
);
console.log(
  `  decode on the main thread (reference)         ${results.mainThreadCpuUsPerSpan.decode}`,
);
console.log(`  (an empty message's round trip: ${results.emptyMessageRoundTripUs} µs, subtracted)`);
console.log(`\nwrote ${file}`);
