/**
 * OTLP/gRPC as HTTP/2 carries it, seen from a raw HTTP/2 client against the receiver in this
 * process: the settings and windows it announces, gRPC's framing and status, and refusals
 * decided from a message's prefix.
 */
import { randomBytes } from 'node:crypto';
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcMessage } from '../../src/receivers/otlp/grpc-message.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { ExportTraceServiceRequest, TRACE_SERVICE_PATH } from '../../src/receivers/otlp/proto.js';
import { OtlpReceiver } from '../../src/receivers/otlp/receiver.js';
import { GrpcStatus } from '../../src/receivers/otlp/status.js';
import { freePorts } from '../helpers/ports.js';
import { RecordingConsumer, settingsFor } from '../helpers/test-doubles.js';

const MESSAGE_LIMIT = 64 * 1024;
const next = new RecordingConsumer();
let receiver: OtlpReceiver;
let metrics: Registry;
let target: string;

beforeAll(async () => {
  const [port] = (await freePorts(1)) as [number];
  target = `http://127.0.0.1:${port}`;
  const config = otlpReceiverSchema.parse({
    protocols: {
      grpc: {
        endpoint: `127.0.0.1:${port}`,
        max_recv_msg_size: MESSAGE_LIMIT,
        max_concurrent_streams: 7,
      },
    },
  });
  const settings = settingsFor('otlp', config);
  metrics = settings.metrics;
  receiver = new OtlpReceiver(settings, next);
  await receiver.start();
});
afterAll(() => receiver.shutdown());

function traceRequest(spans = 1): Buffer {
  const traceId = randomBytes(16);
  return Buffer.from(
    ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: Array.from({ length: spans }, (_, i) => ({
                  traceId,
                  spanId: Buffer.alloc(8, i + 1),
                  name: `span-${i}`,
                  startTimeUnixNano: 1,
                  endTimeUnixNano: 2,
                })),
              },
            ],
          },
        ],
      }),
    ).finish(),
  );
}

function prefixed(message: Buffer, declaredLength = message.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

/** Everything the server answers on `stream`: headers, body and trailers (empty when none). */
function answer(stream: ClientHttp2Stream): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t: IncomingHttpHeaders) => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
  });
}

const call = (session: ClientHttp2Session, headers: OutgoingHttpHeaders = {}) =>
  session.request({
    ':method': 'POST',
    ':path': TRACE_SERVICE_PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...headers,
  });

/** The gRPC status of an answer: from its trailers, or its headers when it had none. */
const statusOf = ({ headers, trailers }: Answer) =>
  Number(trailers['grpc-status'] ?? headers['grpc-status']);

async function withSession<T>(use: (session: ClientHttp2Session) => Promise<T>): Promise<T> {
  const session = connect(target);
  try {
    return await use(session);
  } finally {
    session.close();
  }
}

