import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/units.js';
import { authRefusalMessage, type Authenticate } from '../../net/auth.js';
import { listen } from '../../net/listen.js';
import { loadTls } from '../../net/tls.js';
import type { AdmissionGate } from '../../pipeline/admission.js';
import { onDeadline } from '../../pipeline/deadline.js';
import { BodyError, UNSUPPORTED_ENCODING, decompress } from './body.js';
import type { GrpcConfig } from './config.js';
import { MalformedRequest } from './convert.js';
import { framed, grpcMessage, readUnaryMessage, type UnaryMessage } from './grpc-message.js';
import type { Ingest } from './ingest.js';
import type { ReceiverMetrics } from './metrics.js';
import {
  LOGS_SERVICE_PATH,
  TRACE_SERVICE_PATH,
  encodeExportResponse,
  encodeRetryStatus,
  type ExportResult,
  type Signal,
} from './proto.js';
import { GrpcStatus, refusalFor } from './status.js';

const SIGNALS = new Map<string, Signal>([
  [TRACE_SERVICE_PATH, 'traces'],
  [LOGS_SERVICE_PATH, 'logs'],
]);

/**
 * HTTP/2 receive windows. With the protocol's default, 64 KiB for a stream and for the whole
 * connection, a client sends 64 KiB and then waits for the server's window update, which a
 * busy event loop sends late: a 300 KB export took several such round trips, and that was most
 * of OTLP/gRPC's acknowledgement tail (p99 ~2× OTLP/HTTP's). A request of up to 1 MiB (an
 * SDK's 512-span batch is ~0.75 MB) now goes out at once, and a connection's calls share
 * 8 MiB, which bounds what one connection can have in flight.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** What a compressed message may be compressed with (`grpc-encoding`). */
const COMPRESSIONS = new Set(['gzip', 'deflate']);

/**
 * OTLP/gRPC: opentelemetry.proto.collector.trace.v1.TraceService/Export and
 * opentelemetry.proto.collector.logs.v1.LogsService/Export, unary calls served on Node's
 * HTTP/2 as gRPC frames them (a length-prefixed message; the status in trailers, or in the
 * headers alone when the call is refused). A refusal is decided from the message's prefix,
 * before the message is read; an admitted message is decoded once its last frame arrives.
 */
export class OtlpGrpcServer {
  private server: Http2Server | Http2SecureServer | undefined;
  private readonly sessions = new Set<Http2Session>();

  constructor(
    private readonly receiver: string,
    private readonly config: GrpcConfig,
    private readonly ingest: Ingest,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
    private readonly options: { authenticate: Authenticate | undefined; admission: AdmissionGate },
  ) {}

  get secure(): boolean {
    return this.config.tls !== undefined;
  }

  async start(): Promise<number> {
    const { config } = this;
    const options = {
      settings: {
        maxConcurrentStreams: config.max_concurrent_streams,
        initialWindowSize: STREAM_WINDOW_BYTES,
      },
      // In MB: what a session may buffer; the windows above bound what it is sent.
      maxSessionMemory: (2 * CONNECTION_WINDOW_BYTES) / (1024 * 1024),
    };
    const tls = config.tls && loadTls(config.tls, 'receivers.otlp.protocols.grpc');
    const server = tls
      ? createSecureServer({
          ...options,
          cert: tls.cert,
          key: tls.key,
          ...(tls.clientCa
            ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
            : {}),
        })
      : createServer(options);
    server.on('session', (session) => this.watch(session));
    server.on('stream', (stream, headers) => this.call(stream, headers));
    const { host, port } = splitEndpoint(config.endpoint);
    const bound = await listen(server, host, port);
    this.server = server;
    return bound;
  }

