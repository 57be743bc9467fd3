import type { Logger } from 'pino';
import type { Failure, TelemetryBatch } from '../../model/index.js';
import type { ComponentSettings, Processor, TelemetryConsumer } from '../../pipeline/component.js';
import { RetryableError, SHUTTING_DOWN, errorMessage } from '../../pipeline/errors.js';
import { Classifier } from './classifier.js';
import type { ClassifyConfig } from './config.js';
import { LabelLimiter } from '../../telemetry/label-limit.js';
import { ClassifyMetrics } from './metrics.js';
import { assignRootCauses } from './root-cause.js';
import { compileRuleSet } from './rule-set.js';

/**
 * Classifies failures (SPEC §5.3): span rules on every span of a batch as it passes, trace
 * rules on every assembled trace. Failures are attached to their span or trace and added to
 * the batch's `failures`, which is then handed on. The rules are compiled once, here.
 */
export class ClassifyProcessor implements Processor {
  private readonly classifier: Classifier;
  private readonly metrics: ClassifyMetrics;
  private readonly services: LabelLimiter;
  private readonly logger: Logger;
  private readonly id: string;
  /** Rules that have thrown, so each is logged once rather than once per span. */
  private readonly failingRules = new Set<string>();
  private stopped = false;

  constructor(
    settings: ComponentSettings<ClassifyConfig>,
    private readonly next: TelemetryConsumer,
  ) {
    this.id = settings.id;
    this.logger = settings.logger;
    this.metrics = ClassifyMetrics.for(settings.metrics);
    this.services = new LabelLimiter(
      settings.metrics,
      'faultline_failures_total',
      'service',
      settings.config.metrics.max_services,
    );
    this.classifier = new Classifier(compileRuleSet(settings.config), (rule, error) =>
      this.ruleFailed(rule, error),
    );
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopped) {
      return Promise.reject(
        new RetryableError(`processor ${this.id} is shutting down`, SHUTTING_DOWN),
      );
    }
    for (const span of batch.spans) {
      // A redelivered span's failures were found on its first delivery.
      if (!span.duplicate) this.add(batch, this.classifier.classifySpan(span));
    }
    // After the spans, so trace rules see this batch's span failures on the steps.
    for (const trace of batch.traces) {
      this.add(batch, this.classifier.classifyTrace(trace));
      this.revise(batch, assignRootCauses(trace));
    }
    return this.next.consume(batch);
  }

  flush(): Promise<void> {
    return this.next.flush();
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  private add(batch: TelemetryBatch, found: readonly Failure[]): void {
    for (const failure of found) {
      batch.failures.push(failure);
      this.metrics.failures.inc({
        service: this.services.value(failure.serviceName),
        class: failure.failureClass,
        severity: failure.severity,
      });
    }
  }

  /** Failures whose cause changed are stored again, as revisions of their capture. */
  private revise(batch: TelemetryBatch, revised: Failure[]): void {
    if (revised.length > 0) (batch.revisedFailures ??= []).push(...revised);
  }

  private ruleFailed(rule: string, error: unknown): void {
    this.metrics.ruleErrors.inc({ processor: this.id, rule });
    if (this.failingRules.has(rule)) return;
    this.failingRules.add(rule);
    this.logger.warn(
      { rule, err: errorMessage(error) },
      'a classification rule threw; it is skipped where it does (counted in faultline_classify_rule_errors_total)',
    );
  }
}
