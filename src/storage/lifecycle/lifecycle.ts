import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StorageConfig } from '../config.js';
import type { Store } from '../store.js';
import { archiveExpiring } from './archive.js';
import { applyCompression } from './compression.js';
import { StorageMetrics } from './metrics.js';
import { applyRetention } from './retention.js';
import { storageUsage } from './usage.js';

/**
 * The data lifecycle of a store the daemon owns: at start-up, the archival pass (when
 * configured) and then the configured retention, so a shortened retention cannot drop a day
 * before it is archived, and the configured codecs; afterwards archival on its interval; the
 * storage-use gauges read the store on scrape.
 */
export class StorageLifecycle {
  private readonly metrics: StorageMetrics;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly config: StorageConfig,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.metrics = StorageMetrics.for(registry);
  }

  async start(): Promise<void> {
    // Retention, codecs and archival change tables: only a daemon that owns the schema runs them.
    const owner = this.config.create_schema;
    const archiving = owner && this.config.archive.path !== '';
    const target = { database: this.config.database, cluster: this.config.cluster };
    if (archiving) await this.archive();
    if (owner) {
      await applyRetention(this.store, this.config, target, this.logger);
      await applyCompression(this.store, this.config, target, this.logger);
    }
    this.metrics.source = () => storageUsage(this.store, target);
    if (archiving) this.every(this.config.archive.interval, () => this.archive());
  }

  /** Stops the timers and waits for a pass in progress. Safe before start and twice. */
  async shutdown(): Promise<void> {
    this.metrics.source = undefined;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.running;
  }

  /** One task at a time, never overlapping itself or another; failures are logged, not thrown. */
  private every(ms: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      this.running = this.running.then(task);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  private async archive(): Promise<void> {
    try {
      for (const file of await archiveExpiring(this.store, this.config, this.logger)) {
        this.metrics.archived.inc({ table: file.table });
      }
    } catch (error) {
      this.metrics.archiveFailures.inc();
      this.logger.error({ err: error }, 'archival pass failed; it is retried at the next pass');
    }
  }
}
