/**
 * Admission by request bytes in flight, with real HTTP requests against the OTLP receiver in
 * this process, behind the memory limiter that sets the bound; and what of a request the
 * receiver still holds while its acknowledgement waits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { clickhouseExporterSchema } from '../../src/exporters/clickhouse/config.js';
import { ClickhouseExporter } from '../../src/exporters/clickhouse/exporter.js';
import type { TelemetryBatch } from '../../src/model/index.js';
import type { TelemetryConsumer } from '../../src/pipeline/component.js';
import { RetryableError } from '../../src/pipeline/errors.js';
import { memoryLimiterConfigSchema } from '../../src/processors/memory_limiter/config.js';
import { MemoryLimiterProcessor } from '../../src/processors/memory_limiter/processor.js';
import { ExportTraceServiceRequest } from '../../src/receivers/otlp/proto.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { jsonRequest, traceIdFor } from '../helpers/otlp-json.js';
import { grpcExport } from '../helpers/otlp-client.js';
import { freePorts } from '../helpers/ports.js';
import { RecordingConsumer, RecordingStore, settingsFor } from '../helpers/test-doubles.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Holds every batch until `release` is called, so its request stays in flight. */
class HoldingConsumer extends RecordingConsumer {
  private held: (() => void)[] = [];
  override async consume(batch: TelemetryBatch): Promise<void> {
    await new Promise<void>((resolve) => this.held.push(resolve));
    return super.consume(batch);
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
  get holding(): number {
    return this.held.length;
  }
}

async function receiverBehindLimiter(
  maxInflight: string,
  next: RecordingConsumer = new RecordingConsumer(),
) {
  const limiterSettings = settingsFor(
    'memory_limiter',
    memoryLimiterConfigSchema.parse({ max_inflight_bytes: maxInflight }),
  );
  const limiter = new MemoryLimiterProcessor(limiterSettings, next);
  await limiter.start();
  stops.push(() => limiter.shutdown());
  const { url, grpcTarget } = await startReceiver(limiter, limiterSettings.metrics);
  return { url: `${url}/v1/traces`, grpcTarget, next, metrics: limiterSettings.metrics };
}

/**
 * The OTLP receiver on free ports in front of `next`, on the registry of the components behind
 * it: the daemon's receivers and processors share one, and with it the admission gate.
 */
async function startReceiver(next: TelemetryConsumer, metrics: Registry) {
  const [port, grpcPort] = (await freePorts(2)) as [number, number];
  const receiver = new OtlpReceiver(
    {
      ...settingsFor(
        'otlp',
        otlpReceiverSchema.parse({
          protocols: {
            http: { endpoint: `127.0.0.1:${port}` },
            grpc: { endpoint: `127.0.0.1:${grpcPort}` },
          },
        }),
      ),
      metrics,
    },
    next,
  );
  await receiver.start();
  stops.push(() => receiver.shutdown());
  return { url: `http://127.0.0.1:${port}`, grpcTarget: `127.0.0.1:${grpcPort}` };
}

/** Starts a POST that declares `body.length` bytes but sends only the first half for now. */
function halfSent(url: string, body: Buffer): { request: ClientRequest; status: Promise<number> } {
  const request = httpRequest(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
  });
  const status = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
  });
  request.write(body.subarray(0, body.length >> 1));
  return { request, status };
}

const post = (url: string, body: Buffer) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

