import type { Attributes } from './attributes.js';
import type { Failure } from './failure.js';
import type { StepInfo } from './step.js';

/** OTLP `Span.SpanKind` numbers. */
export const SpanKind = {
  Unspecified: 0,
  Internal: 1,
  Server: 2,
  Client: 3,
  Producer: 4,
  Consumer: 5,
} as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** OTLP `Status.StatusCode` numbers. */
export const StatusCode = {
  Unset: 0,
  Ok: 1,
  Error: 2,
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

/** Names as the Collector's ClickHouse exporter stores them (pdata's `String()`). */
export const SPAN_KIND_NAMES: readonly string[] = [
  'Unspecified',
  'Internal',
  'Server',
  'Client',
  'Producer',
  'Consumer',
];
export const STATUS_CODE_NAMES: readonly string[] = ['Unset', 'Ok', 'Error'];

/**
 * The protobuf enum value names, as OTLP/JSON may send them and as the spanmetrics connector
 * writes its `span.kind` and `status.code` labels.
 */
export const SPAN_KIND_WIRE_NAMES: readonly string[] = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
export const STATUS_CODE_WIRE_NAMES: readonly string[] = [
  'STATUS_CODE_UNSET',
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
];

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
}

/**
 * One span, the single in-memory representation every component shares.
 * Ids are lowercase hex (32 and 16 characters); `parentSpanId` is '' for a root span.
 * `resource` and `scope` are shared by reference between spans of one OTLP request.
 */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  statusCode: StatusCode;
  statusMessage: string;
  resource: Resource;
  scope: InstrumentationScope;
  /** Set by the assemble processor: the span understood as an agent step. */
  step?: StepInfo;
  /** Set by the classify processor: this span's failures ([] when it did not fail). */
  failures?: Failure[];
  /**
   * Set by the assemble processor when this span (same trace and span id) was delivered before:
   * it is stored again as received, but counted nowhere else (steps, failures, alerts, metrics).
   */
  duplicate?: boolean;
}

/** The `service.name` resource attribute, as the Collector's exporter reads it. */
export function serviceNameOf(span: Span): string {
  const name = span.resource.attributes['service.name'];
  return typeof name === 'string' ? name : '';
}
