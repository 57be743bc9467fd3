import type { InstrumentationScope, LogRecord, Resource, Span } from '../../model/index.js';
import type { StringRedactor } from './string-redactor.js';
import { RedactionTally, writeAudit } from './tally.js';
import type { ValueRedactor } from './value-redactor.js';

/**
 * Redacts every string a client controls in a span: name, status message, trace state,
 * attributes, event names and attributes, link trace states and attributes, and its resource
 * and scope. Spans of one request share their resource and scope objects, so those are
 * redacted once (remembered weakly) and their tally added to each span's audit.
 */
export class SpanRedactor {
  private readonly shared = new WeakMap<object, RedactionTally>();
  private readonly own = new RedactionTally();

  constructor(
    private readonly strings: StringRedactor,
    private readonly values: ValueRedactor,
  ) {}

  /**
   * Redacts `span` in place and writes its audit attributes. `total` receives each redaction
   * once — a shared resource's only when it is first redacted — for the metrics.
   */
  redact(span: Span, total: RedactionTally): void {
    const tally = this.own;
    tally.reset();
    span.name = this.strings.redact(span.name, '', tally);
    span.statusMessage = this.strings.redact(span.statusMessage, '', tally);
    span.traceState = this.strings.redact(span.traceState, 'tracestate', tally);
    this.values.attributes(span.attributes, tally);
    for (const event of span.events) {
      event.name = this.strings.redact(event.name, '', tally);
      this.values.attributes(event.attributes, tally);
    }
    for (const link of span.links) {
      link.traceState = this.strings.redact(link.traceState, 'tracestate', tally);
      this.values.attributes(link.attributes, tally);
    }
    total.addAll(tally);
    this.redactContext(span.resource, span.scope, total, tally);
    writeAudit(span.attributes, tally);
  }

  /**
   * Redacts a log record in place, as a span: its body (a string, or the leaves of a structured
   * body, whose member keys the key rules see), severity text, event name and attributes, and
   * its resource and scope. The audit attributes go on the record's attributes.
   */
  redactLog(record: LogRecord, total: RedactionTally): void {
    const tally = this.own;
    tally.reset();
    record.body = this.values.value(record.body, '', tally);
    record.severityText = this.strings.redact(record.severityText, '', tally);
    record.eventName = this.strings.redact(record.eventName, '', tally);
    this.values.attributes(record.attributes, tally);
    total.addAll(tally);
    this.redactContext(record.resource, record.scope, total, tally);
    writeAudit(record.attributes, tally);
  }

  /** A resource and scope, shared between the records of one request: redacted once each. */
  private redactContext(
    resource: Resource,
    scope: InstrumentationScope,
    total: RedactionTally,
    tally: RedactionTally,
  ): void {
    tally.addAll(
      this.sharedOnce(resource, total, (t) => this.values.attributes(resource.attributes, t)),
    );
    tally.addAll(
      this.sharedOnce(scope, total, (t) => {
        scope.name = this.strings.redact(scope.name, 'scope.name', t);
        scope.version = this.strings.redact(scope.version, 'scope.version', t);
        this.values.attributes(scope.attributes, t);
      }),
    );
  }

  private sharedOnce(
    owner: object,
    total: RedactionTally,
    redact: (tally: RedactionTally) => void,
  ): RedactionTally {
    let tally = this.shared.get(owner);
    if (!tally) {
      tally = new RedactionTally();
      redact(tally);
      this.shared.set(owner, tally);
      total.addAll(tally);
    }
    return tally;
  }
}
