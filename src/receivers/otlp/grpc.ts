import {
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { splitEndpoint } from '../../config/units.js';
import type { GrpcConfig } from './config.js';
import { MalformedRequest } from './convert.js';
import { decodeProtobufRequest } from './decode.js';
import type { Ingest } from './ingest.js';
import type { ReceiverMetrics } from './metrics.js';
import { TRACE_SERVICE_PATH, encodeExportResponse } from './proto.js';
import { refusalFor } from './status.js';

const passThrough = (buffer: Buffer): Buffer => buffer;

/**
 * The TraceService as raw bytes: decoding happens in the handler, so a malformed message
 * becomes INVALID_ARGUMENT with a reason instead of a transport-level failure.
 */
const traceService: ServiceDefinition = {
  Export: {
    path: TRACE_SERVICE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
};

/** OTLP/gRPC: opentelemetry.proto.collector.trace.v1.TraceService/Export. */
export class OtlpGrpcServer {
  private server: Server | undefined;

  constructor(
    private readonly receiver: string,
    private readonly config: GrpcConfig,
    private readonly ingest: Ingest,
    private readonly metrics: ReceiverMetrics,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<number> {
    const server = new Server({
      'grpc.max_receive_message_length': this.config.max_recv_msg_size,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
    });
    server.addService(traceService, {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        this.export(call.request, callback).catch((error: unknown) => {
          this.logger.error({ err: error }, 'OTLP/gRPC handler failed');
        });
      },
    });
    const { host, port } = splitEndpoint(this.config.endpoint);
    const bound = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, actual) => {
        if (error) reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`));
        else resolve(actual);
      });
    });
    this.server = server;
    return bound;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5_000);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async export(body: Buffer, callback: sendUnaryData<Buffer>): Promise<void> {
    this.metrics.requestBytes.observe({ receiver: this.receiver, transport: 'grpc' }, body.length);
    try {
      const result = await this.ingest.export('grpc', 'protobuf', decodeProtobufRequest(body));
      callback(null, Buffer.from(encodeExportResponse(result)));
    } catch (error) {
      if (error instanceof MalformedRequest) this.ingest.decodeFailed('grpc', 'protobuf');
      const refusal = refusalFor(error);
      callback({ code: refusal.grpcCode, details: refusal.message });
    }
  }
}
