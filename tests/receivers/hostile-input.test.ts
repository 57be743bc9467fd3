import { randomBytes } from 'node:crypto';
import { connect as http2Connect, type IncomingHttpHeaders } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPTH_LIMIT_MARKER } from '../../src/receivers/otlp/convert.js';
import { ExportTraceServiceRequest, TRACE_SERVICE_PATH } from '../../src/receivers/otlp/proto.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import {
  field,
  fixed64,
  grpcExport,
  jsonError,
  metricSum,
  rpcStatus,
} from '../helpers/otlp-client.js';

/**
 * Hostile clients against one spawned daemon over real sockets: bodies that are truncated,
 * not UTF-8, nested absurdly deep, or made of millions of tiny attributes or huge arrays, and
 * clients that send their headers or body slowly (slow-loris). Each must get a clear error or
 * a counted partial rejection, and afterwards the daemon must still answer /healthz and store
 * the next normal request.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const START = 1_700_000_000_000_000_000n;
const MAX_ARRAY_ELEMENTS = 16;
const HEADER_TIMEOUT_MS = 500;
const READ_TIMEOUT_MS = 1_500;

let daemon: DaemonHandle;

beforeAll(async () => {
  daemon = await startDaemon({
    otlp: {
      http: { read_header_timeout: `${HEADER_TIMEOUT_MS}ms`, read_timeout: `${READ_TIMEOUT_MS}ms` },
      grpc: { max_connection_age: '1s', max_connection_age_grace: '1s' },
      limits: { max_array_elements: MAX_ARRAY_ELEMENTS },
    },
    adminYaml: `  read_header_timeout: ${HEADER_TIMEOUT_MS}ms\n  read_timeout: ${READ_TIMEOUT_MS}ms\n`,
  });
});

afterAll(async () => {
  await daemon?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Requests

type Json = Record<string, unknown>;

function protoRequest(traceId: Buffer, span: Json = {}): Buffer {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'hostile-input' } }],
        },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8),
                name: 'op',
                startTimeUnixNano: String(START),
                endTimeUnixNano: String(START + 1_000_000n),
                ...span,
              },
            ],
          },
        ],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

/** An ExportTraceServiceRequest around hand-encoded span fields appended to a valid span. */
function requestWithSpanFields(traceId: Buffer, extra: Buffer): Buffer {
  const span = Buffer.concat([
    field(1, traceId),
    field(2, randomBytes(8)),
    field(5, Buffer.from('op')),
    fixed64(7, START),
    fixed64(8, START + 1_000_000n),
    extra,
  ]);
  // ResourceSpans.scope_spans (2) → ScopeSpans.spans (2) → request.resource_spans (1)
  return field(1, field(2, field(2, span)));
}

interface HttpAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

async function post(body: Uint8Array | string, contentType: string): Promise<HttpAnswer> {
  const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: Buffer.from(await response.arrayBuffer()),
  };
}

const grpc = (message: Buffer) => grpcExport(`127.0.0.1:${daemon.grpcPort}`, message);

const metric = (name: string, labels: Record<string, string> = {}) =>
  metricSum(daemon.adminUrl, name, labels);

interface StoredSpan {
  SpanAttributes: Record<string, string>;
  DroppedAttributesCount: number;
}

async function stored(traceId: Buffer): Promise<StoredSpan[]> {
  return daemon.query<StoredSpan>(
    `SELECT SpanAttributes, DroppedAttributesCount FROM faultline.otel_traces
     WHERE TraceId = '${traceId.toString('hex')}'`,
  );
}

/** After every hostile request: /healthz answers and a normal request is stored. */
async function expectHealthy(): Promise<void> {
  expect((await fetch(`${daemon.adminUrl}/healthz`)).status).toBe(200);
  const viaHttp = randomBytes(16);
  expect((await post(protoRequest(viaHttp), PROTOBUF)).status).toBe(200);
  const viaGrpc = randomBytes(16);
  expect((await grpc(protoRequest(viaGrpc))).error).toBeNull();
  expect(await stored(viaHttp)).toHaveLength(1);
  expect(await stored(viaGrpc)).toHaveLength(1);
}

// =============================================================================================

