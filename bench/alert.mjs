// Scenario "alert": the alert processor's per-span work alone (counting into the rules'
// windows), in one process and without I/O, on the spans of the same requests the ingest load
// generator sends, given their agent step (the assemble converter) and their failures (the
// classify processor) beforehand, so only alerting is timed.
//   no rules        the processor with nothing to count (the pass-on cost)
//   shipped rules   the example rules of config/faultline.yaml
//   shipped ×5      the same rules five times over (renamed), for a rule-heavy config
// Then the cost of one evaluation round of every rule, with the groups the payload creates.
//
//   npm run bench:alert
//   node bench/alert.mjs --seconds 5
//
// Options (flag or environment): --seconds BENCH_ALERT_SECONDS (per stage), --batch
// BENCH_BATCH (spans per request), --pool BENCH_POOL. Results: bench/results/alert.json.

import console from 'node:console';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearInterval, setInterval } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createStepConverter } from '../dist/processors/assemble/convert/index.js';
import { alertConfigSchema } from '../dist/processors/alert/config.js';
import { AlertProcessor } from '../dist/processors/alert/processor.js';
import { classifyConfigSchema } from '../dist/processors/classify/config.js';
import { classifyProcessorFactory } from '../dist/processors/classify/factory.js';
import { Extensions } from '../dist/pipeline/host.js';
import { EmbeddedStore } from '../dist/storage/embedded.js';
import { STORAGE } from '../dist/storage/extension.js';
import { migrate } from '../dist/storage/schema/migrate.js';
import { machine, option, round, writeResults } from './common.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  secondsPerStage: option('seconds', 'BENCH_ALERT_SECONDS', 3),
  warmupSecondsPerStage: 1,
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};

const SHIPPED = parse(
  readFileSync(fileURLToPath(new URL('../config/faultline.yaml', import.meta.url)), 'utf8'),
).processors.alert;

const passOn = { consume: () => Promise.resolve(), flush: () => Promise.resolve() };
// The processor's timers are unref'd (in the daemon its servers keep the process alive), so
// storing the alerts at shutdown would otherwise find the event loop empty and the run ended.
const keepAlive = setInterval(() => {}, 1000);
// Firing and resolving alerts are stored, as in the daemon: a fresh embedded store.
const storeDirectory = mkdtempSync(join(os.tmpdir(), 'faultline-alert-'));
const store = new EmbeddedStore(
  join(storeDirectory, 'chdb'),
  'faultline',
  Math.floor(os.totalmem() * 0.3),
);
await store.open();
await migrate(store, { database: 'faultline', ttlSeconds: 0 }, pino({ level: 'silent' }));
const settings = (id, config) => ({
  id,
  config,
  logger: pino({ level: 'silent' }),
  metrics: new Registry(),
  host: new Extensions().register(STORAGE, store),
});

const info = machine();
const { requests, stats: payload } = benchPool(params);
const convert = createStepConverter({ prices: {}, previewLength: 256 });
const batches = receivedSpans(requests).map((spans) => ({ spans, traces: [], failures: [] }));
const classify = classifyProcessorFactory.create(
  settings('classify', classifyConfigSchema.parse({})),
  passOn,
);
for (const batch of batches) {
  for (const span of batch.spans) span.step = convert(span);
  await classify.consume(batch);
}
const spanCount = batches.reduce((n, b) => n + b.spans.length, 0);

async function processor(rules) {
  const config = alertConfigSchema.parse({ ...SHIPPED, rules });
  const alert = new AlertProcessor(settings('alert', config), passOn, { timer: false });
  await alert.start();
  return alert;
}

async function run(alert, seconds) {
  const until = performance.now() + seconds * 1000;
  let spans = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  do {
    for (const batch of batches) {
      await alert.consume(batch);
      spans += batch.spans.length;
    }
  } while (performance.now() < until);
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { spans, elapsed, cpuSec: (used.user + used.system) / 1e6 };
}

async function measure(rules) {
  const alert = await processor(rules);
  await run(alert, params.warmupSecondsPerStage);
  globalThis.gc?.();
  const r = await run(alert, params.secondsPerStage);
  const evalStart = performance.now();
  const rounds = 20;
  for (let i = 0; i < rounds; i++) alert.evaluate();
  const evaluationMs = (performance.now() - evalStart) / rounds;
  const groups = alert.rules.reduce((n, rule) => n + rule.groupCount, 0);
  await alert.shutdown();
  return {
    rules: rules.length,
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.elapsed / r.spans) * 1e6, 3),
    // CPU time per span holds up better than wall time when other work shares the machine.
    cpuUsPerSpan: round((r.cpuSec / r.spans) * 1e6, 3),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    groups,
    evaluationMs: round(evaluationMs, 3),
    spans: r.spans,
    seconds: round(r.elapsed, 2),
  };
}

const many = [1, 2, 3, 4, 5].flatMap((n) =>
  SHIPPED.rules.map((rule) => ({ ...rule, name: `${rule.name}_${n}` })),
);
const stages = {
  'no rules': await measure([]),
  'shipped rules': await measure(SHIPPED.rules),
  'shipped ×5': await measure(many),
};

const file = writeResults('alert', {
  scenario: 'alert',
  ...info,
  parameters: params,
  payload,
  stages,
});

console.log(`\n== alert — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(`payload: ${spanCount} distinct spans; ${params.secondsPerStage} s per stage`);
console.log(
  `  ${'stage'.padEnd(15)}${'rules'.padStart(6)}${'spans/s'.padStart(16)}${'µs/span'.padStart(10)}${'CPU µs/span'.padStart(13)}${'groups'.padStart(8)}${'eval ms'.padStart(9)}`,
);
for (const [name, r] of Object.entries(stages)) {
  console.log(
    `  ${name.padEnd(15)}${String(r.rules).padStart(6)}${r.spansPerSec.toLocaleString('en-US').padStart(16)}${String(r.usPerSpan).padStart(10)}${String(r.cpuUsPerSpan).padStart(13)}${String(r.groups).padStart(8)}${String(r.evaluationMs).padStart(9)}`,
  );
}
console.log(`\nwrote ${file}`);
await store.close();
rmSync(storeDirectory, { recursive: true, force: true });
clearInterval(keepAlive);