  /** Stops accepting; in-flight calls may finish until `deadline` aborts, then are cancelled. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // GOAWAY: the client sends no new calls on these connections, and the open ones finish.
    for (const session of this.sessions) session.close();
    const forget = onDeadline(deadline, () => {
      for (const session of this.sessions) session.destroy();
    });
    await closed;
    forget();
  }

  /**
   * Opens the connection's window, and closes the connection once it has had no call for
   * `max_connection_idle`, or (gracefully, then at the end of the grace) at
   * `max_connection_age`.
   */
  private watch(session: Http2Session): void {
    const { max_connection_idle: idleMs, max_connection_age: ageMs } = this.config;
    this.sessions.add(session);
    session.on('error', (error) => this.logger.debug({ err: error }, 'OTLP/gRPC connection error'));
    if (!session.destroyed) session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, run: () => void) => timers.push(setTimeout(run, ms).unref());
    if (ageMs > 0) {
      later(ageMs, () => {
        session.close();
        later(this.config.max_connection_age_grace, () => session.destroy());
      });
    }
    let calls = 0;
    let idle = setTimeout(() => session.close(), idleMs).unref();
    session.on('stream', (stream: ServerHttp2Stream) => {
      calls++;
      clearTimeout(idle);
      stream.once('close', () => {
        if (--calls === 0) idle = setTimeout(() => session.close(), idleMs).unref();
      });
    });
    session.once('close', () => {
      this.sessions.delete(session);
      clearTimeout(idle);
      for (const timer of timers) clearTimeout(timer);
    });
  }

  private call(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', (error) => this.logger.debug({ err: error }, 'OTLP/gRPC stream error'));
    if (headers[':method'] !== 'POST') {
      return this.httpError(stream, { ':status': 405, allow: 'POST' });
    }
    if (!headers['content-type']?.startsWith('application/grpc')) {
      return this.httpError(stream, { ':status': 415 });
    }
    const path = headers[':path'] ?? '';
    const signal = SIGNALS.get(path);
    if (!signal) {
      return this.status(
        stream,
        GrpcStatus.UNIMPLEMENTED,
        `no OTLP service method ${path}; traces go to ${TRACE_SERVICE_PATH}, logs to ${LOGS_SERVICE_PATH}`,
      );
    }
    const { authenticate, admission } = this.options;
    if (authenticate) {
      const result = authenticate(headers.authorization);
      if (!result.ok) {
        return this.status(stream, GrpcStatus.UNAUTHENTICATED, authRefusalMessage(result.reason));
      }
    }
    const encoding = String(headers['grpc-encoding'] ?? 'identity').toLowerCase();
    let release: (() => void) | undefined;
    readUnaryMessage(stream, this.config.max_recv_msg_size, (length) => {
      release = admission.admit(length, 'grpc', signal);
    })
      .then((received) => this.export(signal, encoding, received))
      .then(
        (result) => this.respond(stream, signal, result),
        (error: unknown) => this.refuse(stream, error),
      )
      .catch((error: unknown) => this.logger.error({ err: error }, 'OTLP/gRPC handler failed'))
      .finally(() => release?.());
  }

  /**
   * Decompresses and decodes the message, then resolves once its items are safe. Not an
   * async function: its frame would hold the message until then, hundreds of ms under load
   * (see Ingest#export).
   */
  private export(signal: Signal, encoding: string, received: UnaryMessage): Promise<ExportResult> {
    const { compressed, message } = received;
    this.metrics.requestBytes.observe(
      { receiver: this.receiver, transport: 'grpc' },
      message.length,
    );
    if (!compressed) return this.ingest.export(signal, 'grpc', 'protobuf', message);
    if (!COMPRESSIONS.has(encoding)) {
      return Promise.reject(
        new BodyError(
          UNSUPPORTED_ENCODING,
          `a compressed message needs grpc-encoding gzip or deflate, not "${encoding}"`,
        ),
      );
    }
    return decompress(message, encoding, this.config.max_recv_msg_size).then((body) =>
      this.ingest.export(signal, 'grpc', 'protobuf', body),
    );
  }

  private respond(stream: ServerHttp2Stream, signal: Signal, result: ExportResult): void {
    if (stream.closed || stream.destroyed) return;
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc' },
      { waitForTrailers: true },
    );
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': GrpcStatus.OK }));
    stream.end(framed(encodeExportResponse(signal, result)));
  }

  private refuse(stream: ServerHttp2Stream, error: unknown): void {
    if (error instanceof MalformedRequest) this.ingest.decodeFailed('grpc', 'protobuf');
    const refusal = refusalFor(error);
    this.status(stream, refusal.grpcCode, refusal.message, refusal.retryAfterSeconds);
  }

  /**
   * Ends a call with `code` in the response headers alone (gRPC's trailers-only response). A
   * retryable refusal says when to retry in `grpc-status-details-bin`, as OTLP asks.
   */
  private status(
    stream: ServerHttp2Stream,
    code: GrpcStatus,
    message: string,
    retryAfterSeconds?: number,
  ): void {
    if (stream.closed || stream.destroyed || stream.headersSent) return;
    const headers: OutgoingHttpHeaders = {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': code,
      'grpc-message': grpcMessage(message),
    };
    if (retryAfterSeconds !== undefined) {
      headers['grpc-status-details-bin'] = encodeRetryStatus(
        code,
        message,
        retryAfterSeconds,
      ).toString('base64');
    }
    stream.respond(headers, { endStream: true });
    // What the client still sends is read and dropped.
    stream.resume();
  }

  /** Answers a request that is not a gRPC call at all; what it still sends is dropped. */
  private httpError(stream: ServerHttp2Stream, headers: OutgoingHttpHeaders): void {
    stream.respond(headers, { endStream: true });
    stream.resume();
  }
}