describe('truncated frames', () => {
  const whole = (): Buffer =>
    protoRequest(randomBytes(16), {
      attributes: [{ key: 'k', value: { stringValue: 'v'.repeat(200) } }],
    });

  it('answers a protobuf body cut short with 400 INVALID_ARGUMENT over HTTP', async () => {
    const body = whole();
    for (const cut of [1, Math.floor(body.length / 2), body.length - 1]) {
      const answer = await post(body.subarray(0, cut), PROTOBUF);
      expect(answer.status, `cut at ${cut}`).toBe(400);
      expect(rpcStatus(answer.body).code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(rpcStatus(answer.body).message).toMatch(/cannot decode the protobuf body/);
    }
    await expectHealthy();
  });

  it('answers a protobuf message cut short with INVALID_ARGUMENT over gRPC', async () => {
    const body = whole();
    const { error } = await grpc(body.subarray(0, Math.floor(body.length / 2)));
    expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/cannot decode the protobuf body/);
    await expectHealthy();
  });

  it('survives an HTTP body that ends before its Content-Length', async () => {
    const socket = await openSocket(daemon.httpPort);
    socket.write(
      `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: ${PROTOBUF}\r\nContent-Length: 1000\r\n\r\n`,
    );
    socket.write(whole().subarray(0, 100));
    socket.end();
    await closed(socket);
    await expectHealthy();
  });

  it('survives a gRPC frame whose length prefix promises more than the stream carries', async () => {
    const session = http2Connect(`http://127.0.0.1:${daemon.grpcPort}`);
    const stream = session.request({
      ':method': 'POST',
      ':path': TRACE_SERVICE_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const header = Buffer.alloc(5);
    header.writeUInt32BE(1000, 1); // uncompressed, 1000 bytes promised
    stream.end(Buffer.concat([header, whole().subarray(0, 10)]));
    const trailers = await new Promise<Record<string, unknown>>((resolve) => {
      let headers: Record<string, unknown> = {};
      stream.on('response', (h) => (headers = { ...h }));
      stream.on('trailers', (t: IncomingHttpHeaders) => resolve({ ...headers, ...t }));
      stream.on('close', () => resolve(headers));
      stream.resume();
    });
    session.close();
    expect(Number(trailers['grpc-status'])).not.toBe(GrpcStatus.OK);
    await expectHealthy();
  });
});

describe('invalid UTF-8', () => {
  it('refuses a protobuf string field that is not UTF-8 with 400 / INVALID_ARGUMENT', async () => {
    const body = requestWithSpanFields(
      randomBytes(16),
      field(
        9,
        Buffer.concat([
          field(1, Buffer.from([0x6b, 0xff, 0xfe])),
          field(2, field(1, Buffer.from('v'))),
        ]),
      ),
    );
    const answer = await post(body, PROTOBUF);
    expect(answer.status).toBe(400);
    expect(rpcStatus(answer.body).message).toMatch(/utf-8/i);
    const { error } = await grpc(body);
    expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    await expectHealthy();
  });

  it('refuses a JSON body that is not UTF-8 with 400', async () => {
    const text = Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${randomBytes(16).toString('hex')}",` +
        `"spanId":"${randomBytes(8).toString('hex')}","name":"XX"}]}]}]}`,
    );
    const at = text.indexOf('XX');
    text[at] = 0xc3; // a lead byte without its continuation
    text[at + 1] = 0x28;
    const answer = await post(text, JSON_TYPE);
    expect(answer.status).toBe(400);
    expect(jsonError(answer.body)).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      message: 'the JSON body is not valid UTF-8',
    });
    await expectHealthy();
  });
});

