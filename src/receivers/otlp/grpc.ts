import {
  Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status as GrpcStatus,
  type ServerInterceptor,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/units.js';
import { authRefusalMessage, type Authenticate } from '../../net/auth.js';
import type { AdmissionGate } from '../../pipeline/admission.js';
import { loadTls } from '../../net/tls.js';
import { onDeadline } from '../../pipeline/deadline.js';
import type { GrpcConfig } from './config.js';
import { MalformedRequest } from './convert.js';
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
import { refusalFor } from './status.js';

const passThrough = (buffer: Buffer): Buffer => buffer;

/**
 * A request message as gRPC hands it over. The handler takes the bytes out of it: grpc-js
 * holds the request until the call ends, and bytes held until the acknowledgement (hundreds of
 * ms under load) outlive the young generation, so their memory waits for a full collection.
 * (grpc-js's decoder also keeps the message's frames until then; that copy is out of reach.)
 */
interface ReceivedMessage {
  bytes: Buffer | undefined;
}

/**
 * An OTLP export service as raw bytes: decoding happens in the handler, so a malformed message
 * becomes INVALID_ARGUMENT with a reason instead of a transport-level failure.
 */
const exportService = (path: string): ServiceDefinition => ({
  Export: {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: (message: ReceivedMessage) => message.bytes ?? Buffer.alloc(0),
    requestDeserialize: (bytes: Buffer): ReceivedMessage => ({ bytes }),
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
});

const SERVICES: readonly [Signal, ServiceDefinition][] = [
  ['traces', exportService(TRACE_SERVICE_PATH)],
  ['logs', exportService(LOGS_SERVICE_PATH)],
];

/**
 * OTLP/gRPC: opentelemetry.proto.collector.trace.v1.TraceService/Export and
 * opentelemetry.proto.collector.logs.v1.LogsService/Export.
 */
export class OtlpGrpcServer {
  private server: Server | undefined;

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
    const credentials = this.credentials();
    const server = new Server({
      'grpc.max_receive_message_length': config.max_recv_msg_size,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
      'grpc.max_concurrent_streams': config.max_concurrent_streams,
      'grpc.max_connection_idle_ms': config.max_connection_idle,
      ...(config.max_connection_age > 0
        ? {
            'grpc.max_connection_age_ms': config.max_connection_age,
            'grpc.max_connection_age_grace_ms': config.max_connection_age_grace,
          }
        : {}),
      interceptors: this.options.authenticate
        ? [this.authInterceptor(this.options.authenticate)]
        : [],
    });
    for (const [signal, service] of SERVICES) {
      server.addService(service, {
        Export: (
          call: ServerUnaryCall<ReceivedMessage, Buffer>,
          callback: sendUnaryData<Buffer>,
        ) => {
          const body = call.request.bytes ?? Buffer.alloc(0);
          call.request.bytes = undefined;
          this.export(signal, body, callback).catch((error: unknown) => {
            this.logger.error({ err: error }, 'OTLP/gRPC handler failed');
          });
        },
      });
    }
    const { host, port } = splitEndpoint(this.config.endpoint);
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, credentials, (error, actual) => {
        if (error) reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`));
        else resolve(actual);
      });
    });
    this.server = server;
    return bound;
  }

  private credentials(): ServerCredentials {
    if (!this.config.tls) return ServerCredentials.createInsecure();
    const tls = loadTls(this.config.tls, 'receivers.otlp.protocols.grpc');
    return ServerCredentials.createSsl(
      tls.clientCa ?? null,
      [{ private_key: tls.key, cert_chain: tls.cert }],
      tls.clientCa !== undefined,
    );
  }

  /**
   * Refuses a call on its metadata, before its message is read or decoded, when the bearer
   * token in `authorization` is missing or unknown.
   */
  private authInterceptor(authenticate: Authenticate): ServerInterceptor {
    return (_method, call) =>
      new ServerInterceptingCall(call, {
        start: (next) =>
          next(
            new ServerListenerBuilder()
              .withOnReceiveMetadata((metadata, forward) => {
                const [header] = metadata.get('authorization');
                const result = authenticate(typeof header === 'string' ? header : undefined);
                if (result.ok) return forward(metadata);
                call.sendStatus({
                  code: GrpcStatus.UNAUTHENTICATED,
                  details: authRefusalMessage(result.reason),
                });
              })
              .build(),
          ),
      });
  }

  /** Stops accepting; in-flight calls may finish until `deadline` aborts, then are cancelled. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const forget = onDeadline(deadline, () => {
        server.forceShutdown();
        resolve();
      });
      server.tryShutdown(() => {
        forget();
        resolve();
      });
    });
  }

  /**
   * Admits and decodes the message at once, then answers once its items are safe. Neither an
   * async function nor one making closures: either would hold the body until then (see
   * Ingest#export).
   */
  private export(signal: Signal, body: Buffer, callback: sendUnaryData<Buffer>): Promise<void> {
    this.metrics.requestBytes.observe({ receiver: this.receiver, transport: 'grpc' }, body.length);
    let release: () => void;
    try {
      // gRPC has read the message by now; admission still comes before it is decoded.
      release = this.options.admission.admit(body.length, 'grpc');
    } catch (error) {
      this.refuse(callback, error);
      return Promise.resolve();
    }
    const exported = this.ingest.export(signal, 'grpc', 'protobuf', body);
    return this.respond(signal, exported, callback, release);
  }

  private async respond(
    signal: Signal,
    exported: Promise<ExportResult>,
    callback: sendUnaryData<Buffer>,
    release: () => void,
  ): Promise<void> {
    try {
      callback(null, Buffer.from(encodeExportResponse(signal, await exported)));
    } catch (error) {
      this.refuse(callback, error);
    } finally {
      release();
    }
  }

  private refuse(callback: sendUnaryData<Buffer>, error: unknown): void {
    if (error instanceof MalformedRequest) this.ingest.decodeFailed('grpc', 'protobuf');
    const refusal = refusalFor(error);
    const metadata = new Metadata();
    if (refusal.retryAfterSeconds !== undefined) {
      metadata.set(
        'grpc-status-details-bin',
        encodeRetryStatus(refusal.grpcCode, refusal.message, refusal.retryAfterSeconds),
      );
    }
    callback({ code: refusal.grpcCode, details: refusal.message, metadata });
  }
}
