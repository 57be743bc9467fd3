import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AdminServer } from '../api/server.js';
import { builtinFactories } from '../components.js';
import type { FaultlineConfig } from '../config/load.js';
import { within } from '../pipeline/deadline.js';
import { Extensions } from '../pipeline/host.js';
import { TracesPipeline } from '../pipeline/pipeline.js';
import { STORAGE } from '../storage/extension.js';
import { provideGeneratedHmacKey } from '../processors/redact/generated-key.js';
import { migrate, verifySchema } from '../storage/schema/migrate.js';
import { StorageLifecycle } from '../storage/lifecycle/lifecycle.js';
import { createStore } from '../storage/open.js';
import type { Store } from '../storage/store.js';
import { ALERTING } from '../alerting/extension.js';
import { AlertingService } from '../alerting/service.js';
import { createLogger } from '../telemetry/logger.js';
import { createRegistry } from '../telemetry/metrics.js';

/**
 * Share of `service.shutdown_timeout` the components get; the rest is kept for closing storage
 * before the process exits at the full timeout.
 */
const COMPONENT_SHARE = 0.9;

/**
 * The running daemon: storage, the traces pipeline and the admin server, started in that
 * order and stopped in reverse.
 */
export class Daemon {
  readonly logger: Logger;
  readonly metrics: Registry;
  private readonly store: Store;
  private readonly alerting: AlertingService;
  private readonly lifecycle: StorageLifecycle;
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
    this.lifecycle = new StorageLifecycle(
      this.store,
      config.storage,
      this.metrics,
      this.logger.child({ component: 'storage' }),
    );
    this.alerting = new AlertingService(
      this.store,
      this.logger.child({ component: 'alerting' }),
      Date.now,
      { config: config.alerting, metrics: this.metrics },
    );
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
        host: new Extensions().register(STORAGE, this.store).register(ALERTING, this.alerting),
      });
      await this.pipeline.start();
      const pipeline = this.pipeline;
      this.admin = new AdminServer(this.config.admin, {
        store: this.store,
        metrics: this.metrics,
        pipelineReady: () => pipeline.ready(),
        logger: this.logger.child({ component: 'admin' }),
        alerting: this.alerting,
        reports: {
          database: this.config.storage.database,
          cluster: this.config.storage.cluster,
          archivePath: this.config.storage.archive.path,
        },
      });
      const port = await this.admin.start();
      this.logger.info(whereThingsAre(this.config, port), 'Faultline is ready');
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Stops accepting, flushes what was accepted, closes storage. Safe to call twice. Everything
   * is bounded by `service.shutdown_timeout`: components get one deadline shortly before it.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdownAll();
    return this.stopping;
  }

  /** How long `stop` may take in all; the process exits by then. */
  get shutdownTimeoutMs(): number {
    return this.config.service.shutdown_timeout;
  }

  private async openStorage(): Promise<void> {
    const { storage } = this.config;
    await this.store.open();
    if (storage.create_schema) {
      const ran = await migrate(
        this.store,
        // Tables start without a TTL; the lifecycle applies storage.retention right after.
        {
          database: storage.database,
          cluster: storage.cluster,
          compression: storage.compression,
        },
        this.logger,
      );
      this.logger.info({ engine: storage.engine, applied: ran }, 'storage schema is up to date');
    } else {
      await verifySchema(this.store, storage.database);
    }
    await this.lifecycle.start();
  }

  private async shutdownAll(): Promise<void> {
    const deadline = AbortSignal.timeout(Math.floor(this.shutdownTimeoutMs * COMPONENT_SHARE));
    await this.pipeline?.shutdown(deadline);
    await this.admin?.shutdown(deadline);
    if (!(await within(this.alerting.shutdown(deadline), deadline))) {
      this.logger.warn('shutdown deadline passed before alert rows were stored');
    }
    await this.lifecycle.shutdown();
    await this.store.close();
    if (deadline.aborted) {
      this.logger.warn(
        { timeoutMs: this.shutdownTimeoutMs },
        'shutdown deadline passed; undelivered rows stay in the durable queue',
      );
    }
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
