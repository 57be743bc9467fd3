import type { Logger } from 'pino';
import { authenticator } from '../../net/auth.js';
import { admissionGate } from '../../pipeline/admission.js';
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
  private readonly authEnabled: boolean;

  constructor(settings: ComponentSettings<OtlpReceiverConfig>, next: TelemetryConsumer) {
    const { id, config, logger } = settings;
    const metrics = ReceiverMetrics.for(settings.metrics);
    const ingest = new Ingest(id, config.limits, next, metrics, logger);
    const { grpc, http } = config.protocols;
    const tokens = config.auth.tokens;
    const admission = admissionGate(settings.metrics);
    this.grpc =
      grpc &&
      new OtlpGrpcServer(id, grpc, ingest, metrics, logger.child({ transport: 'grpc' }), {
        authenticate: authenticator(tokens, settings.metrics, `${id}/grpc`),
        admission,
      });
    this.http =
      http &&
      new OtlpHttpServer(id, http, ingest, metrics, logger.child({ transport: 'http' }), {
        authenticate: authenticator(tokens, settings.metrics, `${id}/http`),
        admission,
      });
    this.logger = logger;
    this.authEnabled = tokens.length > 0;
  }

  async start(): Promise<void> {
    try {
      const auth = this.authEnabled;
      if (this.grpc) {
        const port = await this.grpc.start();
        this.logger.info({ port, tls: this.grpc.secure, auth }, 'OTLP/gRPC listening');
      }
      if (this.http) {
        const port = await this.http.start();
        this.logger.info({ port, tls: this.http.secure, auth }, 'OTLP/HTTP listening');
      }
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  async shutdown(deadline?: AbortSignal): Promise<void> {
    await Promise.all([this.grpc?.shutdown(deadline), this.http?.shutdown(deadline)]);
  }
}
