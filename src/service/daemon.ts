import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AdminServer } from '../api/server.js';
import { builtinFactories } from '../components.js';
import type { FaultlineConfig } from '../config/load.js';
import { TracesPipeline } from '../pipeline/pipeline.js';
import { provideGeneratedHmacKey } from '../processors/redact/generated-key.js';
import { migrate, verifySchema } from '../storage/schema/migrate.js';
import { createStore } from '../storage/open.js';
import type { Store } from '../storage/store.js';
import { AlertingService } from './alerting/service.js';
import { createLogger } from '../telemetry/logger.js';
import { createRegistry } from '../telemetry/metrics.js';

/** Bound on a graceful shutdown; what is not flushed by then is reported. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * The running daemon: storage, the traces pipeline and the admin server, started in that
 * order and stopped in reverse.
 */
export class Daemon {
  readonly logger: Logger;
  readonly metrics: Registry;
  private readonly store: Store;
  private readonly alerting: AlertingService;
  private pipeline: TracesPipeline | undefined;
  private admin: AdminServer | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly config: FaultlineConfig,
    options: { logLevel?: FaultlineConfig['service']['telemetry']['logs']['level'] } = {},
  ) {
    const logs = config.service.telemetry.logs;
    this.logger = createLogger(options.logLevel ?? logs.level, logs.format);
    this.metrics = createRegistry();
    this.store = createStore(config.storage);
    this.alerting = new AlertingService(this.store, this.logger.child({ component: 'alerting' }));
  }

  async start(): Promise<void> {
    try {
      await this.openStorage();
      await this.alerting.start();
      provideGeneratedHmacKey(
        this.config.components.processors,
        this.config.storage.path,
        this.logger,
      );
      this.pipeline = TracesPipeline.build(this.config, builtinFactories, {
        logger: this.logger,
        metrics: this.metrics,
        store: this.store,
        alerting: this.alerting,
      });
      await this.pipeline.start();
      const pipeline = this.pipeline;
      this.admin = new AdminServer(this.config.admin, {
        store: this.store,
        metrics: this.metrics,
        pipelineReady: () => pipeline.ready(),
        logger: this.logger.child({ component: 'admin' }),
        alerting: this.alerting,
      });
      const port = await this.admin.start();
      this.logger.info(whereThingsAre(this.config, port), 'Faultline is ready');
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops accepting, flushes what was accepted, closes storage. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdownAll();
    return this.stopping;
  }

  private async openStorage(): Promise<void> {
    const { storage } = this.config;
    await this.store.open();
    if (storage.create_schema) {
      const ran = await migrate(
        this.store,
        { database: storage.database, ttlSeconds: Math.floor(storage.ttl / 1000) },
        this.logger,
      );
      this.logger.info({ engine: storage.engine, applied: ran }, 'storage schema is up to date');
    } else {
      await verifySchema(this.store, storage.database);
    }
  }

  private async shutdownAll(): Promise<void> {
    const deadline = setTimeout(() => {
      this.logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time');
    }, SHUTDOWN_TIMEOUT_MS).unref();
    await this.pipeline?.shutdown();
    await this.admin?.shutdown();
    await this.alerting.shutdown();
    await this.store.close();
    clearTimeout(deadline);
    this.logger.info('stopped');
  }
}

/**
 * The start-up summary: where the admin API and its UI answer, and where data is kept (the
 * receivers log their own ports as they bind).
 */
function whereThingsAre(config: FaultlineConfig, adminPort: number): Record<string, string> {
  const host = config.admin.endpoint.slice(0, config.admin.endpoint.lastIndexOf(':'));
  const shown = host === '0.0.0.0' || host === '' || host === '[::]' ? 'localhost' : host;
  const admin = `${config.admin.tls ? 'https' : 'http'}://${shown}:${adminPort}`;
  return {
    ui: `${admin}/`,
    api: `${admin}/api/v1`,
    metrics: `${admin}/metrics`,
    data: config.storage.engine === 'embedded' ? resolve(config.storage.path) : config.storage.url,
  };
}
