/**
 * Faults injected for real into a running daemon: SIGKILL while a client streams, a torn
 * record at the tail of the queue, and the embedded engine's directory becoming unwritable
 * while an OpenTelemetry SDK exporter keeps sending into a queue that fills up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { encodeHeader } from '../../src/exporters/helper/queue/record.js';
import { ExportTraceServiceRequest, RpcStatus } from '../../src/receivers/otlp/proto.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { grpcExport, metricSum } from '../helpers/otlp-client.js';
import { jsonRequest, postJson, traceIdFor } from '../helpers/otlp-json.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `faultline-${name}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(options: Parameters<typeof startDaemon>[0]): Promise<DaemonHandle> {
  const daemon = await startDaemon(options);
  cleanups.push(() => daemon.kill());
  return daemon;
}

interface Stored {
  rows: number;
  distinct: number;
}

async function storedSpans(daemon: DaemonHandle, prefix: string): Promise<Stored> {
  const [row] = await daemon.query<{ rows: string; distinct: string }>(
    `SELECT toString(count()) AS rows, toString(uniqExact(TraceId, SpanId)) AS distinct
     FROM faultline.otel_traces WHERE startsWith(TraceId, '${prefix}')`,
  );
  return { rows: Number(row?.rows), distinct: Number(row?.distinct) };
}

describe('kill -9 while a client streams spans', () => {
  it('stores every span the client saw acknowledged, exactly once, after a restart', async () => {
    const dataDir = tempDir('kill9');
    const prefix = 'a9a9';
    const daemon = await start({ dataDir });
    const spansPerRequest = 25;
    let acknowledged = 0;
    let next = 0;
    let killed = false;
    const client = async () => {
      while (!killed) {
        const body = jsonRequest(traceIdFor(prefix, next++), spansPerRequest, 'kill9');
        const status = await postJson(daemon, body).catch(() => 0);
        if (status === 200) acknowledged += spansPerRequest;
      }
    };
    const clients = [client(), client(), client()];
    while (acknowledged < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
    await daemon.kill();
    killed = true;
    await Promise.all(clients);

    const again = await start({ dataDir });
    const stored = await storedSpans(again, prefix);
    // Requests cut off by the kill may have been logged without their answer arriving: those
    // spans are stored too (at least once), but never twice.
    expect(stored.distinct).toBeGreaterThanOrEqual(acknowledged);
    expect(stored.rows).toBe(stored.distinct);
  });
});

describe('a torn record at the tail of the queue', () => {
  it('is skipped and counted on restart, and the records before it are delivered', async () => {
    const dataDir = tempDir('torn');
    const prefix = 'b7b7';
    // Batches wait a minute, so the acknowledged spans are still only in the log at the kill.
    const daemon = await start({
      dataDir,
      exporterYaml: '    batch:\n      timeout: 60s\n      max_rows: 1000000',
    });
    for (let n = 0; n < 3; n++) {
      expect(await postJson(daemon, jsonRequest(traceIdFor(prefix, n), 10, 'torn'))).toBe(200);
    }
    await daemon.kill();

    const log = join(dataDir, 'queue', 'clickhouse', 'otel_traces');
    const segment = readdirSync(log)
      .filter((name) => name.endsWith('.wal'))
      .sort()
      .at(-1)!;
    const payload = Buffer.from('{"TraceId":"never-completed"}');
    const record = Buffer.concat([encodeHeader(payload, 1, Date.now()), payload]);
    appendFileSync(join(log, segment), record.subarray(0, record.length - 7));

    const again = await start({ dataDir });
    expect(await storedSpans(again, prefix)).toEqual({ rows: 30, distinct: 30 });
    expect(
      await metricSum(again.adminUrl, 'faultline_queue_corrupt_records_total', {
        exporter: 'clickhouse',
        table: 'otel_traces',
      }),
    ).toBe(1);
  });
});

/** `chattr +i` makes a directory unwritable even for root; not every filesystem allows it. */
function immutableDirectoriesWork(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'faultline-chattr-'));
  try {
    const set = spawnSync('chattr', ['+i', probe], { stdio: 'ignore' });
    spawnSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return set.status === 0;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const chattrWorks = immutableDirectoriesWork();
if (!chattrWorks) {
  console.warn(
    'storage-failure test skipped: this filesystem does not allow chattr +i, which the test uses to make the engine directory unwritable',
  );
}

describe.runIf(chattrWorks)('the embedded engine failing while the queue fills', () => {
  it('pushes back with 429 when full; the SDK retries and every span lands once the disk is back', async () => {
    const dataDir = tempDir('enginefail');
    const daemon = await start({
      dataDir,
      queue: { max_bytes: '250KiB' },
      exporterYaml:
        '    batch:\n      timeout: 20ms\n    retry:\n      initial_interval: 50ms\n      max_interval: 200ms',
    });
    const store = join(dataDir, 'store');
    // Directories only: no new part can be created, while symlinks are left alone.
    const setImmutable = (on: boolean) => {
      execFileSync('find', [store, '-type', 'd', '-exec', 'chattr', on ? '+i' : '-i', '{}', '+']);
    };
    setImmutable(true);
    cleanups.push(() => setImmutable(false));

    const recorded = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(recorded)],
    });
    const tracer = provider.getTracer('durability-test');
    for (let i = 0; i < 400; i++) {
      tracer.startSpan(`work-${i}`, { attributes: { blob: 'y'.repeat(500) } }).end();
    }
    const spans = recorded.getFinishedSpans();
    const batches: ReadableSpan[][] = Array.from({ length: 4 }, (_, b) =>
      spans.slice(b * 100, b * 100 + 100),
    );
    const exporter = new OTLPTraceExporter({
      url: `http://127.0.0.1:${daemon.httpPort}/v1/traces`,
      timeoutMillis: 60_000,
    });
    const results = batches.map(
      (spans) => new Promise<ExportResult>((resolve) => exporter.export(spans, resolve)),
    );

    // Refused after decoding when a request does not fit, or before reading it once the queue
    // cannot take one as large as the last.
    const refused = async () =>
      (await metricSum(daemon.adminUrl, 'faultline_receiver_refused_spans_total', {
        transport: 'http',
        reason: 'queue_full',
      })) +
      (await metricSum(daemon.adminUrl, 'faultline_admission_refused_requests_total', {
        transport: 'http',
        reason: 'queue_full',
      }));
    for (let attempt = 0; attempt < 200 && (await refused()) === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await refused()).toBeGreaterThan(0);
    const queued = await metricSum(daemon.adminUrl, 'faultline_queue_bytes', {
      exporter: 'clickhouse',
      table: 'otel_traces',
    });
    expect(queued).toBeGreaterThan(100 * 1024);

    setImmutable(false);
    const outcomes = await Promise.all(results);
    expect(outcomes.map((o) => o.code)).toEqual(Array(4).fill(ExportResultCode.SUCCESS));
    const traceIds = new Set(batches.flat().map((s) => s.spanContext().traceId));
    const [row] = await daemon.query<{ rows: string; distinct: string }>(
      `SELECT toString(count()) AS rows, toString(uniqExact(SpanId)) AS distinct
       FROM faultline.otel_traces WHERE TraceId IN (${[...traceIds].map((t) => `'${t}'`).join(',')})`,
    );
    expect(row).toEqual({ rows: '400', distinct: '400' });
    await exporter.shutdown();
  });
});

