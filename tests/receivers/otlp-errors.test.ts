import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createDeflate, createGzip, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPTH_LIMIT_MARKER } from '../../src/receivers/otlp/convert.js';
import {
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
} from '../../src/receivers/otlp/proto.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import {
  grpcExport as grpcExportTo,
  jsonError,
  metricSum,
  rpcStatus,
  type GrpcAnswer,
} from '../helpers/otlp-client.js';

/**
 * The OTLP receiver's answers to everything but a well-formed request, against one spawned
 * daemon: raw HTTP requests and raw gRPC calls, checking the status, the error body in the
 * request's encoding, and what was (or was not) stored.
 */

const KiB = 1024;
const MiB = 1024 * KiB;
const HTTP_BODY_LIMIT = 1 * MiB;
const GRPC_MESSAGE_LIMIT = 256 * KiB;
const LIMITS = {
  max_attribute_value_length: 64,
  max_attributes_per_span: 16,
  max_events_per_span: 2,
  max_links_per_span: 2,
  max_value_depth: 3,
};

const START = '1700000000000000000';
const END = '1700000001000000000';
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

let daemon: DaemonHandle;

beforeAll(async () => {
  daemon = await startDaemon({
    otlp: {
      http: { max_request_body_size: HTTP_BODY_LIMIT },
      grpc: { max_recv_msg_size: GRPC_MESSAGE_LIMIT },
      limits: LIMITS,
    },
  });
});

afterAll(async () => {
  await daemon?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Requests

type Json = Record<string, unknown>;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function jsonSpan(traceId: string, fields: Json = {}): Json {
  return {
    traceId,
    spanId: hex(8),
    name: 'op',
    kind: 1,
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    ...fields,
  };
}

function jsonRequest(spans: unknown[]): Json {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'otlp-errors' } }],
        },
        scopeSpans: [{ scope: { name: 'otlp-errors-test' }, spans }],
      },
    ],
  };
}

function protoSpan(traceId: Buffer, fields: Json = {}): Json {
  return {
    traceId,
    spanId: randomBytes(8),
    name: 'op',
    kind: 1,
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    ...fields,
  };
}

function protoRequest(spans: unknown[]): Buffer {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'otlp-errors' } }],
        },
        scopeSpans: [{ scope: { name: 'otlp-errors-test' }, spans }],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

interface HttpAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  body: Buffer;
}

