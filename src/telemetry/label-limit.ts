import { Counter, type Registry } from 'prom-client';
import { perRegistry } from './per-registry.js';

/** The label value standing in for every value beyond a label's limit. */
export const OTHER_LABEL_VALUE = '__other__';

const overflowFamily = perRegistry(
  (registry) =>
    new Counter({
      name: 'faultline_metric_label_overflow_total',
      help: `Observations whose label value was replaced by ${OTHER_LABEL_VALUE} because the metric already had as many values of that label as its limit allows.`,
      labelNames: ['metric', 'label'],
      registers: [registry],
    }),
);

const seriesOverflowFamily = perRegistry(
  (registry) =>
    new Counter({
      name: 'faultline_metric_series_overflow_total',
      help: `Observations recorded into the series whose limited labels are all ${OTHER_LABEL_VALUE}, because the metric already had as many series as its limit allows.`,
      labelNames: ['metric'],
      registers: [registry],
    }),
);

/** Counts observations of `metric` diverted by its series limit. */
export function seriesOverflowCounter(registry: Registry, metric: string): { inc(): void } {
  return seriesOverflowFamily(registry).labels(metric);
}

/**
 * Bounds the values one label of one metric takes: the first `limit` distinct values keep
 * their names, later ones are recorded as `__other__` and counted in
 * `faultline_metric_label_overflow_total{metric,label}`, so a client that puts ids into span
 * names, models or services cannot grow a metric without end.
 */
export class LabelLimiter {
  private readonly known = new Set<string>();
  private readonly overflow: { inc(): void };

  constructor(
    registry: Registry,
    readonly metric: string,
    readonly label: string,
    readonly limit: number,
  ) {
    // Bound once: the per-call label lookup of prom-client stays off the overflow path.
    this.overflow = overflowFamily(registry).labels(metric, label);
  }

  /** `value` while it is one of the first `limit` values seen, else `__other__`. */
  value(value: string): string {
    if (this.known.has(value)) return value;
    if (this.known.size < this.limit) {
      this.known.add(value);
      return value;
    }
    this.overflow.inc();
    return OTHER_LABEL_VALUE;
  }
}
