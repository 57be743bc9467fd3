import { Counter, type Registry } from 'prom-client';
import { OTHER_LABEL_VALUE } from '../../telemetry/label-limit.js';
import { perRegistry } from '../../telemetry/per-registry.js';

/** Self-metrics of the classify processor, declared in one place. */
export class ClassifyMetrics {
  readonly failures: Counter<'service' | 'class' | 'severity'>;
  readonly ruleErrors: Counter<'processor' | 'rule'>;

  /** The families for `registry`, shared by every instance of the component type. */
  static readonly for = perRegistry((registry) => new ClassifyMetrics(registry));

  private constructor(registry: Registry) {
    this.failures = new Counter({
      name: 'faultline_failures_total',
      help: `Failures classified, by service (${OTHER_LABEL_VALUE} beyond the configured number of services), class and severity.`,
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