describe('admission by request bytes in flight', () => {
  it('refuses a request before reading it while others hold the bound, and admits it after', async () => {
    const { url, next, metrics } = await receiverBehindLimiter('64KiB');
    const big = Buffer.from(jsonRequest(traceIdFor('ad01', 1), 20, 'admission', 2000));
    expect(big.length).toBeGreaterThan(40 * 1024);

    const first = halfSent(url, big);
    // The first request is admitted once its headers arrive; wait until the gate holds it.
    for (let i = 0; i < 100; i++) {
      const held = await metrics.getSingleMetricAsString('faultline_admission_inflight_bytes');
      if (held.includes(`faultline_admission_inflight_bytes ${big.length}`)) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const refused = await post(url, Buffer.from(jsonRequest(traceIdFor('ad02', 1), 20, 'x', 2000)));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.text()).toMatch(/bytes of requests are in flight/);
    expect(
      await metrics.getSingleMetricAsString('faultline_admission_refused_requests_total'),
    ).toContain(
      'faultline_admission_refused_requests_total{transport="http",reason="inflight_limited"} 1',
    );

    first.request.end(big.subarray(big.length >> 1));
    expect(await first.status).toBe(200);
    const again = await post(url, Buffer.from(jsonRequest(traceIdFor('ad02', 1), 20, 'x', 2000)));
    expect(again.status).toBe(200);
    expect(next.batches.map((batch) => batch.spans.length)).toEqual([20, 20]);
    expect(await metrics.getSingleMetricAsString('faultline_admission_inflight_bytes')).toContain(
      'faultline_admission_inflight_bytes 0',
    );
  });

  it('admits a request alone even when it is larger than the bound', async () => {
    const { url } = await receiverBehindLimiter('1KiB');
    const body = Buffer.from(jsonRequest(traceIdFor('ad03', 1), 20, 'admission', 200));
    expect(body.length).toBeGreaterThan(1024);
    expect((await post(url, body)).status).toBe(200);
  });

  it('refuses a gRPC message before decoding it while another is in flight', async () => {
    const held = new HoldingConsumer();
    const { grpcTarget, next } = await receiverBehindLimiter('1KiB', held);
    const message = (n: number) =>
      Buffer.from(
        ExportTraceServiceRequest.encode(
          ExportTraceServiceRequest.fromObject({
            resourceSpans: [
              {
                scopeSpans: [
                  {
                    spans: [
                      {
                        traceId: Buffer.alloc(16, n),
                        spanId: Buffer.alloc(8, 1),
                        name: 'x'.repeat(800),
                        startTimeUnixNano: 1,
                        endTimeUnixNano: 2,
                      },
                    ],
                  },
                ],
              },
            ],
          }),
        ).finish(),
      );
    const first = grpcExport(grpcTarget, message(1));
    for (let i = 0; i < 200 && held.holding === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const { error } = await grpcExport(grpcTarget, message(2));
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error?.details).toMatch(/bytes of requests are in flight/);
    held.release();
    expect((await first).error).toBeFalsy();
    expect(next.batches).toHaveLength(1);
  });
});

describe('admission while the durable queue is full', () => {
  /** A receiver in front of the ClickHouse exporter, whose storage is down until `recover`. */
  async function receiverBeforeFullableQueue() {
    const directory = mkdtempSync(join(tmpdir(), 'faultline-admission-'));
    const store = new RecordingStore();
    store.failWith = Array.from(
      { length: 10_000 },
      () => new RetryableError('storage is down', 'storage_unavailable'),
    );
    const exporterSettings = settingsFor(
      'clickhouse',
      clickhouseExporterSchema.parse({
        batch: { timeout: '10ms' },
        retry: { initial_interval: '10ms', max_interval: '20ms' },
        queue: { directory, max_bytes: '16KiB' },
      }),
      store,
    );
    const exporter = new ClickhouseExporter(exporterSettings);
    await exporter.start();
    stops.push(
      () => Promise.resolve(rmSync(directory, { recursive: true, force: true })),
      () => exporter.shutdown(AbortSignal.timeout(100)),
    );
    const { url, grpcTarget } = await startReceiver(exporter, exporterSettings.metrics);
    return {
      url,
      grpcTarget,
      metrics: exporterSettings.metrics,
      exporter,
      recover: () => {
        store.failWith.length = 0;
      },
    };
  }

  it('refuses trace requests before reading them until the queue has room again', async () => {
    const { url, grpcTarget, metrics, exporter, recover } = await receiverBeforeFullableQueue();
    const spans = (n: number) => Buffer.from(jsonRequest(traceIdFor('af01', n), 5, 'full', 1000));
    // Accepted while there is room; the one that does not fit is refused after processing.
    let status = 200;
    for (let n = 1; status === 200 && n < 50; n++)
      status = (await post(`${url}/v1/traces`, spans(n))).status;
    expect(status).toBe(429);

    // Now refused before the body is read: a body that is not even JSON gets 429, not 400.
    const garbage = await post(`${url}/v1/traces`, Buffer.from('not json'));
    expect(garbage.status).toBe(429);
    expect(garbage.headers.get('retry-after')).toBe('1');
    expect(await garbage.text()).toMatch(/the durable queue holds \d+ bytes/);
    const { error } = await grpcExport(grpcTarget, Buffer.from('not protobuf'));
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(
      await metrics.getSingleMetricAsString('faultline_admission_refused_requests_total'),
    ).toMatch(/\{transport="http",reason="queue_full"\} [1-9]/);
    // Log records go to a queue of their own, which has room.
    const logs = await post(
      `${url}/v1/logs`,
      Buffer.from(
        JSON.stringify({
          resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'still in' } }] }] }],
        }),
      ),
    );
    expect(logs.status).toBe(200);

    recover();
    await exporter.flush();
    expect((await post(`${url}/v1/traces`, Buffer.from('not json'))).status).toBe(400);
    expect((await post(`${url}/v1/traces`, spans(99))).status).toBe(200);
  });

  it('stops refusing once the exporter shuts down its queues', async () => {
    const { url, exporter } = await receiverBeforeFullableQueue();
    let status = 200;
    for (let n = 1; status === 200 && n < 50; n++) {
      status = (
        await post(
          `${url}/v1/traces`,
          Buffer.from(jsonRequest(traceIdFor('af02', n), 5, 'x', 1000)),
        )
      ).status;
    }
    expect(status).toBe(429);
    expect((await post(`${url}/v1/traces`, Buffer.from('not json'))).status).toBe(429);
    await exporter.shutdown(AbortSignal.timeout(100));
    // The exporter's checks are gone with it: the receiver reads the body again.
    expect((await post(`${url}/v1/traces`, Buffer.from('not json'))).status).toBe(400);
  });
});