interface WebhookIncident {
  status: string;
  alerts: { alertname: string; source: string }[];
}

function alertmanagerWebhook(names: string[]): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{service="webhook-outage"}',
    status: 'firing',
    receiver: 'faultline',
    alerts: names.map((alertname) => ({
      status: 'firing',
      labels: { alertname, service: 'webhook-outage', severity: 'high' },
      annotations: {},
      startsAt: '2026-01-01T00:00:00Z',
    })),
  });
}

describe.runIf(chattrWorks)('Alertmanager webhooks while the embedded engine fails', () => {
  it('answers 503 with Retry-After once the alert queue is full; a resend after recovery is stored once', async () => {
    const dataDir = tempDir('webhookfail');
    const daemon = await start({
      dataDir,
      alertingQueue: { max_bytes: '2KiB' },
      exporterYaml: '    retry:\n      initial_interval: 50ms\n      max_interval: 200ms',
    });
    const setImmutable = (on: boolean) => {
      const store = join(dataDir, 'store');
      execFileSync('find', [store, '-type', 'd', '-exec', 'chattr', on ? '+i' : '-i', '{}', '+']);
    };
    setImmutable(true);
    cleanups.push(() => setImmutable(false));
    const post = (names: string[]) =>
      fetch(`${daemon.adminUrl}/api/v1/alertmanager/webhook`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: alertmanagerWebhook(names),
      });

    // Each webhook brings a new alert (new rows); the queue takes them until it is full.
    const taken: string[] = [];
    let refused: Response | undefined;
    for (let n = 0; n < 50 && !refused; n++) {
      const response = await post([`Outage${n}`]);
      if (response.status === 200) taken.push(`Outage${n}`);
      else refused = response;
    }
    expect(taken.length).toBeGreaterThan(0);
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(await refused?.text()).toMatch(/queue.*retry later/);
    const late = `Outage${taken.length}`;

    // Storage is back: Alertmanager resends the refused group until it is taken, then sends
    // the whole group again on its repeat interval.
    setImmutable(false);
    let status = 0;
    for (let attempt = 0; attempt < 200 && status !== 200; attempt++) {
      status = (await post([late])).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    const again = await post([...taken, late]);
    expect(await again.json()).toMatchObject({ received: taken.length + 1, recorded: 0 });

    await daemon.drained();
    const response = await fetch(`${daemon.adminUrl}/api/v1/incidents`);
    const { incidents } = (await response.json()) as { incidents: WebhookIncident[] };
    expect(incidents).toHaveLength(1);
    const names = incidents[0]!.alerts.map((a) => a.alertname).sort();
    expect(names).toEqual([...taken, late].sort());
    const [row] = await daemon.query<{ rows: string }>(
      `SELECT toString(count()) AS rows FROM faultline.alerts WHERE AlertName = '${late}'`,
    );
    expect(row).toEqual({ rows: '1' });
  });
});

