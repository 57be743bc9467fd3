import { Counter, Gauge, type Registry } from 'prom-client';
import type { Alert } from './alert.js';
import { perRegistry } from '../telemetry/per-registry.js';

type AlertSource = () => Iterable<Alert>;

/**
 * A gauge whose label names vary per alert, as Prometheus's own `ALERTS` do; prom-client's
 * Gauge needs its label names up front, so this one is read from the alerts at scrape time.
 */
class AlertStateCollector {
  readonly type = 'gauge';
  readonly aggregator = 'omit';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly sources: Set<AlertSource>,
    private readonly sample: (alert: Alert) => { labels: Record<string, string>; value: number },
  ) {}

  get() {
    const values: { labels: Record<string, string>; value: number }[] = [];
    for (const source of this.sources) {
      for (const alert of source()) if (alert.state !== 'inactive') values.push(this.sample(alert));
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}

/** Self-metrics of the alert processor, declared in one place. */
export class AlertMetrics {
  private readonly sources = new Set<AlertSource>();
  readonly evaluations: Counter<'processor'>;
  readonly evaluationDuration: Gauge<'processor'>;
  readonly transitions: Counter<'alertname' | 'to'>;
  readonly droppedEvents: Counter<'alertname'>;
  readonly groups: Gauge<'alertname'>;

  static readonly for = perRegistry((registry) => new AlertMetrics(registry));

  private constructor(registry: Registry) {
    registry.registerMetric(
      new AlertStateCollector(
        'ALERTS',
        'Pending and firing alerts, as Prometheus exports its own (value 1).',
        this.sources,
        (alert) => ({ labels: { ...alert.labels, alertstate: alert.state }, value: 1 }),
      ) as never,
    );
    registry.registerMetric(
      new AlertStateCollector(
        'ALERTS_FOR_STATE',
        'When each pending or firing alert became active (Unix seconds), as Prometheus keeps it to restore `for`.',
        this.sources,
        (alert) => ({ labels: alert.labels, value: Math.floor(alert.activeAt / 1000) }),
      ) as never,
    );
    this.evaluations = new Counter({
      name: 'faultline_alert_evaluations_total',
      help: 'Rule evaluation rounds.',
      labelNames: ['processor'],
      registers: [registry],
    });
    this.evaluationDuration = new Gauge({
      name: 'faultline_alert_evaluation_duration_seconds',
      help: 'How long the last evaluation of all rules took.',
      labelNames: ['processor'],
      registers: [registry],
    });
    this.transitions = new Counter({
      name: 'faultline_alert_transitions_total',
      help: 'Alert state changes by rule and new state (pending, firing, resolved, inactive).',
      labelNames: ['alertname', 'to'],
      registers: [registry],
    });
    this.droppedEvents = new Counter({
      name: 'faultline_alert_dropped_events_total',
      help: 'Events not counted because their rule already tracks max_groups_per_rule groups.',
      labelNames: ['alertname'],
      registers: [registry],
    });
    this.groups = new Gauge({
      name: 'faultline_alert_groups',
      help: 'Groups (distinct group_by values) each rule tracks.',
      labelNames: ['alertname'],
      registers: [registry],
    });
  }

  /** Adds a processor's alerts to ALERTS / ALERTS_FOR_STATE; returns the removal. */
  addSource(source: AlertSource): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }
}
