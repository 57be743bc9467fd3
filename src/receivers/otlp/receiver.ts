import type { Logger } from 'pino';
import type { ComponentSettings, Receiver, TelemetryConsumer } from '../../pipeline/component.js';
import type { OtlpReceiverConfig } from './config.js';
import { OtlpGrpcServer } from './grpc.js';
import { OtlpHttpServer } from './http.js';
import { Ingest } from './ingest.js';
import { ReceiverMetrics } from './metrics.js';

/** The OTLP receiver: gRPC and/or HTTP transports feeding one pipeline. */
export class OtlpReceiver implements Receiver {
  private readonly grpc: OtlpGrpcServer | undefined;
  private readonly http: OtlpHttpServer | undefined;
  private readonly logger: Logger;

  constructor(settings: ComponentSettings<OtlpReceiverConfig>, next: TelemetryConsumer) {
    const { id, config, logger } = settings;
    const metrics = ReceiverMetrics.for(settings.metrics);
    const ingest = new Ingest(id, config.limits, next, metrics, logger);
    const { grpc, http } = config.protocols;
    this.grpc =
      grpc && new OtlpGrpcServer(id, grpc, ingest, metrics, logger.child({ transport: 'grpc' }));
    this.http =
      http && new OtlpHttpServer(id, http, ingest, metrics, logger.child({ transport: 'http' }));
    this.logger = logger;
  }

  async start(): Promise<void> {
    try {
      if (this.grpc) this.logger.info({ port: await this.grpc.start() }, 'OTLP/gRPC listening');
      if (this.http) this.logger.info({ port: await this.http.start() }, 'OTLP/HTTP listening');
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.grpc?.shutdown(), this.http?.shutdown()]);
  }
}
