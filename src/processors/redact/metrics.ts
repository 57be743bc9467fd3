import { Counter, type Registry } from 'prom-client';
import { perRegistry } from '../../telemetry/per-registry.js';

/** Self-metrics of the redact processor, declared in one place. Labels never hold a value. */
export class RedactMetrics {
  static readonly for = perRegistry((registry) => new RedactMetrics(registry));

  readonly redactions: Counter<'entity'>;
  readonly failedSpans: Counter;
  readonly failedLogRecords: Counter;

  private constructor(registry: Registry) {
    this.redactions = new Counter({
      name: 'faultline_redactions_total',
      help: 'Values redacted, by entity (email, phone, credit_card, …, blocked_key, hashed_key, disallowed_key, or a custom detector).',
      labelNames: ['entity'],
      registers: [registry],
    });
    this.failedSpans = new Counter({
      name: 'faultline_redaction_failed_spans_total',
      help: 'Spans dropped because redacting them failed: a span that cannot be redacted is not passed on.',
      registers: [registry],
    });
    this.failedLogRecords = new Counter({
      name: 'faultline_redaction_failed_log_records_total',
      help: 'Log records dropped because redacting them failed, as for spans.',
      registers: [registry],
    });
  }
}
