import type { AttributeValue, Attributes } from './attributes.js';
import type { InstrumentationScope, Resource } from './span.js';

/**
 * One OTLP log record. GenAI events (`gen_ai.client.inference.operation.details`,
 * `gen_ai.user.message`, `gen_ai.choice`, …) travel as log records carrying an event name and
 * the trace and span they belong to. Ids are lowercase hex, '' when the record names none.
 * `resource` and `scope` are shared by reference between records of one OTLP request.
 */
export interface LogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  /** OTLP `SeverityNumber`: 0 unspecified, 1–24 from TRACE to FATAL4. */
  severityNumber: number;
  severityText: string;
  /** The record's content; '' when it has none. */
  body: AttributeValue;
  attributes: Attributes;
  droppedAttributesCount: number;
  /** W3C trace flags in the low byte. */
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
  resource: Resource;
  scope: InstrumentationScope;
}

/** The `service.name` resource attribute, as the Collector's exporter reads it. */
export function logServiceName(record: LogRecord): string {
  const name = record.resource.attributes['service.name'];
  return typeof name === 'string' ? name : '';
}
