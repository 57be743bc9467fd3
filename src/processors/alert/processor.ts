import type { Logger } from 'pino';
import type { TelemetryBatch } from '../../model/index.js';
import type { Alert, AlertTransition } from '../../alerting/alert.js';
import type { AlertNotifier } from '../../alerting/notify/queue.js';
import type { ComponentSettings, Processor, TelemetryConsumer } from '../../pipeline/component.js';
import { RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import { within } from '../../pipeline/deadline.js';
import { requireExtension } from '../../pipeline/host.js';
import { ALERTING } from '../../alerting/extension.js';
import { AlertingService } from '../../alerting/service.js';
import { STORAGE } from '../../storage/extension.js';
import type { AlertConfig } from './config.js';
import { AlertMetrics } from '../../alerting/metrics.js';
import { createNotifiers } from '../../alerting/notify/create.js';
import { AlertRule } from '../../alerting/rules/rule.js';

export interface AlertProcessorOptions {
  /** Unix ms now; tests pass a fake clock. */
  clock?: () => number;
  /** Evaluate on a timer every `interval` (default); tests call `evaluate` themselves. */
  timer?: boolean;
}

/**
 * Threshold and anomaly alerting (SPEC §5.4). Every batch is passed on unchanged; its spans
 * and failures are counted into the rules' sliding windows on the way. A timer (which never
 * keeps the process alive) evaluates the rules every `interval`: alert states change as in
 * Prometheus, transitions are stored and correlated into incidents by the shared alerting
 * service, and notifiers send them in the background.
 */
export class AlertProcessor implements Processor {
  readonly rules: AlertRule[];
  private readonly spanRules: AlertRule[];
  private readonly failureRules: AlertRule[];
  private readonly alerting: AlertingService;
  private readonly ownAlerting: AlertingService | undefined;
  private readonly metrics: AlertMetrics;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private notifiers: AlertNotifier[] = [];
  private timer: NodeJS.Timeout | undefined;
  private removeSources: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly settings: ComponentSettings<AlertConfig>,
    private readonly next: TelemetryConsumer,
    private readonly options: AlertProcessorOptions = {},
  ) {
    const { config } = settings;
    this.logger = settings.logger;
    this.clock = options.clock ?? Date.now;
    this.metrics = AlertMetrics.for(settings.metrics);
    // On its own (no daemon sharing one), the processor runs a service of its own and stops it.
    this.alerting =
      settings.host.extension(ALERTING) ??
      (this.ownAlerting = new AlertingService(
        requireExtension(settings.host, STORAGE),
        settings.logger,
        this.clock,
        { metrics: settings.metrics },
      ));
    this.rules = config.rules.map(
      (rule) =>
        new AlertRule(rule, {
          maxGroups: config.max_groups_per_rule,
          resolvedRetentionMs: config.resolved_retention,
          onGroupDropped: (name) => this.metrics.droppedEvents.inc({ alertname: name }),
        }),
    );
    this.spanRules = this.rules.filter((rule) => rule.source === 'spans');
    this.failureRules = this.rules.filter((rule) => rule.source === 'failures');
  }

  async start(): Promise<void> {
    const { config } = this.settings;
    this.alerting.configure({
      windowMs: config.incidents.correlation_window,
      matchLabels: config.incidents.match_labels,
    });
    this.removeSources.push(
      this.metrics.addSource(() => this.alerts()),
      this.alerting.addAlertSource(() => this.alerts()),
    );
    await this.alerting.start();
    await this.restore();
    this.notifiers = createNotifiers(this.settings.id, config, this.settings.metrics, this.logger);
    if (this.options.timer !== false && this.rules.length > 0) {
      this.timer = setInterval(() => this.evaluate(), config.interval).unref();
    }
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopped) {
      return Promise.reject(
        new RetryableError(`processor ${this.settings.id} is shutting down`, SHUTTING_DOWN),
      );
    }
    if (this.rules.length > 0) {
      const now = this.clock();
      // Redelivered spans were counted on their first delivery.
      const spans = batch.spans.some((span) => span.duplicate)
        ? batch.spans.filter((span) => !span.duplicate)
        : batch.spans;
      for (const rule of this.spanRules) rule.observe(spans, now);
      for (const rule of this.failureRules) rule.observe(batch.failures, now);
    }
    return this.next.consume(batch);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  async shutdown(deadline?: AbortSignal): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const remove of this.removeSources) remove();
    await Promise.all(this.notifiers.map((n) => n.shutdown(deadline)));
    await within(this.alerting.flush(), deadline);
    await this.ownAlerting?.shutdown(deadline);
  }

  /** One evaluation round of every rule; returns the transitions it made. */
  evaluate(now = this.clock()): AlertTransition[] {
    const started = performance.now();
    const transitions: AlertTransition[] = [];
    for (const rule of this.rules) {
      try {
        transitions.push(...rule.evaluate(now));
      } catch (error) {
        this.logger.error({ err: error, rule: rule.name }, 'alert rule evaluation failed');
      }
      this.metrics.groups.set({ alertname: rule.name }, rule.groupCount);
    }
    const assigned = this.alerting.record(transitions);
    for (const rule of this.rules) {
      for (const [fingerprint, incident] of assigned)
        rule.states.setIncident(fingerprint, incident);
    }
    for (const transition of transitions) {
      this.metrics.transitions.inc({ alertname: transition.alert.name, to: transition.state });
    }
    const update = {
      timeMs: now,
      intervalMs: this.settings.config.interval,
      transitions,
      active: [...this.alerts()],
    };
    for (const notifier of this.notifiers) notifier.notify(update);
    this.metrics.evaluations.inc({ processor: this.settings.id });
    this.metrics.evaluationDuration.set(
      { processor: this.settings.id },
      (performance.now() - started) / 1000,
    );
    return transitions;
  }

  /** Every alert the rules hold: pending, firing, and resolved ones still retained. */
  *alerts(): Iterable<Alert> {
    for (const rule of this.rules) yield* rule.states.alerts.values();
  }

  /**
   * Picks up pending and firing alerts stored before a restart, with their ActiveAt, so `for`
   * is not reset; they are held while the windows refill (one window, or the anomaly warm-up).
   */
  private async restore(): Promise<void> {
    if (this.rules.length === 0) return;
    let restored: Alert[];
    try {
      restored = await this.alerting.restoreAlerts(this.settings.config.restore_max_age);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not restore alert state; rules start empty');
      return;
    }
    const now = this.clock();
    const byName = new Map(this.rules.map((rule) => [rule.name, rule]));
    let count = 0;
    for (const alert of restored) {
      const rule = byName.get(alert.name);
      if (!rule) continue;
      rule.states.restore(alert, now + rule.refillMs(this.settings.config.interval));
      count++;
    }
    if (count > 0) this.logger.info({ alerts: count }, 'restored pending and firing alerts');
  }
}