async function post(
  body: Uint8Array | string | ReadableStream<Uint8Array>,
  headers: Record<string, string>,
  init: { path?: string; method?: string } = {},
): Promise<HttpAnswer> {
  const response = await fetch(`http://127.0.0.1:${daemon.httpPort}${init.path ?? '/v1/traces'}`, {
    method: init.method ?? 'POST',
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

const postJson = (request: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
  post(JSON.stringify(request), { 'Content-Type': JSON_TYPE, ...headers });

const postProto = (body: Uint8Array, headers: Record<string, string> = {}): Promise<HttpAnswer> =>
  post(body, { 'Content-Type': PROTOBUF, ...headers });

// ---------------------------------------------------------------------------------------------
// Answers

interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

function protoPartialSuccess(body: Uint8Array): PartialSuccess | undefined {
  const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), {
    longs: Number,
  }) as { partialSuccess?: PartialSuccess };
  return decoded.partialSuccess;
}

// ---------------------------------------------------------------------------------------------
// What the daemon stored and counted

const metric = (name: string, labels: Record<string, string> = {}): Promise<number> =>
  metricSum(daemon.adminUrl, name, labels);

const grpcExport = (message: Buffer, channel: ChannelOptions = {}): Promise<GrpcAnswer> =>
  grpcExportTo(`127.0.0.1:${daemon.grpcPort}`, message, { channel });

async function storedCount(traceId: string): Promise<number> {
  const [row] = await daemon.query<{ n: number }>(
    `SELECT toUInt32(count()) AS n FROM faultline.otel_traces WHERE TraceId = '${traceId}'`,
  );
  return row!.n;
}

interface StoredSpan {
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  StatusCode: string;
  StatusMessage: string;
  SpanAttributes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  StartNs: string;
  Duration: string;
  SpanFlags: number;
  DroppedAttributesCount: number;
  DroppedEventsCount: number;
  DroppedLinksCount: number;
  'Events.Name': string[];
  EventNs: string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
}

function storedSpans(traceId: string): Promise<StoredSpan[]> {
  return daemon.query<StoredSpan>(`
    SELECT *, toString(toUnixTimestamp64Nano(Timestamp)) AS StartNs,
           arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS EventNs
    FROM faultline.otel_traces WHERE TraceId = '${traceId}' ORDER BY SpanName`);
}

async function storedSpan(traceId: string): Promise<StoredSpan> {
  const rows = await storedSpans(traceId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

// ---------------------------------------------------------------------------------------------
// gRPC

/** Compresses `total` zero bytes without holding them in memory. */
async function compressedZeros(total: number, encoding: 'gzip' | 'deflate'): Promise<Buffer> {
  const chunk = Buffer.alloc(MiB);
  function* zeros(): Generator<Buffer> {
    for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
  }
  const compressor = encoding === 'gzip' ? createGzip({ level: 9 }) : createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  Readable.from(zeros()).pipe(compressor);
  for await (const part of compressor) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

// =============================================================================================

describe('OTLP/HTTP answers undecodable bodies with 400 in the request encoding', () => {
  it('refuses garbage protobuf with a google.rpc.Status INVALID_ARGUMENT', async () => {
    const before = await metric('faultline_receiver_decode_errors_total', {
      transport: 'http',
      encoding: 'protobuf',
    });
    const answer = await postProto(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe(PROTOBUF);
    const status = rpcStatus(answer.body);
    expect(status.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(status.message).toMatch(/cannot decode the protobuf body/);
    expect(
      await metric('faultline_receiver_decode_errors_total', {
        transport: 'http',
        encoding: 'protobuf',
      }),
    ).toBe(before + 1);
  });

  it('refuses invalid JSON with {code, message}', async () => {
    const answer = await post('{"resourceSpans": [', { 'Content-Type': JSON_TYPE });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe(JSON_TYPE);
    const error = jsonError(answer.body);
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toMatch(/cannot parse the JSON body/);
  });

  it('refuses JSON of the wrong shape as a whole, storing none of its spans', async () => {
    const traceId = hex(16);
    const request = {
      resourceSpans: [
        { scopeSpans: [{ spans: [jsonSpan(traceId)] }] },
        { scopeSpans: [{ spans: { notA: 'list' } }] },
      ],
    };
    const answer = await postJson(request);
    expect(answer.status).toBe(400);
    expect(jsonError(answer.body)).toEqual({ code: 3, message: 'spans must be a list' });
    expect(await storedCount(traceId)).toBe(0);
  });

  it('refuses a body that claims gzip but is not', async () => {
    const answer = await postProto(Buffer.from('definitely not gzip'), {
      'Content-Encoding': 'gzip',
    });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe(PROTOBUF);
    const status = rpcStatus(answer.body);
    expect(status.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(status.message).toMatch(/cannot decompress the gzip body/);
  });
});

describe('OTLP/HTTP refuses other content types, encodings, methods and paths', () => {
  it('answers text/plain with 415', async () => {
    const traceId = hex(16);
    const answer = await post(JSON.stringify(jsonRequest([jsonSpan(traceId)])), {
      'Content-Type': 'text/plain',
    });
    expect(answer.status).toBe(415);
    expect(answer.contentType).toBe(JSON_TYPE);
    const error = jsonError(answer.body);
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.message).toMatch(/unsupported Content-Type "text\/plain"/);
    expect(await storedCount(traceId)).toBe(0);
  });

  it('answers a request without a content type with 415', async () => {
    const answer = await post(new Uint8Array([1, 2, 3]), {});
    expect(answer.status).toBe(415);
    expect(jsonError(answer.body).message).toMatch(/unsupported Content-Type ""/);
  });

  it('answers an unknown Content-Encoding with 415 in the request encoding', async () => {
    const traceId = randomBytes(16);
    const answer = await postProto(protoRequest([protoSpan(traceId)]), {
      'Content-Encoding': 'br',
    });
    expect(answer.status).toBe(415);
    expect(answer.contentType).toBe(PROTOBUF);
    const status = rpcStatus(answer.body);
    expect(status.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(status.message).toMatch(/unsupported Content-Encoding "br"/);
    expect(await storedCount(traceId.toString('hex'))).toBe(0);
  });

  it('answers GET with 405 and an Allow header', async () => {
    const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await response.json()).toEqual({
      code: GrpcStatus.UNIMPLEMENTED,
      message: 'use POST for /v1/traces',
    });
  });

  it('answers an unknown path with 404', async () => {
    for (const path of ['/v1/metrics', '/v1/traces/extra', '/']) {
      const answer = await post(JSON.stringify({}), { 'Content-Type': JSON_TYPE }, { path });
      expect(answer.status, path).toBe(404);
      expect(jsonError(answer.body), path).toEqual({
        code: GrpcStatus.NOT_FOUND,
        message: `no OTLP endpoint at ${path}; traces go to /v1/traces, logs to /v1/logs`,
      });
    }
  });

  it('accepts content-type parameters and a query string', async () => {
    const traceId = hex(16);
    const answer = await post(
      JSON.stringify(jsonRequest([jsonSpan(traceId)])),
      { 'Content-Type': 'Application/JSON; charset=utf-8' },
      { path: '/v1/traces?source=test' },
    );
    expect(answer.status).toBe(200);
    expect(await storedCount(traceId)).toBe(1);
  });
});

describe('OTLP/HTTP bounds the body size as sent and after decompression', () => {
  /** A valid JSON request, padded by an attribute so that it is `size` bytes or more. */
  function paddedJson(traceId: string, size: number): string {
    const padding = 'x'.repeat(size);
    return JSON.stringify(
      jsonRequest([
        jsonSpan(traceId, { attributes: [{ key: 'pad', value: { stringValue: padding } }] }),
      ]),
    );
  }

  it('answers a declared body over the limit with 413 RESOURCE_EXHAUSTED', async () => {
    const traceId = hex(16);
    const answer = await post(paddedJson(traceId, HTTP_BODY_LIMIT + 1), {
      'Content-Type': JSON_TYPE,
    });
    expect(answer.status).toBe(413);
    expect(answer.contentType).toBe(JSON_TYPE);
    const error = jsonError(answer.body);
    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error.message).toMatch(/over the 1048576-byte limit/);
    expect(await storedCount(traceId)).toBe(0);
  });

  it('answers a chunked body over the limit with 413', async () => {
    const traceId = hex(16);
    const body = Buffer.from(paddedJson(traceId, HTTP_BODY_LIMIT + 1));
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.subarray(offset, offset + 64 * KiB));
        offset += 64 * KiB;
      },
    });
    const answer = await post(stream, { 'Content-Type': JSON_TYPE });
    expect(answer.status).toBe(413);
    expect(jsonError(answer.body)).toEqual({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      message: 'request body is over the 1048576-byte limit',
    });
    expect(await storedCount(traceId)).toBe(0);
  });

  it('accepts a body just under the limit', async () => {
    const traceId = hex(16);
    const body = paddedJson(traceId, HTTP_BODY_LIMIT - 2 * KiB);
    expect(body.length).toBeLessThanOrEqual(HTTP_BODY_LIMIT);
    const answer = await post(body, { 'Content-Type': JSON_TYPE });
    expect(answer.status).toBe(200);
    expect(await storedCount(traceId)).toBe(1);
  });

  it('answers a gzip body that inflates over the limit with 413', async () => {
    const traceId = hex(16);
    const body = gzipSync(paddedJson(traceId, HTTP_BODY_LIMIT + 1));
    expect(body.length).toBeLessThan(HTTP_BODY_LIMIT);
    const answer = await post(body, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(jsonError(answer.body)).toEqual({
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      message: 'request body decompresses to more than 1048576 bytes',
    });
    expect(await storedCount(traceId)).toBe(0);
  });

  it.each(['gzip', 'deflate'] as const)(
    'refuses a %s bomb of 200 MiB with 413 without inflating it in memory',
    async (encoding) => {
      const bomb = await compressedZeros(200 * MiB, encoding);
      expect(bomb.length).toBeLessThan(HTTP_BODY_LIMIT);
      const rssBefore = await metric('process_resident_memory_bytes');
      expect(rssBefore).toBeGreaterThan(0);
      const answer = await postProto(bomb, { 'Content-Encoding': encoding });
      expect(answer.status).toBe(413);
      expect(answer.contentType).toBe(PROTOBUF);
      expect(rpcStatus(answer.body)).toEqual({
        code: GrpcStatus.RESOURCE_EXHAUSTED,
        message: 'request body decompresses to more than 1048576 bytes',
      });
      const rssAfter = await metric('process_resident_memory_bytes');
      expect(rssAfter - rssBefore).toBeLessThan(100 * MiB);
    },
  );
});

describe('OTLP/HTTP accepts compressed bodies', () => {
  const encodings: [string, string, (body: Buffer) => Buffer][] = [
    ['gzip', 'gzip', (body) => gzipSync(body)],
    ['x-gzip', 'x-gzip', (body) => gzipSync(body)],
    ['zlib deflate', 'deflate', (body) => deflateSync(body)],
    ['raw deflate', 'deflate', (body) => deflateRawSync(body)],
    ['identity', 'identity', (body) => body],
  ];

  it.each(encodings)('stores a protobuf body sent as %s', async (_name, header, compress) => {
    const traceId = randomBytes(16);
    const body = compress(protoRequest([protoSpan(traceId), protoSpan(traceId)]));
    const answer = await postProto(body, { 'Content-Encoding': header });
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(0);
    expect(await storedCount(traceId.toString('hex'))).toBe(2);
  });

  it.each(encodings)('stores a JSON body sent as %s', async (_name, header, compress) => {
    const traceId = hex(16);
    const body = compress(Buffer.from(JSON.stringify(jsonRequest([jsonSpan(traceId)]))));
    const answer = await post(body, { 'Content-Type': JSON_TYPE, 'Content-Encoding': header });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({});
    expect(await storedCount(traceId)).toBe(1);
  });
});

describe('OTLP/HTTP rejects spans with invalid ids as a partial success', () => {
  it('stores the valid protobuf spans and counts the rejected ones', async () => {
    const traceId = randomBytes(16);
    const spans = [
      protoSpan(traceId, { name: 'valid-root' }),
      protoSpan(randomBytes(15), { name: 'short-trace-id' }),
      protoSpan(traceId, { name: 'zero-span-id', spanId: Buffer.alloc(8) }),
      protoSpan(traceId, { name: 'missing-span-id', spanId: undefined }),
      protoSpan(traceId, { name: 'short-parent-id', parentSpanId: randomBytes(7) }),
      protoSpan(traceId, { name: 'valid-child', parentSpanId: randomBytes(8) }),
    ];
    const answer = await postProto(protoRequest(spans));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(PROTOBUF);
    expect(protoPartialSuccess(answer.body)).toEqual({
      rejectedSpans: 4,
      errorMessage: '4 span(s) rejected; first: trace_id must be 16 bytes',
    });
    const rows = await storedSpans(traceId.toString('hex'));
    expect(rows.map((row) => row.SpanName)).toEqual(['valid-child', 'valid-root']);
  });

  it('stores the valid JSON spans and counts the rejected ones', async () => {
    const traceId = hex(16);
    const spans = [
      jsonSpan(traceId, { name: 'zero-span-id', spanId: '0000000000000000' }),
      jsonSpan(hex(15), { name: 'short-trace-id' }),
      jsonSpan('zz'.repeat(16), { name: 'non-hex-trace-id' }),
      jsonSpan(traceId, { name: 'missing-span-id', spanId: undefined }),
      jsonSpan(traceId, { name: 'short-parent-id', parentSpanId: hex(7) }),
      jsonSpan(traceId, { name: 'valid-a' }),
      jsonSpan(traceId, { name: 'valid-b', parentSpanId: hex(8) }),
      jsonSpan(traceId, { name: 'valid-c', parentSpanId: '' }),
    ];
    const answer = await postJson(jsonRequest(spans));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(JSON_TYPE);
    expect(JSON.parse(answer.body.toString())).toEqual({
      partialSuccess: {
        rejectedSpans: '5',
        errorMessage: '5 span(s) rejected; first: span_id must not be empty or all zeros',
      },
    });
    const rows = await storedSpans(traceId);
    expect(rows.map((row) => row.SpanName)).toEqual(['valid-a', 'valid-b', 'valid-c']);
  });

  it('counts the rejected spans in faultline_receiver_refused_spans_total', async () => {
    const labels = { transport: 'http', reason: 'invalid' };
    const before = await metric('faultline_receiver_refused_spans_total', labels);
    const traceId = hex(16);
    const answer = await postJson(
      jsonRequest([jsonSpan(traceId), jsonSpan(traceId, { spanId: hex(9) })]),
    );
    expect(answer.status).toBe(200);
    expect(await metric('faultline_receiver_refused_spans_total', labels)).toBe(before + 1);
    expect(await storedCount(traceId)).toBe(1);
  });
});

describe('OTLP/HTTP answers a full success in the request encoding', () => {
  it('answers protobuf with an empty protobuf ExportTraceServiceResponse', async () => {
    const traceId = randomBytes(16);
    const answer = await postProto(protoRequest([protoSpan(traceId)]));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(PROTOBUF);
    expect(answer.body.length).toBe(0);
    expect(await storedCount(traceId.toString('hex'))).toBe(1);
  });

  it('answers JSON with {}', async () => {
    const traceId = hex(16);
    const answer = await postJson(jsonRequest([jsonSpan(traceId)]));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(JSON_TYPE);
    expect(answer.body.toString()).toBe('{}');
    expect(await storedCount(traceId)).toBe(1);
  });
});

describe('OTLP/HTTP accepts empty requests', () => {
  it.each([
    ['{}', {}],
    ['empty resourceSpans', { resourceSpans: [] }],
    ['null resourceSpans', { resourceSpans: null }],
    ['a resource without scopes', { resourceSpans: [{ resource: {} }] }],
    ['a scope without spans', { resourceSpans: [{ scopeSpans: [{ scope: { name: 's' } }] }] }],
  ])('answers JSON %s with 200 {}', async (_name, request) => {
    const answer = await postJson(request);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{}');
  });

  it('answers an empty protobuf body with 200 and an empty response', async () => {
    const answer = await postProto(new Uint8Array());
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(PROTOBUF);
    expect(answer.body.length).toBe(0);
  });
});

describe('OTLP/JSON accepts the protobuf JSON mapping quirks', () => {
  let traceId: string;
  let rows: StoredSpan[];

  beforeAll(async () => {
    traceId = hex(16);
    const upperTrace = traceId.toUpperCase();
    const parentId = 'ABCDEF0123456789';
    const linkedTrace = 'FEDCBA9876543210FEDCBA9876543210';
    const unknown = { unknownField: { nested: [1, 2] }, anotherUnknown: 'x' };
    const request = {
      ...unknown,
      resourceSpans: [
        {
          ...unknown,
          resource: {
            ...unknown,
            attributes: [
              {
                key: 'service.name',
                value: { stringValue: 'json-quirks', ...unknown },
                ...unknown,
              },
            ],
          },
          scopeSpans: [
            {
              ...unknown,
              scope: { name: 'quirks-scope', version: '1', ...unknown },
              spans: [
                {
                  ...unknown,
                  traceId: upperTrace,
                  spanId: 'AAAAAAAAAAAAAAA1',
                  parentSpanId: parentId,
                  name: 'named-enums',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: START,
                  endTimeUnixNano: Number(END),
                  flags: 1,
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom', ...unknown },
                  attributes: [
                    { key: 'int.string', value: { intValue: '-9223372036854775808' } },
                    { key: 'int.max', value: { intValue: '9223372036854775807' } },
                    { key: 'int.number', value: { intValue: 42 } },
                    { key: 'double.nan', value: { doubleValue: 'NaN' } },
                    { key: 'double.inf', value: { doubleValue: 'Infinity' } },
                    { key: 'double.neginf', value: { doubleValue: '-Infinity' } },
                    { key: 'double.number', value: { doubleValue: 1.5 } },
                    { key: 'double.string', value: { doubleValue: '2.25' } },
                    { key: 'bool', value: { boolValue: true } },
                    { key: 'bytes', value: { bytesValue: 'AQID' } },
                    {
                      key: 'array',
                      value: {
                        arrayValue: {
                          values: [
                            { stringValue: 'a' },
                            { intValue: '9007199254740993' },
                            { doubleValue: 'NaN' },
                          ],
                          ...unknown,
                        },
                      },
                    },
                    {
                      key: 'kvlist',
                      value: {
                        kvlistValue: {
                          values: [{ key: 'k', value: { boolValue: false }, ...unknown }],
                          ...unknown,
                        },
                      },
                    },
                  ],
                  events: [
                    {
                      ...unknown,
                      timeUnixNano: '1700000000500000000',
                      name: 'event',
                      attributes: [{ key: 'e', value: { intValue: '7' } }],
                    },
                  ],
                  links: [{ ...unknown, traceId: linkedTrace, spanId: parentId }],
                },
                {
                  traceId,
                  spanId: 'aaaaaaaaaaaaaaa2',
                  name: 'numeric-enums',
                  kind: 3,
                  startTimeUnixNano: Number(START),
                  endTimeUnixNano: END,
                  status: { code: 1 },
                },
              ],
            },
          ],
        },
      ],
    };
    const answer = await postJson(request);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('{}');
    rows = await storedSpans(traceId);
  });

  it('stores both spans under the lowercase trace id', () => {
    expect(rows.map((row) => row.SpanName)).toEqual(['named-enums', 'numeric-enums']);
  });

  it('stores uppercase hex ids in lowercase', () => {
    const [named] = rows;
    expect(named!.SpanId).toBe('aaaaaaaaaaaaaaa1');
    expect(named!.ParentSpanId).toBe('abcdef0123456789');
    expect(named!['Links.TraceId']).toEqual(['fedcba9876543210fedcba9876543210']);
    expect(named!['Links.SpanId']).toEqual(['abcdef0123456789']);
  });

  it('reads enums given by name and by number', () => {
    const [named, numeric] = rows;
    expect(named!.SpanKind).toBe('Server');
    expect(named!.StatusCode).toBe('Error');
    expect(named!.StatusMessage).toBe('boom');
    expect(numeric!.SpanKind).toBe('Client');
    expect(numeric!.StatusCode).toBe('Ok');
  });

  it('reads 64-bit timestamps given as strings and as numbers', () => {
    for (const row of rows) {
      expect(row.StartNs).toBe(START);
      expect(String(row.Duration)).toBe('1000000000');
    }
    expect(rows[0]!.EventNs).toEqual(['1700000000500000000']);
  });

  it('stores every attribute type in its text form, int64 exact', () => {
    expect(rows[0]!.SpanAttributes).toEqual({
      'int.string': '-9223372036854775808',
      'int.max': '9223372036854775807',
      'int.number': '42',
      'double.nan': 'NaN',
      'double.inf': '+Inf',
      'double.neginf': '-Inf',
      'double.number': '1.5',
      'double.string': '2.25',
      bool: 'true',
      bytes: 'AQID',
      array: '["a",9007199254740993,"NaN"]',
      kvlist: '{"k":false}',
    });
    expect(rows[0]!['Events.Attributes']).toEqual([{ e: '7' }]);
  });

  it('ignores unknown fields at every level', () => {
    expect(rows[0]!.ResourceAttributes).toEqual({ 'service.name': 'json-quirks' });
    expect(rows[0]!.ScopeName).toBe('quirks-scope');
    expect(rows[0]!.SpanFlags).toBe(1);
  });
});

describe('receiver limits bound what a client controls', () => {
  it('truncates a long attribute value to the limit and counts it', async () => {
    const traceId = hex(16);
    const labels = { limit: 'truncated_value' };
    const before = await metric('faultline_receiver_limited_total', labels);
    const answer = await postJson(
      jsonRequest([
        jsonSpan(traceId, {
          attributes: [
            { key: 'long', value: { stringValue: 'y'.repeat(500) } },
            { key: 'long.bytes', value: { bytesValue: Buffer.alloc(500, 7).toString('base64') } },
            { key: 'exact', value: { stringValue: 'z'.repeat(LIMITS.max_attribute_value_length) } },
          ],
        }),
      ]),
    );
    expect(answer.status).toBe(200);
    const [row] = await daemon.query<{ text: number; bytes: number; exact: number }>(`
      SELECT toUInt32(length(SpanAttributes['long'])) AS text,
             toUInt32(length(base64Decode(SpanAttributes['long.bytes']))) AS bytes,
             toUInt32(length(SpanAttributes['exact'])) AS exact
      FROM faultline.otel_traces WHERE TraceId = '${traceId}'`);
    expect(row).toEqual({
      text: LIMITS.max_attribute_value_length,
      bytes: LIMITS.max_attribute_value_length,
      exact: LIMITS.max_attribute_value_length,
    });
    expect(await metric('faultline_receiver_limited_total', labels)).toBe(before + 2);
  });

  it('drops attributes beyond the maximum and stores the dropped count', async () => {
    const traceId = hex(16);
    const labels = { limit: 'dropped_attribute' };
    const before = await metric('faultline_receiver_limited_total', labels);
    const attributes = Array.from({ length: LIMITS.max_attributes_per_span + 3 }, (_, i) => ({
      key: `a${i}`,
      value: { intValue: i },
    }));
    const answer = await postJson(
      jsonRequest([jsonSpan(traceId, { attributes, droppedAttributesCount: 2 })]),
    );
    expect(answer.status).toBe(200);
    const row = await storedSpan(traceId);
    expect(Object.keys(row.SpanAttributes).sort()).toEqual(
      Array.from({ length: LIMITS.max_attributes_per_span }, (_, i) => `a${i}`).sort(),
    );
    expect(row.DroppedAttributesCount).toBe(3 + 2);
    expect(await metric('faultline_receiver_limited_total', labels)).toBe(before + 3);
  });

  it('replaces values nested deeper than the maximum by the marker', async () => {
    const traceId = hex(16);
    const labels = { limit: 'depth' };
    const before = await metric('faultline_receiver_limited_total', labels);
    const array = (...values: unknown[]): Json => ({ arrayValue: { values } });
    const answer = await postJson(
      jsonRequest([
        jsonSpan(traceId, {
          attributes: [
            // Containers at depth 1, 2 and 3 are kept (the limit is 3); the fourth is replaced.
            {
              key: 'deep',
              value: array(array(array(array({ intValue: 1 }))), { stringValue: 'ok' }),
            },
            { key: 'shallow', value: array(array(array({ intValue: 1 }))) },
          ],
        }),
      ]),
    );
    expect(answer.status).toBe(200);
    const row = await storedSpan(traceId);
    expect(row.SpanAttributes).toEqual({
      deep: JSON.stringify([[[DEPTH_LIMIT_MARKER]], 'ok']),
      shallow: '[[[1]]]',
    });
    expect(await metric('faultline_receiver_limited_total', labels)).toBe(before + 1);
  });

  it('keeps the first events and links up to the maximum and counts the rest', async () => {
    const traceId = hex(16);
    const events = ['e0', 'e1', 'e2', 'e3'].map((name) => ({ name, timeUnixNano: START }));
    const links = Array.from({ length: 3 }, () => ({ traceId: hex(16), spanId: hex(8) }));
    const answer = await postJson(
      jsonRequest([jsonSpan(traceId, { events, links, droppedEventsCount: 1 })]),
    );
    expect(answer.status).toBe(200);
    const row = await storedSpan(traceId);
    expect(row['Events.Name']).toEqual(['e0', 'e1']);
    expect(row.DroppedEventsCount).toBe(2 + 1);
    expect(row['Links.TraceId']).toEqual([links[0]!.traceId, links[1]!.traceId]);
    expect(row.DroppedLinksCount).toBe(1);
  });
});

describe('OTLP/gRPC maps refusals to status codes', () => {
  it('answers garbage bytes with INVALID_ARGUMENT', async () => {
    const { error } = await grpcExport(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/cannot decode the protobuf body/);
  });

  it('answers a valid request with OK and an empty response', async () => {
    const traceId = randomBytes(16);
    const { error, response } = await grpcExport(protoRequest([protoSpan(traceId)]));
    expect(error).toBeNull();
    expect(response?.length).toBe(0);
    expect(await storedCount(traceId.toString('hex'))).toBe(1);
  });

  it('answers invalid spans with OK and a partial success', async () => {
    const traceId = randomBytes(16);
    const { error, response } = await grpcExport(
      protoRequest([
        protoSpan(traceId),
        protoSpan(traceId, { spanId: randomBytes(4) }),
        protoSpan(traceId, { spanId: Buffer.alloc(8) }),
      ]),
    );
    expect(error).toBeNull();
    expect(protoPartialSuccess(response!)).toEqual({
      rejectedSpans: 2,
      errorMessage: '2 span(s) rejected; first: span_id must be 8 bytes',
    });
    expect(await storedCount(traceId.toString('hex'))).toBe(1);
  });

  it('accepts a gzip-compressed call', async () => {
    const traceId = randomBytes(16);
    const { error, response } = await grpcExport(
      protoRequest([protoSpan(traceId), protoSpan(traceId)]),
      { 'grpc.default_compression_algorithm': 2 },
    );
    expect(error).toBeNull();
    expect(response?.length).toBe(0);
    expect(await storedCount(traceId.toString('hex'))).toBe(2);
  });

  it('answers a message over max_recv_msg_size with RESOURCE_EXHAUSTED', async () => {
    const traceId = randomBytes(16);
    const big = protoRequest([
      protoSpan(traceId, {
        attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(GRPC_MESSAGE_LIMIT) } }],
      }),
    ]);
    const { error } = await grpcExport(big);
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(await storedCount(traceId.toString('hex'))).toBe(0);
  });

  it('answers a gzip message that inflates over max_recv_msg_size with RESOURCE_EXHAUSTED', async () => {
    const traceId = randomBytes(16);
    const big = protoRequest([
      protoSpan(traceId, {
        attributes: [{ key: 'pad', value: { stringValue: 'x'.repeat(4 * GRPC_MESSAGE_LIMIT) } }],
      }),
    ]);
    const { error } = await grpcExport(big, { 'grpc.default_compression_algorithm': 2 });
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    // The server saw a compressed frame and stopped inflating it at the limit.
    expect(error?.details).toMatch(/decompresses to more than 262144 bytes/);
    expect(await storedCount(traceId.toString('hex'))).toBe(0);
  });
});

