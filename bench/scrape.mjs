// Scenario "scrape": the prometheus exporter's two costs.
//
// record  in one process, without I/O: PrometheusExporter.consume on the spans of the same
//         requests the ingest load generator sends, decoded, converted and given their agent
//         step beforehand (as the exporter receives them after assemble), so only recording
//         into the metric series is timed. The payload's span names are few, so this is the
//         steady state: every series exists and a span only finds and updates its own.
// scrape  a daemon (receiver → clickhouse + prometheus exporters, no processors) is sent one
//         span for each of `series` label sets (`services` services × span names, every name
//         distinct within the default label limit of 1000), then /metrics is fetched
//         `scrapes` times in each format, one request at a time, timing each from request to
//         the last byte: Prometheus text 0.0.4 and OpenMetrics 1.0.0 with exemplars.
//
//   npm run bench:scrape
//   node bench/scrape.mjs --series 20000 --services 20 --scrapes 50
//
// Options (flag or environment): --seconds BENCH_SCRAPE_SECONDS (timed seconds of `record`),
// --series BENCH_SCRAPE_SERIES, --services BENCH_SCRAPE_SERVICES, --scrapes BENCH_SCRAPES,
// --batch BENCH_BATCH, --pool BENCH_POOL. Results: bench/results/scrape.json.

import { spawn } from 'node:child_process';
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { prometheusExporterFactory } from '../dist/exporters/prometheus/factory.js';
import { createStepConverter } from '../dist/processors/assemble/convert/index.js';
import { clockTicks, machine, option, round, writeResults } from './common.mjs';
import { startDaemon } from './daemon.mjs';
import { benchPool, receivedSpans } from './payloads.mjs';

const params = {
  recordSeconds: option('seconds', 'BENCH_SCRAPE_SECONDS', 3),
  recordWarmupSeconds: 1,
  series: option('series', 'BENCH_SCRAPE_SERIES', 10_000),
  services: option('services', 'BENCH_SCRAPE_SERVICES', 10),
  scrapes: option('scrapes', 'BENCH_SCRAPES', 30),
  spansPerRequest: option('batch', 'BENCH_BATCH', 200),
  poolSize: option('pool', 'BENCH_POOL', 50),
};
const info = machine();
const CLK_TCK = clockTicks();

// ---- record ----

async function record() {
  const { requests } = benchPool(params);
  const convert = createStepConverter({ prices: {}, previewLength: 256 });
  const batches = receivedSpans(requests);
  for (const span of batches.flat()) span.step = convert(span);
  const exporter = prometheusExporterFactory.create({
    id: 'prometheus',
    config: prometheusExporterFactory.configSchema.parse({}),
    logger: pino({ level: 'silent' }),
    metrics: new Registry(),
    store: undefined,
  });
  const run = async (seconds) => {
    const until = performance.now() + seconds * 1000;
    let spans = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    do {
      for (const list of batches) {
        await exporter.consume({ spans: list, traces: [], failures: [] });
        spans += list.length;
      }
    } while (performance.now() < until);
    const elapsed = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { spans, elapsed, cpuSec: (used.user + used.system) / 1e6 };
  };
  await run(params.recordWarmupSeconds);
  globalThis.gc?.();
  const r = await run(params.recordSeconds);
  const models = batches
    .flat()
    .filter((s) => s.step?.type === 'llm_call' || s.step?.type === 'embedding');
  return {
    spansPerSec: round(r.spans / r.elapsed, 0),
    usPerSpan: round((r.elapsed / r.spans) * 1e6, 3),
    cpuUsPerSpan: round((r.cpuSec / r.spans) * 1e6, 3),
    cpuPercent: round((r.cpuSec / r.elapsed) * 100, 0),
    modelCallShare: round(models.length / batches.flat().length, 3),
    spans: r.spans,
    seconds: round(r.elapsed, 2),
  };
}

// ---- scrape ----

const hex = (n, width) => n.toString(16).padStart(width, '0');

/** OTLP/JSON requests carrying one span per label set: `services` × names. */
function labelSetRequests() {
  const perService = Math.ceil(params.series / params.services);
  const now = BigInt(Date.now()) * 1_000_000n;
  const requests = [];
  let made = 0;
  for (let s = 0; s < params.services && made < params.series; s++) {
    for (let from = 0; from < perService && made < params.series; from += 1000) {
      const spans = [];
      for (let i = from; i < Math.min(from + 1000, perService) && made < params.series; i++) {
        made++;
        spans.push({
          traceId: hex(made, 32),
          spanId: hex(made, 16),
          name: `GET /api/v1/resource-${i}`,
          kind: 2,
          startTimeUnixNano: String(now),
          endTimeUnixNano: String(now + BigInt(1 + (i % 900)) * 1_000_000n),
          status: i % 20 === 0 ? { code: 2 } : {},
        });
      }
      requests.push({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { stringValue: `service-${s}` } }],
            },
            scopeSpans: [{ scope: { name: 'bench' }, spans }],
          },
        ],
      });
    }
  }
  return requests;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const PROBER = `
let max = 0;
let running = true;
process.on('message', () => { running = false; });
(async () => {
  while (running) {
    const started = performance.now();
    await (await fetch(process.argv[1])).text();
    max = Math.max(max, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  process.send(max, () => process.exit(0));
})();
`;

