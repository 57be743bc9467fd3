import { Counter, type Registry } from 'prom-client';
import { perRegistry } from '../../telemetry/per-registry.js';

/** Label value standing in for services beyond `metrics.max_services`. */
export const OTHER_SERVICE = '__other__';

/** Self-metrics of the classify processor, declared in one place. */
export class ClassifyMetrics {
  readonly failures: Counter<'service' | 'class' | 'severity'>;
  readonly ruleErrors: Counter<'processor' | 'rule'>;

  /** The families for `registry`, shared by every instance of the component type. */
  static readonly for = perRegistry((registry) => new ClassifyMetrics(registry));

  private constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'faultline_failures_total',
      help: `Failures classified, by service (${OTHER_SERVICE} beyond the configured number of services), class and severity.`,
      labelNames: ['service', 'class', 'severity'],
      registers: [registry],
    });
    this.ruleErrors = new Counter({
      name: 'faultline_classify_rule_errors_total',
      help: 'Rule evaluations that threw; the span is passed on without that rule.',
      labelNames: ['processor', 'rule'],
      registers: [registry],
    });
  }
}

/**
 * Bounds the `service` label: the first `limit` services seen keep their names, later ones
 * share `__other__`, so a client inventing service names cannot grow the metric without end.
 */
export class ServiceLabels {
  private readonly known = new Set<string>();

  constructor(private readonly limit: number) {}

  label(service: string): string {
    if (this.known.has(service)) return service;
    if (this.known.size >= this.limit) return OTHER_SERVICE;
    this.known.add(service);
    return service;
  }
}