describe('OTLP/gRPC on HTTP/2', () => {
  it('announces 1 MiB stream windows, an 8 MiB connection window and max_concurrent_streams', () =>
    withSession(async (session) => {
      const settings = await new Promise<{ initialWindowSize?: number }>((resolve) =>
        session.once('remoteSettings', resolve),
      );
      expect(settings).toMatchObject({ initialWindowSize: 1024 * 1024, maxConcurrentStreams: 7 });
      const answered = await answer(call(session).end(prefixed(traceRequest())));
      expect(statusOf(answered)).toBe(GrpcStatus.OK);
      // What this client may send on the connection now: the server's window (less the call's
      // bytes, if their update is still on its way).
      expect(session.state.remoteWindowSize).toBeGreaterThanOrEqual(8 * 1024 * 1024 - 65_535);
    }));

  it('answers a call with a framed response and grpc-status 0 in trailers', () =>
    withSession(async (session) => {
      const before = next.batches.length;
      const answered = await answer(call(session).end(prefixed(traceRequest(3))));
      expect(answered.headers[':status']).toBe(200);
      expect(answered.headers['content-type']).toBe('application/grpc');
      expect(answered.trailers['grpc-status']).toBe('0');
      // An empty ExportTraceServiceResponse, uncompressed: the prefix alone.
      expect([...answered.body]).toEqual([0, 0, 0, 0, 0]);
      expect(next.batches.slice(before).flatMap((b) => b.spans)).toHaveLength(3);
    }));

  it('refuses a message over max_recv_msg_size from its prefix, before it is sent', () =>
    withSession(async (session) => {
      const stream = call(session);
      // Only the prefix: the server answers without waiting for the 10 MB it announces.
      stream.write(prefixed(Buffer.alloc(0), 10_000_000));
      const answered = await answer(stream);
      stream.close();
      expect(answered.headers['grpc-status']).toBe(String(GrpcStatus.RESOURCE_EXHAUSTED));
      expect(decodeURIComponent(String(answered.headers['grpc-message']))).toBe(
        `the message of 10000000 bytes is over max_recv_msg_size (${MESSAGE_LIMIT} bytes)`,
      );
      // The connection goes on serving.
      expect(statusOf(await answer(call(session).end(prefixed(traceRequest()))))).toBe(
        GrpcStatus.OK,
      );
    }));

  it('answers malformed framing with INVALID_ARGUMENT', () =>
    withSession(async (session) => {
      const message = traceRequest();
      const cases = [
        Buffer.alloc(0), // no message
        prefixed(message).subarray(0, 3), // a cut prefix
        Buffer.concat([prefixed(message), prefixed(message)]), // two messages
        Buffer.concat([Buffer.from([7]), prefixed(message).subarray(1)]), // no such flag
      ];
      for (const body of cases) {
        const answered = await answer(call(session).end(body));
        expect(statusOf(answered), body.toString('hex')).toBe(GrpcStatus.INVALID_ARGUMENT);
      }
    }));

  it('answers an unknown method with UNIMPLEMENTED, and non-gRPC requests with HTTP errors', () =>
    withSession(async (session) => {
      const unknown = await answer(
        call(session, {
          ':path': '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
        }).end(),
      );
      expect(statusOf(unknown)).toBe(GrpcStatus.UNIMPLEMENTED);
      expect(decodeURIComponent(String(unknown.headers['grpc-message']))).toMatch(
        /^no OTLP service method \/opentelemetry.proto.collector.metrics.v1.MetricsService\/Export;/,
      );
      const json = await answer(call(session, { 'content-type': 'application/json' }).end('{}'));
      expect(json.headers[':status']).toBe(415);
      const get = await answer(call(session, { ':method': 'GET' }).end());
      expect(get.headers[':status']).toBe(405);
      expect(get.headers.allow).toBe('POST');
    }));

  it('refuses a compressed message in an encoding it does not know', () =>
    withSession(async (session) => {
      const body = prefixed(traceRequest());
      body[0] = 1;
      const answered = await answer(call(session, { 'grpc-encoding': 'snappy' }).end(body));
      expect(statusOf(answered)).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(decodeURIComponent(String(answered.headers['grpc-message']))).toBe(
        'a compressed message needs grpc-encoding gzip or deflate, not "snappy"',
      );
    }));
});

describe('OTLP/gRPC calls cancelled by the client', () => {
  const inflightBytes = async () =>
    (await metrics.getSingleMetric('faultline_admission_inflight_bytes')!.get()).values[0]?.value;
  /** Polls until `inflightBytes` is `bytes` (at most ~5 s: only a hung receiver takes that). */
  async function inflightBecomes(bytes: number): Promise<number | undefined> {
    for (let i = 0; i < 500 && (await inflightBytes()) !== bytes; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return inflightBytes();
  }

  const decodeErrors = async () =>
    (await metrics.getSingleMetric('faultline_receiver_decode_errors_total')!.get()).values.reduce(
      (sum, { value }) => sum + value,
      0,
    );

  /** A call that sent its prefix and 10 of 1,000 bytes, admitted; `cancel` then ends it. */
  async function admittedCall(
    cancel: (session: ClientHttp2Session, stream: ClientHttp2Stream) => void,
  ) {
    const session = connect(target);
    session.on('error', () => undefined);
    const stream = call(session);
    stream.on('error', () => undefined);
    stream.write(prefixed(Buffer.alloc(10), 1000));
    expect(await inflightBecomes(1000)).toBe(1000);
    cancel(session, stream);
    expect(await inflightBecomes(0)).toBe(0);
    session.destroy();
  }

  it('give back the bytes they were admitted for when the client resets the call', () =>
    admittedCall((_, stream) => stream.close(constants.NGHTTP2_CANCEL)));

  it('give back their bytes when the connection drops, and are not counted as undecodable', async () => {
    const errorsBefore = await decodeErrors();
    await admittedCall((session) => session.destroy());
    expect(await decodeErrors()).toBe(errorsBefore);
  });
});

describe('grpc-message', () => {
  it('percent-encodes what is not printable ASCII, and the percent sign', () => {
    expect(grpcMessage('plain text: ok')).toBe('plain text: ok');
    expect(grpcMessage('50% off\nnext')).toBe('50%25 off%0Anext');
    expect(grpcMessage('café')).toBe('caf%C3%A9');
  });
});
