import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import type { TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Processor, TelemetryConsumer } from '../../pipeline/component.js';
import { admissionGate } from '../../pipeline/admission.js';
import { RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import { availableMemory } from '../../telemetry/available-memory.js';
import { perRegistry } from '../../telemetry/per-registry.js';
import type { MemoryLimiterConfig } from './config.js';

/** Code of the refusal: receivers answer 503 / UNAVAILABLE with Retry-After. */
export const MEMORY_LIMITED = 'memory_limited';

export interface MemoryReading {
  heapUsed: number;
  heapLimit: number;
  rss: number;
}

export const readMemory = (): MemoryReading => {
  const heap = getHeapStatistics();
  return {
    heapUsed: heap.used_heap_size,
    heapLimit: heap.heap_size_limit,
    rss: process.memoryUsage.rss(),
  };
};

const limiterMetrics = perRegistry(
  (registry) =>
    new Gauge({
      name: 'faultline_memory_limiter_refusing',
      help: '1 while the memory limiter refuses new data because memory use is over its limit.',
      labelNames: ['processor'],
      registers: [registry],
    }),
);

const overTheLimit = () =>
  new RetryableError('memory use is over the limit; retry later', MEMORY_LIMITED, 1000);

/**
 * Refuses data with a retryable error while memory use is over its limit, so that under load
 * clients back off and retry instead of the process growing until it dies of OOM. Memory is
 * read on a timer, so the per-batch cost is one boolean check. It goes first in the pipeline.
 * It also sets the receivers' admission bound on request bytes in flight, which refuses a
 * burst before its bodies are read and decoded, and while over the limit it has requests of
 * every signal refused there too: a body refused before it is read is never held in memory.
 */
export class MemoryLimiterProcessor implements Processor {
  private refusing = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private admissionChecks: (() => void)[] = [];
  private readonly logger: Logger;
  private readonly gauge: Gauge<'processor'>;
  /** The resident-set limit in bytes; 0 when off. */
  readonly rssLimit: number;

  constructor(
    private readonly settings: ComponentSettings<MemoryLimiterConfig>,
    private readonly next: TelemetryConsumer,
    private readonly read: () => MemoryReading = readMemory,
    available: () => number = availableMemory,
  ) {
    const { config } = settings;
    this.logger = settings.logger;
    this.gauge = limiterMetrics(settings.metrics);
    this.rssLimit =
      config.rss_limit || Math.floor((available() * config.rss_limit_percentage) / 100);
  }

  start(): Promise<void> {
    const { max_inflight_bytes } = this.settings.config;
    const gate = admissionGate(this.settings.metrics);
    gate.setLimit(max_inflight_bytes || Infinity);
    const refusal = () => (this.refusing ? overTheLimit() : undefined);
    this.admissionChecks = [gate.addCheck('traces', refusal), gate.addCheck('logs', refusal)];
    this.logger.info(
      { rssLimit: this.rssLimit, maxInflightBytes: max_inflight_bytes },
      'memory limiter bounds the resident set and the request bytes in flight',
    );
    this.check();
    this.timer ??= setInterval(() => this.check(), this.settings.config.check_interval).unref();
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopped) {
      return Promise.reject(new RetryableError('the memory limiter is shut down', SHUTTING_DOWN));
    }
    if (this.refusing) return Promise.reject(overTheLimit());
    return this.next.consume(batch);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    admissionGate(this.settings.metrics).setLimit(Infinity);
    for (const remove of this.admissionChecks.splice(0)) remove();
    clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }

  /** Reads memory use and switches between accepting and refusing, with hysteresis. */
  check(): void {
    const { heap_limit_percentage, recovery_percentage } = this.settings.config;
    const memory = this.read();
    const heapPercent = (100 * memory.heapUsed) / memory.heapLimit;
    const rssPercent = this.rssLimit > 0 ? (100 * memory.rss) / this.rssLimit : 0;
    const over = heapPercent > heap_limit_percentage || rssPercent > 100;
    const recovered =
      heapPercent <= heap_limit_percentage - recovery_percentage &&
      rssPercent <= 100 - recovery_percentage;
    if (!this.refusing && over) {
      this.refusing = true;
      this.logger.warn(
        {
          heapUsed: memory.heapUsed,
          heapLimit: memory.heapLimit,
          rss: memory.rss,
          rssLimit: this.rssLimit,
        },
        'memory use is over the limit; refusing data until it falls',
      );
    } else if (this.refusing && recovered) {
      this.refusing = false;
      this.logger.info(
        { heapUsed: memory.heapUsed, rss: memory.rss },
        'memory use is back under the limit; accepting data',
      );
    }
    this.gauge.set({ processor: this.settings.id }, this.refusing ? 1 : 0);
  }
}