describe('the memory limiter under memory pressure', () => {
  it('refuses with 503 and Retry-After, counts the refusal, and stays healthy', async () => {
    // A resident-set limit of 1 MiB is always exceeded: the daemon is always "under pressure".
    const daemon = await start({
      processorsYaml: '  memory_limiter:\n    rss_limit: 1MiB\n    recovery_percentage: 0',
      pipelineProcessors: ['memory_limiter'],
    });
    const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: jsonRequest(traceIdFor('c3c3', 1), 5, 'pressure'),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toMatch(/memory use is over the limit/);
    // Refused before its body was read.
    expect(
      await metricSum(daemon.adminUrl, 'faultline_admission_refused_requests_total', {
        transport: 'http',
        reason: 'memory_limited',
      }),
    ).toBe(1);
    expect((await fetch(`${daemon.adminUrl}/healthz`)).status).toBe(200);

    // gRPC: UNAVAILABLE with a RetryInfo detail saying when to retry, as OTLP clients expect.
    const request = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: Buffer.alloc(16, 0xc3),
                    spanId: Buffer.alloc(8, 1),
                    name: 'refused',
                    startTimeUnixNano: 1,
                    endTimeUnixNano: 2,
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const { error } = await grpcExport(`127.0.0.1:${daemon.grpcPort}`, Buffer.from(request));
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    const [details] = error!.metadata.get('grpc-status-details-bin') as Buffer[];
    const decoded = RpcStatus.toObject(RpcStatus.decode(details!), { longs: Number }) as {
      code: number;
      details: { type_url: string; value: Uint8Array }[];
    };
    expect(decoded.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(decoded.details.map((d) => d.type_url)).toEqual([
      'type.googleapis.com/google.rpc.RetryInfo',
    ]);
    // RetryInfo { retry_delay (1): Duration { seconds (1): 1 } }
    expect(Buffer.from(decoded.details[0]!.value).toString('hex')).toBe('0a020801');
  });
});

describe('times before 2001 (an unset start time)', () => {
  it('are stored exactly, and do not take the rest of their batch with them', async () => {
    const daemon = await start({});
    const traceId = traceIdFor('d0d0', 1);
    const body = JSON.parse(jsonRequest(traceId, 3, 'old-times')) as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const [unset, early] = body.resourceSpans[0]!.scopeSpans[0]!.spans;
    Object.assign(unset!, { startTimeUnixNano: '0', endTimeUnixNano: '0' });
    Object.assign(early!, {
      startTimeUnixNano: '5',
      endTimeUnixNano: '999999999',
      events: [{ timeUnixNano: '7', name: 'early-event' }],
    });
    expect(await postJson(daemon, JSON.stringify(body))).toBe(200);
    const rows = await daemon.query<{ SpanName: string; Start: string; Event: string[] }>(
      `SELECT SpanName, toString(Timestamp) AS Start, arrayMap(t -> toString(t), Events.Timestamp) AS Event
       FROM faultline.otel_traces WHERE TraceId = '${traceId}' ORDER BY SpanName`,
    );
    expect(rows).toEqual([
      { SpanName: 'step-0', Start: '1970-01-01 00:00:00.000000000', Event: [] },
      {
        SpanName: 'step-1',
        Start: '1970-01-01 00:00:00.000000005',
        Event: ['1970-01-01 00:00:00.000000007'],
      },
      { SpanName: 'step-2', Start: '2023-11-14 22:13:20.000000002', Event: [] },
    ]);
  });
});
