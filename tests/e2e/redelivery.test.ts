import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { metricSum } from '../helpers/otlp-client.js';
import { postJson, traceIdFor } from '../helpers/otlp-json.js';

/**
 * What OTLP exporters do after a timeout, a 429 or a 503 — send the same spans again — and
 * spans that come late, against spawned daemons with the embedded store.
 */

const LOADGEN = fileURLToPath(new URL('../../bench/loadgen.mjs', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SpanSpec {
  id: number;
  parent?: number;
  error?: boolean;
}

/** One OTLP/JSON request with these spans of one trace (span ids from their numbers). */
function request(traceId: string, spans: SpanSpec[]): string {
  const spanId = (n: number) => n.toString(16).padStart(16, '0');
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'redelivery' } }] },
        scopeSpans: [
          {
            spans: spans.map(({ id, parent, error }) => ({
              traceId,
              spanId: spanId(id),
              parentSpanId: parent === undefined ? '' : spanId(parent),
              name: parent === undefined ? 'invoke_agent' : `step-${id}`,
              startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(id)),
              endTimeUnixNano: String(1_700_000_000_500_000_000n + BigInt(id)),
              status: error ? { code: 2, message: 'tool failed' } : {},
            })),
          },
        ],
      },
    ],
  });
}

/** A root and three children, the second of which failed. */
const smallTrace = (traceId: string) =>
  request(traceId, [
    { id: 2, parent: 1 },
    { id: 3, parent: 1, error: true },
    { id: 4, parent: 1 },
    { id: 1 },
  ]);

const rowOf = (daemon: DaemonHandle, traceId: string) =>
  daemon.query<Record<string, unknown>>(
    `SELECT * FROM faultline.agent_traces FINAL WHERE TraceId = '${traceId}'`,
  );

async function untilCount(daemon: DaemonHandle, sql: string, n: number): Promise<void> {
  const rows = await daemon.queryUntil<{ n: string }>(
    `SELECT toString(count()) AS n FROM ${sql}`,
    (r) => Number(r[0]?.n) >= n,
  );
  expect(Number(rows[0]?.n)).toBe(n);
}

describe('redelivered and late spans', () => {
  let daemon: DaemonHandle;
  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml:
        '  assemble:\n    decision_wait: 500ms\n    root_wait: 2s\n    late_span_window: 5s\n  classify: {}\n',
      pipelineProcessors: ['assemble', 'classify'],
    });
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('leaves the stored trace unchanged when a span comes again within the decision wait and after the trace was emitted', async () => {
    const traceId = traceIdFor('d0', 1);
    expect(await postJson(daemon, smallTrace(traceId))).toBe(200);
    expect(await postJson(daemon, smallTrace(traceId))).toBe(200);
    await untilCount(daemon, `faultline.agent_traces WHERE TraceId = '${traceId}'`, 1);
    const [first] = await rowOf(daemon, traceId);
    expect(first).toMatchObject({ SpanCount: 4, Status: 'failed', ErrorCount: 1 });

    expect(await postJson(daemon, smallTrace(traceId))).toBe(200);
    // Stored as received, as the Collector would: three copies of each span.
    await untilCount(daemon, `faultline.otel_traces WHERE TraceId = '${traceId}'`, 12);
    await sleep(1500); // a re-emission would be written a decision wait later
    expect(await rowOf(daemon, traceId)).toEqual([first]);
    const rows = await daemon.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM faultline.agent_traces WHERE TraceId = '${traceId}'`,
    );
    expect(rows).toEqual([{ n: '1' }]);
    const failures = await daemon.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM faultline.failures FINAL WHERE TraceId = '${traceId}'`,
    );
    expect(failures).toEqual([{ n: '1' }]);
    expect(await metricSum(daemon.adminUrl, 'faultline_assemble_duplicate_spans_total')).toBe(8);
  });

  it('never replaces a complete trace with a smaller one when a span comes after late_span_window', async () => {
    const traceId = traceIdFor('d1', 1);
    expect(await postJson(daemon, smallTrace(traceId))).toBe(200);
    await untilCount(daemon, `faultline.agent_traces WHERE TraceId = '${traceId}'`, 1);
    const [complete] = await rowOf(daemon, traceId);
    await sleep(5500); // the emitted trace is forgotten
    expect(await postJson(daemon, request(traceId, [{ id: 9, parent: 1 }]))).toBe(200);
    // The late span is assembled alone (no root: after root_wait) and written too…
    await untilCount(daemon, `faultline.agent_traces WHERE TraceId = '${traceId}'`, 2);
    // …but the row that covers more spans stays the trace's row.
    expect(await rowOf(daemon, traceId)).toEqual([complete]);
  });
});