describe('huge and deeply nested AnyValues', () => {
  /** An AnyValue holding an array holding an AnyValue … `depth` times, around a string. */
  function nestedAnyValue(depth: number): Buffer {
    let value = field(1, Buffer.from('deep')); // AnyValue.string_value
    for (let i = 0; i < depth; i++) value = field(5, field(1, value)); // array_value.values
    return value;
  }
  const attribute = (key: string, anyValue: Buffer): Buffer =>
    field(9, Buffer.concat([field(1, Buffer.from(key)), field(2, anyValue)]));

  it('replaces nesting beyond max_value_depth by a marker and counts it', async () => {
    const before = await metric('faultline_receiver_limited_total', { limit: 'depth' });
    const traceId = randomBytes(16);
    const answer = await post(
      requestWithSpanFields(traceId, attribute('nested', nestedAnyValue(30))),
      PROTOBUF,
    );
    expect(answer.status, rpcStatus(answer.body).message).toBe(200);
    const [span] = await stored(traceId);
    expect(span!.SpanAttributes.nested).toContain(DEPTH_LIMIT_MARKER);
    expect(await metric('faultline_receiver_limited_total', { limit: 'depth' })).toBe(before + 1);
  });

  it('refuses nesting deeper than the decoder recurses with 400 / INVALID_ARGUMENT', async () => {
    const body = requestWithSpanFields(randomBytes(16), attribute('abyss', nestedAnyValue(5_000)));
    const answer = await post(body, PROTOBUF);
    expect(answer.status).toBe(400);
    expect(rpcStatus(answer.body).code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect((await grpc(body)).error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    const deepJson = `{"resourceSpans":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect((await post(deepJson, JSON_TYPE)).status).toBe(400);
    await expectHealthy();
  });

  it('truncates an 8 MiB string value to the value length limit and counts it', async () => {
    const before = await metric('faultline_receiver_limited_total', { limit: 'truncated_value' });
    const traceId = randomBytes(16);
    const answer = await post(
      protoRequest(traceId, {
        attributes: [{ key: 'huge', value: { stringValue: 'x'.repeat(8 * MiB) } }],
      }),
      PROTOBUF,
    );
    expect(answer.status).toBe(200);
    const [span] = await stored(traceId);
    expect(span!.SpanAttributes.huge).toHaveLength(16_384);
    expect(await metric('faultline_receiver_limited_total', { limit: 'truncated_value' })).toBe(
      before + 1,
    );
  });
});

describe('millions of attributes', () => {
  /** Span.attributes entries of one-letter keys and no value: 5 bytes each. */
  const tinyAttributes = (count: number): Buffer => {
    const one = field(9, field(1, Buffer.from('a')));
    const out = Buffer.allocUnsafe(one.length * count);
    for (let at = 0; at < out.length; at += one.length) one.copy(out, at);
    return out;
  };

  it('keeps the first attributes of a 15 MB request of 3 million and counts the rest', async () => {
    const count = 3_000_000;
    const traceId = randomBytes(16);
    const before = await metric('faultline_receiver_limited_total', {
      limit: 'dropped_attribute',
    });
    const answer = await post(requestWithSpanFields(traceId, tinyAttributes(count)), PROTOBUF);
    expect(answer.status).toBe(200);
    const [span] = await stored(traceId);
    // All keys are "a": the 128 kept collapse into one attribute.
    expect(Object.keys(span!.SpanAttributes)).toEqual(['a']);
    expect(span!.DroppedAttributesCount).toBe(count - 128);
    expect(await metric('faultline_receiver_limited_total', { limit: 'dropped_attribute' })).toBe(
      before + count - 128,
    );
    await expectHealthy();
  });

  it('answers a 50 MB request of tiny attributes with 413, over HTTP and gRPC', async () => {
    const body = requestWithSpanFields(randomBytes(16), tinyAttributes(10_000_000));
    expect(body.length).toBeGreaterThan(47 * MiB);
    const answer = await post(body, PROTOBUF);
    expect(answer.status).toBe(413);
    expect(rpcStatus(answer.body).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect((await grpc(body)).error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    await expectHealthy();
  });
});

describe('huge attribute arrays', () => {
  it('keeps max_array_elements of a 100,000-element array and counts the cut', async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => ({ intValue: i }));
    const before = await metric('faultline_receiver_limited_total', { limit: 'truncated_array' });
    for (const send of ['http', 'grpc'] as const) {
      const traceId = randomBytes(16);
      const body = protoRequest(traceId, {
        attributes: [
          { key: 'ints', value: { arrayValue: { values } } },
          {
            key: 'map',
            value: {
              kvlistValue: {
                values: values.slice(0, 1000).map((value, i) => ({ key: `k${i}`, value })),
              },
            },
          },
        ],
      });
      if (send === 'http') expect((await post(body, PROTOBUF)).status).toBe(200);
      else expect((await grpc(body)).error).toBeNull();
      const [span] = await stored(traceId);
      expect(JSON.parse(span!.SpanAttributes.ints!)).toEqual(
        Array.from({ length: MAX_ARRAY_ELEMENTS }, (_, i) => i),
      );
      expect(Object.keys(JSON.parse(span!.SpanAttributes.map!) as Json)).toHaveLength(
        MAX_ARRAY_ELEMENTS,
      );
    }
    expect(await metric('faultline_receiver_limited_total', { limit: 'truncated_array' })).toBe(
      before + 4,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Slow clients

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

interface Closure {
  /** What the server wrote before closing (a 408 answer, or nothing). */
  received: string;
  afterMs: number;
}

/** Resolves once the server has closed the connection. */
function closed(socket: Socket): Promise<Closure> {
  const opened = performance.now();
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ received, afterMs: performance.now() - opened }));
  });
}

/**
 * The configured timeout, not the 10 s / 60 s default, cut the client off: a functional check
 * that the setting is applied (the margin is wide; the sweep runs every 125 ms here).
 */
function expectCutOffBy(closure: Closure, timeoutMs: number): void {
  expect(closure.afterMs).toBeGreaterThanOrEqual(timeoutMs - 50);
  expect(closure.afterMs).toBeLessThan(timeoutMs + 4_000);
  expect(closure.received === '' || closure.received.startsWith('HTTP/1.1 408')).toBe(true);
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs = 100): void {
  let at = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) return clearInterval(timer);
    socket.write(text[at++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('slow-loris clients are cut off, and others are still served', () => {
  const slowHeaders = 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'z'.repeat(1000);

  it('closes an OTLP/HTTP connection whose headers trickle in past read_header_timeout', async () => {
    const socket = await openSocket(daemon.httpPort);
    const done = closed(socket);
    trickle(socket, slowHeaders);
    // Meanwhile, an ordinary client is served.
    await expectHealthy();
    expectCutOffBy(await done, HEADER_TIMEOUT_MS);
  });

  it('answers 408 to a body trickling in past read_timeout', async () => {
    const socket = await openSocket(daemon.httpPort);
    const done = closed(socket);
    socket.write(
      `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: 5000\r\n\r\n`,
    );
    trickle(socket, '{'.repeat(5000));
    await expectHealthy();
    const closure = await done;
    expectCutOffBy(closure, READ_TIMEOUT_MS);
    expect(closure.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection that never sends a byte', async () => {
    const socket = await openSocket(daemon.httpPort);
    expectCutOffBy(await closed(socket), HEADER_TIMEOUT_MS);
  });

  it('cuts off slow clients of the admin port the same way', async () => {
    const socket = await openSocket(daemon.adminPort);
    const done = closed(socket);
    trickle(socket, 'GET /api/v1/traces/x HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'z'.repeat(1000));
    expect((await fetch(`${daemon.adminUrl}/healthz`)).status).toBe(200);
    expectCutOffBy(await done, HEADER_TIMEOUT_MS);
  });

  it('serves normal clients while fifty slow-loris connections are open', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 50 }, () => openSocket(daemon.httpPort)),
    );
    const done = sockets.map((socket) => closed(socket));
    for (const socket of sockets) trickle(socket, slowHeaders, 200);
    await expectHealthy();
    await Promise.all(done);
  });

  it('closes a gRPC connection that never sends a byte, once max_connection_age has passed', async () => {
    const closure = await closed(await openSocket(daemon.grpcPort));
    expect(closure.afterMs).toBeLessThan(10_000);
    await expectHealthy();
  });

  it('ends a gRPC call whose message trickles in, once max_connection_age has passed', async () => {
    const session = http2Connect(`http://127.0.0.1:${daemon.grpcPort}`);
    session.on('error', () => undefined);
    const stream = session.request({
      ':method': 'POST',
      ':path': TRACE_SERVICE_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => undefined);
    const header = Buffer.alloc(5);
    header.writeUInt32BE(100_000, 1);
    stream.write(header);
    const timer = setInterval(() => {
      if (!stream.destroyed && !stream.writableEnded) stream.write(Buffer.from([0x0a]));
    }, 100);
    const outcome = await new Promise<string>((resolve) => {
      stream.on('trailers', (t: IncomingHttpHeaders) =>
        resolve(`grpc-status ${String(t['grpc-status'])}`),
      );
      stream.on('close', () => resolve('closed'));
      session.on('goaway', () => resolve('goaway'));
      stream.resume();
    });
    clearInterval(timer);
    session.destroy();
    expect(outcome).not.toBe(`grpc-status ${GrpcStatus.OK}`);
    await expectHealthy();
  });
});
