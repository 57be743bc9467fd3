import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authRefusalMessage, type Authenticate } from '../../net/auth.js';
import { HttpService } from '../../net/http-service.js';
import type { AdmissionGate } from '../../pipeline/admission.js';
import { loadTls } from '../../net/tls.js';
import type { HttpConfig } from './config.js';
import { BodyError, readBody } from './body.js';
import { MalformedRequest } from './convert.js';
import type { Ingest } from './ingest.js';
import type { ReceiverMetrics } from './metrics.js';
import {
  encodeExportResponse,
  encodeRpcStatus,
  exportResponseJson,
  type ExportResult,
  type Signal,
} from './proto.js';
import { refusalFor } from './status.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
/** The OTLP/HTTP path of each signal. */
const SIGNAL_PATHS: Readonly<Record<string, Signal>> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
};

type BodyType = 'protobuf' | 'json';

/**
 * The bytes a request is admitted for: its declared length, or the body limit when it does not
 * declare one (chunked), since that is what reading it may hold.
 */
function admittedBytes(request: IncomingMessage, config: HttpConfig): number {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared >= 0
    ? Math.min(declared, config.max_request_body_size)
    : config.max_request_body_size;
}

/**
 * OTLP/HTTP: POST /v1/traces and /v1/logs with protobuf or JSON bodies, answered in the same
 * encoding.
 */
export class OtlpHttpServer {
  private readonly http: HttpService;

  constructor(
    private readonly receiver: string,
    private readonly config: HttpConfig,
    private readonly ingest: Ingest,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
    private readonly options: { authenticate: Authenticate | undefined; admission: AdmissionGate },
  ) {
    this.http = new HttpService({
      endpoint: config.endpoint,
      timeouts: config,
      tls: config.tls && loadTls(config.tls, 'receivers.otlp.protocols.http'),
      handle: (request, response) => this.handle(request, response),
      onError: (error, response) => {
        this.logger.error({ err: error }, 'OTLP/HTTP handler failed');
        if (!response.headersSent) response.writeHead(500).end();
      },
    });
  }

  get secure(): boolean {
    return this.http.secure;
  }

  start(): Promise<number> {
    return this.http.start();
  }

  shutdown(deadline?: AbortSignal): Promise<void> {
    return this.http.shutdown(deadline);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.applyCors(request, response);
    const path = (request.url ?? '').split('?', 1)[0]!;
    const signal = Object.hasOwn(SIGNAL_PATHS, path) ? SIGNAL_PATHS[path] : undefined;
    if (!signal)
      return this.fail(
        response,
        'json',
        404,
        5,
        `no OTLP endpoint at ${path}; traces go to /v1/traces, logs to /v1/logs`,
      );
    if (request.method === 'OPTIONS') return void response.writeHead(204).end();
    const contentType = (request.headers['content-type'] ?? '')
      .split(';', 1)[0]!
      .trim()
      .toLowerCase();
    const type: BodyType | undefined =
      contentType === PROTOBUF || contentType === 'application/protobuf'
        ? 'protobuf'
        : contentType === JSON_TYPE
          ? 'json'
          : undefined;
    const authenticate = this.options.authenticate;
    if (authenticate) {
      const result = authenticate(request.headers.authorization);
      if (!result.ok) {
        // The body of a refused client is not read; closing spares draining it.
        response.setHeader('WWW-Authenticate', 'Bearer');
        response.setHeader('Connection', 'close');
        return this.fail(response, type ?? 'json', 401, 16, authRefusalMessage(result.reason));
      }
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST, OPTIONS');
      return this.fail(response, 'json', 405, 12, `use POST for ${path}`);
    }
    if (!type) {
      return this.fail(
        response,
        'json',
        415,
        3,
        `unsupported Content-Type "${contentType}": use ${PROTOBUF} or ${JSON_TYPE}`,
      );
    }
    // Admission before the body is read: a refused request's body is never held or decoded
    // (the connection is closed instead of draining it).
    let release: () => void;
    try {
      release = this.options.admission.admit(admittedBytes(request, this.config), 'http', signal);
    } catch (error) {
      response.setHeader('Connection', 'close');
      return this.refuse(response, type, error);
    }
    try {
      await this.receive(request, response, signal, type);
    } finally {
      release();
    }
  }

  private async receive(
    request: IncomingMessage,
    response: ServerResponse,
    signal: Signal,
    type: BodyType,
  ): Promise<void> {
    let body: Buffer;
    try {
      const read = await readBody(request, this.config.max_request_body_size);
      this.metrics.requestBytes.observe({ receiver: this.receiver, transport: 'http' }, read.raw);
      body = read.body;
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      const refusal = refusalFor(error);
      return this.fail(response, type, refusal.httpStatus, refusal.grpcCode, refusal.message);
    }
    // Returned, not awaited: this function then ends and stops holding the body, which is
    // garbage once decoded (see Ingest#export).
    return this.respond(response, signal, type, this.ingest.export(signal, 'http', type, body));
  }

  /** Answers with the export's result, or its refusal. */
  private async respond(
    response: ServerResponse,
    signal: Signal,
    type: BodyType,
    exported: Promise<ExportResult>,
  ): Promise<void> {
    try {
      const result = await exported;
      if (type === 'protobuf') {
        response
          .writeHead(200, { 'Content-Type': PROTOBUF })
          .end(encodeExportResponse(signal, result));
      } else {
        response
          .writeHead(200, { 'Content-Type': JSON_TYPE })
          .end(exportResponseJson(signal, result));
      }
    } catch (error) {
      if (error instanceof MalformedRequest) this.ingest.decodeFailed('http', type);
      this.refuse(response, type, error);
    }
  }

  private refuse(response: ServerResponse, type: BodyType, error: unknown): void {
    const refusal = refusalFor(error);
    if (refusal.retryAfterSeconds)
      response.setHeader('Retry-After', String(refusal.retryAfterSeconds));
    this.fail(response, type, refusal.httpStatus, refusal.grpcCode, refusal.message);
  }

  /** Errors carry a google.rpc.Status in the request's encoding, as OTLP/HTTP asks. */
  private fail(
    response: ServerResponse,
    type: BodyType,
    status: number,
    code: number,
    message: string,
  ): void {
    if (type === 'protobuf') {
      response.writeHead(status, { 'Content-Type': PROTOBUF }).end(encodeRpcStatus(code, message));
    } else {
      response
        .writeHead(status, { 'Content-Type': JSON_TYPE })
        .end(JSON.stringify({ code, message }));
    }
  }

  private applyCors(request: IncomingMessage, response: ServerResponse): void {
    const origin = request.headers.origin;
    const allowed = this.config.cors.allowed_origins;
    if (!origin || allowed.length === 0) return;
    if (!allowed.includes('*') && !allowed.includes(origin)) return;
    response.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin);
    response.setHeader('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'POST');
      response.setHeader(
        'Access-Control-Allow-Headers',
        [
          'Content-Type',
          'Content-Encoding',
          // Browsers must be allowed to send the bearer token when auth is on.
          ...(this.options.authenticate ? ['Authorization'] : []),
          ...this.config.cors.allowed_headers,
        ].join(', '),
      );
      response.setHeader('Access-Control-Max-Age', String(this.config.cors.max_age));
    }
  }
}