/** `spans` spans of one trace, each with a `padding`-byte attribute, as OTLP protobuf. */
function paddedMessage(spans: number, padding: number): Buffer {
  const attributes = [{ key: 'padding', value: { stringValue: 'p'.repeat(padding) } }];
  const request = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: Array.from({ length: spans }, (_, i) => ({
              traceId: Buffer.alloc(16, 7),
              spanId: Buffer.alloc(8, i + 1),
              name: `step-${i}`,
              startTimeUnixNano: 1,
              endTimeUnixNano: 2,
              attributes,
            })),
          },
        ],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(request).finish());
}

/**
 * A client in its own process, so that what stays in this one's memory is the receiver's: it
 * reads an OTLP message from stdin, sends it to the receiver its arguments name (transport,
 * address) and prints the status (HTTP, or gRPC's grpc-status).
 */
const CLIENT = `
const http = require('node:http');
const http2 = require('node:http2');
const [transport, target] = process.argv.slice(1);
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const message = Buffer.concat(chunks);
  if (transport === 'http') {
    const request = http.request(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': message.length },
    });
    request.on('response', (response) => {
      console.log(response.statusCode);
      response.resume();
    });
    request.end(message);
    return;
  }
  const session = http2.connect('http://' + target);
  const stream = session.request({
    ':method': 'POST',
    ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.on('trailers', (trailers) => {
    console.log(trailers['grpc-status']);
    session.close();
  });
  stream.resume();
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  stream.write(prefix);
  stream.end(message);
});
`;

function sendFromAnotherProcess(transport: string, target: string, message: Buffer) {
  const child = spawn(process.execPath, ['-e', CLIENT, transport, target], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(message);
  return new Promise<number>((resolve) => child.on('exit', () => resolve(Number(output))));
}

// A body is garbage once decoded. Held until its acknowledgement, every body of a loaded daemon
// lived long enough to be promoted, and only a full collection freed it.
describe('request bodies while their acknowledgement waits', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Buffers are freed by a sweeper after the collection: it is given time before counting.
  const bufferBytes = async () => {
    for (let round = 0; round < 3; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return process.memoryUsage().arrayBuffers;
  };

  for (const transport of ['http', 'grpc'] as const) {
    it(`are let go once decoded (${transport})`, async () => {
      const held = new HoldingConsumer();
      const { url, grpcTarget, next } = await receiverBehindLimiter('64MiB', held);
      const before = await bufferBytes();
      const bytes = 200 * 16_000;
      const answered = sendFromAnotherProcess(
        transport,
        transport === 'http' ? url : grpcTarget,
        paddedMessage(200, 16_000),
      );
      for (let i = 0; i < 500 && held.holding === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(held.holding).toBe(1);
      const grown = (await bufferBytes()) - before;
      held.release();
      expect(await answered).toBe(transport === 'http' ? 200 : GrpcStatus.OK);
      expect(next.batches[0]?.spans).toHaveLength(200);
      expect(grown).toBeLessThan(bytes / 2);
    });
  }
});