describe('OTLP/JSON keeps what a client sends exact and apart from other requests', () => {
  // JSON.parse reads numbers as doubles; 64-bit integers written as JSON numbers must stay exact.
  it('keeps int64 and uint64 values written as JSON numbers exact', async () => {
    const traceId = hex(16);
    const text = JSON.stringify(
      jsonRequest([
        jsonSpan(traceId, {
          startTimeUnixNano: '1700000000123456789',
          attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
        }),
      ]),
    )
      .replace('"1700000000123456789"', '1700000000123456789')
      .replace('"9007199254740993"', '9007199254740993');
    const answer = await post(text, { 'Content-Type': JSON_TYPE });
    expect(answer.status).toBe(200);
    const row = await storedSpan(traceId);
    expect(row.StartNs).toBe('1700000000123456789');
    expect(row.SpanAttributes.big).toBe('9007199254740993');
  });

  // A "__proto__" key once broke the row writer for a whole batch (503 for every request in it).
  it('stores an attribute named __proto__ like any other', async () => {
    const traceId = hex(16);
    const answer = await postJson(
      jsonRequest([
        jsonSpan(traceId, {
          attributes: [
            {
              key: '__proto__',
              value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } },
            },
          ],
        }),
      ]),
    );
    expect(answer.status).toBe(200);
    const row = await storedSpan(traceId);
    expect(row.SpanAttributes).toEqual({ ['__proto__']: '{"k":"v"}' });
  });
});

describe('the daemon stays healthy after refused requests', () => {
  it('answers /healthz and /readyz with 200', async () => {
    const health = await fetch(`${daemon.adminUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${daemon.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('still stores a normal request over HTTP and gRPC', async () => {
    const traceId = randomBytes(16);
    const http = await postProto(protoRequest([protoSpan(traceId, { name: 'after-http' })]));
    expect(http.status).toBe(200);
    const grpc = await grpcExport(protoRequest([protoSpan(traceId, { name: 'after-grpc' })]));
    expect(grpc.error).toBeNull();
    const rows = await storedSpans(traceId.toString('hex'));
    expect(rows.map((row) => row.SpanName)).toEqual(['after-grpc', 'after-http']);
  });
});
