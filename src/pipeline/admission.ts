import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../telemetry/per-registry.js';
import { RetryableError } from './errors.js';

/** Code of an admission refusal: receivers answer 503 / UNAVAILABLE with Retry-After. */
export const INFLIGHT_LIMITED = 'inflight_limited';

/**
 * Bounds the bytes of requests being read, decoded and processed at once, so a burst is
 * refused before its bodies are held and decoded rather than after. Receivers ask it before
 * reading a body and release once they answered; the memory limiter sets the bound (without
 * one, every request is admitted). One gate per daemon: it is kept per metrics registry.
 */
export class AdmissionGate {
  private inflight = 0;
  private limit = Infinity;

  constructor(
    private readonly gauge: Gauge,
    private readonly refused: Counter<'transport'>,
  ) {}

  /** Sets the bound in bytes; `Infinity` admits everything. */
  setLimit(bytes: number): void {
    this.limit = bytes;
  }

  /**
   * Takes `bytes` for one request and returns their release (idempotent). Throws a retryable
   * error when they would pass the bound; a request alone is always admitted, so one larger
   * than the bound (but within the body limit) is not refused for ever.
   */
  admit(bytes: number, transport: string): () => void {
    if (this.inflight > 0 && this.inflight + bytes > this.limit) {
      this.refused.inc({ transport });
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
        help: 'Requests refused before reading their body because too many bytes were in flight.',
        labelNames: ['transport'],
        registers: [registry],
      }),
    ),
);