describe('a trace of 100,000 spans with small inserts', () => {
  let daemon: DaemonHandle;
  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml: '  assemble:\n    decision_wait: 500ms\n',
      pipelineProcessors: ['assemble'],
      // Small inserts and chunks, so byte-bounded chunking is exercised on every table.
      exporterYaml: '    batch:\n      timeout: 50ms\n      max_bytes: 1MiB',
    });
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('stores every span and the trace with its dropped steps counted, answering /healthz throughout', async () => {
    const traceId = traceIdFor('e0', 1);
    const statuses: number[] = [];
    let sending = true;
    const probes = (async () => {
      while (sending) {
        const response = await fetch(`${daemon.adminUrl}/healthz`);
        statuses.push(response.status);
        await response.text();
        await sleep(100);
      }
    })();
    const perRequest = 2_000;
    for (let from = 2; from <= 100_000; from += perRequest) {
      const spans: SpanSpec[] = [];
      for (let id = from; id < Math.min(from + perRequest, 100_001); id++)
        spans.push({ id, parent: 1 });
      if (from + perRequest > 100_000) spans.push({ id: 1 });
      expect(await postJson(daemon, request(traceId, spans))).toBe(200);
    }
    await untilCount(daemon, `faultline.otel_traces WHERE TraceId = '${traceId}'`, 100_000);
    await untilCount(daemon, `faultline.agent_traces WHERE TraceId = '${traceId}'`, 1);
    sending = false;
    await probes;
    const [row] = await daemon.query<{ SpanCount: number; DroppedSteps: number; Status: string }>(
      `SELECT SpanCount, DroppedSteps, Status FROM faultline.agent_traces FINAL WHERE TraceId = '${traceId}'`,
    );
    expect(row).toEqual({ SpanCount: 5_000, DroppedSteps: 95_000, Status: 'ok' });
    expect(await metricSum(daemon.adminUrl, 'faultline_assemble_dropped_steps_total')).toBe(95_000);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
  }, 300_000);
});

describe('identical requests resent concurrently under load', () => {
  let daemon: DaemonHandle;
  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml: `  assemble:\n    decision_wait: 1s\n    root_wait: 2s\n  classify: {}\n  alert:\n    rules: [{ name: AnySpan, aggregate: count, threshold: 0 }]\n`,
      pipelineProcessors: ['assemble', 'classify', 'alert'],
      exportersYaml: '  prometheus: {}\n',
      pipelineExporters: ['clickhouse', 'prometheus'],
    });
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('keeps answering /healthz, counts each span once per trace, stays bounded in memory and stops on SIGTERM', async () => {
    const rssBytes = () =>
      Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))![1]) *
      1024;
    const loadgen = fork(
      LOADGEN,
      [
        ...['--grpc', `127.0.0.1:${daemon.grpcPort}`, '--http', `127.0.0.1:${daemon.httpPort}`],
        ...['--concurrency', '8', '--batch', '500', '--pool', '4', '--duration', '8'],
        ...['--warmup', '0', '--resend'],
      ],
      { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    const finished = new Promise<{ measured: { total: { ackedRequests: number } } }>(
      (resolve, reject) => {
        loadgen.on('message', (message: { type: string }) => {
          if (message.type === 'result') resolve(message as never);
        });
        loadgen.once('exit', (code) => code !== 0 && reject(new Error(`loadgen exited ${code}`)));
      },
    );
    let loading = true;
    const statuses: number[] = [];
    let peakRss = 0;
    const probes = (async () => {
      while (loading) {
        // Each probe must be answered; how fast is for the benchmark (bench/resend.mjs).
        const response = await fetch(`${daemon.adminUrl}/healthz`);
        statuses.push(response.status);
        await response.text();
        peakRss = Math.max(peakRss, rssBytes());
        await sleep(250);
      }
    })();
    const result = await finished;
    loading = false;
    await probes;
    expect(result.measured.total.ackedRequests).toBeGreaterThan(4); // so spans were resent
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(peakRss).toBeLessThan(2 * 1024 ** 3);

    // Each agent trace counts each of its spans once, however often they were delivered.
    const mismatched = `SELECT toString(countIf(a.SpanCount != s.n)) AS wrong, toString(count()) AS traces
      FROM (SELECT TraceId, SpanCount FROM faultline.agent_traces FINAL) AS a
      INNER JOIN (SELECT TraceId, uniqExact(SpanId) AS n FROM faultline.otel_traces GROUP BY TraceId) AS s
      USING TraceId`;
    const distinctTraces = await daemon.query<{ n: string }>(
      'SELECT toString(uniqExact(TraceId)) AS n FROM faultline.otel_traces',
    );
    const [counts] = await daemon.queryUntil<{ wrong: string; traces: string }>(
      mismatched,
      (rows) => rows[0]?.traces === distinctTraces[0]?.n && rows[0]?.wrong === '0',
    );
    expect(counts).toEqual({ wrong: '0', traces: distinctTraces[0]!.n });
    expect(
      await metricSum(daemon.adminUrl, 'faultline_assemble_duplicate_spans_total'),
    ).toBeGreaterThan(0);

    // The daemon bounds its own shutdown (30 s today); it exits well within it.
    const stopping = performance.now();
    expect(await daemon.stop()).toBe(0);
    expect(performance.now() - stopping).toBeLessThan(30_000);
  });
});