/** A child process timing back-to-back GETs of `url`; `stop()` resolves with the slowest (ms). */
function startProber(url) {
  const child = spawn(process.execPath, ['-e', PROBER, url], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const slowest = new Promise((resolve) => child.once('message', resolve));
  return {
    stop() {
      child.send('stop');
      return slowest;
    },
  };
}

async function timeScrapes(daemon, accept) {
  const url = `${daemon.adminUrl}/metrics`;
  const times = [];
  let ticksAtStart = 0;
  let body = '';
  let contentType = '';
  // Meanwhile a prober in its own process asks /healthz back to back: its slowest answer is
  // how long a scrape holds up everything else the daemon does (acknowledgements included).
  const prober = startProber(`${daemon.adminUrl}/healthz`);
  for (let i = 0; i < params.scrapes + 2; i++) {
    const started = performance.now();
    const response = await globalThis.fetch(url, { headers: accept ? { Accept: accept } : {} });
    body = await response.text();
    const ms = performance.now() - started;
    contentType = response.headers.get('content-type');
    if (i >= 2) times.push(ms); // the first two warm the renderer up

    if (i === 1) ticksAtStart = daemon.proc().ticks;
  }
  const maxHealthMs = await prober.stop();
  // The daemon's CPU per scrape holds up better than wall time when the machine is busy.
  const cpuMs = ((daemon.proc().ticks - ticksAtStart) / CLK_TCK) * 1000;
  times.sort((a, b) => a - b);
  const lines = body.split('\n');
  return {
    contentType,
    p50Ms: round(percentile(times, 0.5), 1),
    p90Ms: round(percentile(times, 0.9), 1),
    maxMs: round(times[times.length - 1], 1),
    daemonCpuMsPerScrape: round(cpuMs / times.length, 1),
    healthzMaxMsDuringScrapes: round(maxHealthMs, 1),
    bytes: body.length,
    samples: lines.filter((l) => l && !l.startsWith('#')).length,
    callsSeries: lines.filter((l) => l.startsWith('traces_span_metrics_calls_total{')).length,
    exemplars: lines.filter((l) => l.includes(' # {trace_id=')).length,
  };
}

async function scrape() {
  const daemon = await startDaemon({ exporters: ['clickhouse', 'prometheus'] });
  try {
    for (const request of labelSetRequests()) {
      const response = await globalThis.fetch(`http://${daemon.http}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (!response.ok)
        throw new Error(`OTLP request refused: ${response.status} ${await response.text()}`);
    }
    return {
      text: await timeScrapes(daemon, undefined),
      openMetrics: await timeScrapes(
        daemon,
        'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3',
      ),
    };
  } finally {
    await daemon.stop();
  }
}

const stages = { record: await record(), scrape: await scrape() };
const file = writeResults('scrape', { scenario: 'scrape', ...info, parameters: params, stages });

const r = stages.record;
console.log(`\n== scrape — ${info.date}, node ${info.node}, ${info.cpu} × ${info.nproc}`);
console.log(
  `record: ${r.spansPerSec.toLocaleString('en-US')} spans/s, ${r.usPerSpan} µs/span (CPU ${r.cpuUsPerSpan} µs/span, ${r.cpuPercent}% CPU); ${round(r.modelCallShare * 100, 1)}% of spans are model calls`,
);
for (const [name, s] of Object.entries(stages.scrape)) {
  console.log(
    `scrape ${name.padEnd(11)} ${s.callsSeries.toLocaleString('en-US')} span label sets, ${s.samples.toLocaleString('en-US')} samples, ${round(s.bytes / 2 ** 20, 1)} MiB, ${s.exemplars.toLocaleString('en-US')} exemplars: p50 ${s.p50Ms} ms, p90 ${s.p90Ms} ms, max ${s.maxMs} ms; daemon CPU ${s.daemonCpuMsPerScrape} ms per scrape, slowest /healthz meanwhile ${s.healthzMaxMsDuringScrapes} ms`,
  );
}
console.log(`\nwrote ${file}`);
