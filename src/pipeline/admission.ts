import { Counter, Gauge, type Registry } from 'prom-client';
import type { Signal } from '../model/index.js';
import { perRegistry } from '../telemetry/per-registry.js';
import { RetryableError } from './errors.js';

/** Code of an admission refusal: receivers answer 503 / UNAVAILABLE with Retry-After. */
export const INFLIGHT_LIMITED = 'inflight_limited';

/**
 * A downstream component's say on requests of one signal before they are read: the error to
 * refuse them with (memory is short, its queue is full, it is shutting down), or undefined to
 * admit them.
 */
export type AdmissionCheck = () => RetryableError | undefined;

/**
 * Decides, before a request's body is read, whether it comes in, so that what would be refused
 * anyway is refused before it is held, decoded and processed rather than after:
 * - the bytes of requests being read, decoded and processed at once are bounded; the memory
 *   limiter sets the bound (without one, any number is admitted);
 * - components downstream add checks: the memory limiter while memory use is over its limit,
 *   the ClickHouse exporter while its durable queue is full. Under a full queue, requests
 *   processed only to be refused at the end kept the event loop so busy that the queue's own
 *   deliveries crawled, and it stayed full.
 * Receivers ask before reading a body and release once they answered. One gate per daemon: it
 * is kept per metrics registry.
 */
export class AdmissionGate {
  private inflight = 0;
  private limit = Infinity;
  private readonly checks: Record<Signal, Set<AdmissionCheck>> = {
    traces: new Set(),
    logs: new Set(),
  };

  constructor(
    private readonly gauge: Gauge,
    private readonly refused: Counter<'transport' | 'reason'>,
  ) {}

  /** Sets the bound in bytes; `Infinity` admits everything. */
  setLimit(bytes: number): void {
    this.limit = bytes;
  }

  /** Asks `check` before each request of `signal` from now on; returns its removal. */
  addCheck(signal: Signal, check: AdmissionCheck): () => void {
    this.checks[signal].add(check);
    return () => this.checks[signal].delete(check);
  }

  /**
   * Takes `bytes` for one request of `signal` and returns their release (idempotent). Throws a
   * check's refusal, or a retryable error when the bytes would pass the bound; a request alone
   * passes the bound, so one larger than it (but within the body limit) is not refused for ever.
   */
  admit(bytes: number, transport: string, signal: Signal): () => void {
    for (const check of this.checks[signal]) {
      const refusal = check();
      if (refusal) {
        this.refused.inc({ transport, reason: refusal.code });
        throw refusal;
      }
    }
    if (this.inflight > 0 && this.inflight + bytes > this.limit) {
      this.refused.inc({ transport, reason: INFLIGHT_LIMITED });
      throw new RetryableError(
        `${this.inflight} bytes of requests are in flight (limit ${this.limit}); retry later`,
        INFLIGHT_LIMITED,
        1000,
      );
    }
    this.inflight += bytes;
    this.gauge.set(this.inflight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight -= bytes;
      this.gauge.set(this.inflight);
    };
  }
}

export const admissionGate = perRegistry(
  (registry: Registry) =>
    new AdmissionGate(
      new Gauge({
        name: 'faultline_admission_inflight_bytes',
        help: 'Bytes of requests admitted and not yet answered.',
        registers: [registry],
      }),
      new Counter({
        name: 'faultline_admission_refused_requests_total',
        help: 'Requests refused before reading their body, by reason (inflight_limited: too many bytes in flight; memory_limited, queue_full, shutting_down: from downstream).',
        labelNames: ['transport', 'reason'],
        registers: [registry],
      }),
    ),
);
