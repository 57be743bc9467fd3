import {
  KeyValueList,
  SPAN_KIND_WIRE_NAMES,
  STATUS_CODE_WIRE_NAMES,
  emptyRecord,
  type AttributeValue,
  type Attributes,
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
} from '../../model/index.js';
import { PermanentError } from '../../pipeline/errors.js';
import type { OtlpLimits } from './config.js';
import type { WireEncoding } from './wire.js';

/** Stands in for a value nested deeper than `max_value_depth`. */
export const DEPTH_LIMIT_MARKER = '[faultline: value nested too deep]';

/** What the limits changed in one request; the receiver turns it into counters once. */
export interface LimitStats {
  truncatedValues: number;
  droppedAttributes: number;
  droppedEvents: number;
  droppedLinks: number;
  depthLimited: number;
  /** Array values and kvlists cut to `max_array_elements`. */
  truncatedArrays: number;
}

export interface Conversion {
  spans: Span[];
  rejected: number;
  /** The first rejection's reason, for OTLP `partial_success.error_message`. */
  firstRejection: string;
  stats: LimitStats;
}

/** Code of a request that is not OTLP; answered 400 / INVALID_ARGUMENT. */
export const MALFORMED = 'malformed';

/** The request's structure is not OTLP (wrong types where arrays or objects belong). */
export class MalformedRequest extends PermanentError {
  constructor(message: string) {
    super(message, MALFORMED);
  }
}

export type Raw = Record<string, unknown>;

export function list(value: unknown, what: string): unknown[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value;
  throw new MalformedRequest(`${what} must be a list`);
}

export function record(value: unknown, what: string): Raw {
  if (value == null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Raw;
  throw new MalformedRequest(`${what} must be an object`);
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A uint32 (counts, flags); the protobuf JSON mapping also allows it as a decimal string. */
export function count(value: unknown): number {
  const number = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' &&
    Number.isInteger(number) &&
    number >= 0 &&
    number <= 0xffffffff
    ? number
    : 0;
}

/** One record (span, log record) is invalid: it is rejected and counted, the rest go on. */
export class RecordRejected extends Error {}

export const emptyLimitStats = (): LimitStats => ({
  truncatedValues: 0,
  droppedAttributes: 0,
  droppedEvents: 0,
  droppedLinks: 0,
  depthLimited: 0,
  truncatedArrays: 0,
});

/**
 * What converting any OTLP signal shares: resources, scopes, attributes and values, bounded
 * by `limits`, with what the limits cut counted in the request's stats.
 */
export class OtlpConverter {
  constructor(
    protected readonly encoding: WireEncoding,
    protected readonly limits: OtlpLimits,
  ) {}

  /** The resource of a `resourceSpans[]` or `resourceLogs[]` entry. */
  protected resource(entry: Raw, stats: LimitStats): Resource {
    const rawResource = record(entry.resource, 'resource');
    const { attributes, dropped } = this.boundedAttributes(rawResource.attributes, stats);
    return {
      attributes,
      droppedAttributesCount: count(rawResource.droppedAttributesCount) + dropped,
      schemaUrl: this.limitString(text(entry.schemaUrl), stats),
    };
  }

  /** The scope of a `scopeSpans[]` or `scopeLogs[]` entry. */
  protected scope(entry: Raw, stats: LimitStats): InstrumentationScope {
    const rawScope = record(entry.scope, 'scope');
    const { attributes, dropped } = this.boundedAttributes(rawScope.attributes, stats);
    return {
      name: this.limitString(text(rawScope.name), stats),
      version: this.limitString(text(rawScope.version), stats),
      attributes,
      droppedAttributesCount: count(rawScope.droppedAttributesCount) + dropped,
      schemaUrl: this.limitString(text(entry.schemaUrl), stats),
    };
  }

  protected requiredId(raw: unknown, bytes: number, field: string): string {
    const id = this.encoding.id(raw, bytes);
    const problem = requiredIdProblem(id, bytes, field);
    if (problem !== undefined) throw new RecordRejected(problem);
    return id!;
  }

  protected enumOrZero(raw: unknown, names: readonly string[]): number {
    const value = this.encoding.enumValue(raw, names);
    return value !== null && value >= 0 && value < names.length ? value : 0;
  }

  protected boundedAttributes(
    raw: unknown,
    stats: LimitStats,
  ): { attributes: Attributes; dropped: number } {
    const attributes = emptyRecord<AttributeValue>();
    const items = list(raw, 'attributes');
    const kept = Math.min(items.length, this.limits.max_attributes_per_span);
    for (let i = 0; i < kept; i++) {
      const kv = record(items[i], 'attributes[]');
      const key = this.limitString(text(kv.key), stats);
      attributes[key] = this.anyValue(kv.value, 1, stats);
    }
    const dropped = items.length - kept;
    stats.droppedAttributes += dropped;
    return { attributes, dropped };
  }

  /** `depth` counts containers: an attribute's own array or kvlist is at depth 1. */
  protected anyValue(rawValue: unknown, depth: number, stats: LimitStats): AttributeValue {
    if (rawValue == null) return '';
    const raw = record(rawValue, 'value');
    if (Object.hasOwn(raw, 'stringValue')) return this.limitString(text(raw.stringValue), stats);
    if (Object.hasOwn(raw, 'boolValue')) return raw.boolValue === true;
    if (Object.hasOwn(raw, 'intValue')) {
      const value = this.encoding.int64(raw.intValue);
      // As the Collector does: an int_value that is not a 64-bit integer makes the request invalid.
      if (value === null)
        throw new MalformedRequest(`intValue ${describe(raw.intValue)} is not a 64-bit integer`);
      return value;
    }
    if (Object.hasOwn(raw, 'doubleValue')) return doubleOf(raw.doubleValue);
    if (Object.hasOwn(raw, 'bytesValue')) {
      const bytes = this.encoding.bytes(raw.bytesValue) ?? new Uint8Array();
      if (bytes.length <= this.limits.max_attribute_value_length) return bytes;
      stats.truncatedValues++;
      return bytes.subarray(0, this.limits.max_attribute_value_length);
    }
    const nested = Object.hasOwn(raw, 'arrayValue')
      ? 'array'
      : Object.hasOwn(raw, 'kvlistValue')
        ? 'kvlist'
        : '';
    if (!nested) return '';
    if (depth > this.limits.max_value_depth) {
      stats.depthLimited++;
      return DEPTH_LIMIT_MARKER;
    }
    const max = this.limits.max_array_elements;
    if (nested === 'array') {
      const values = list(record(raw.arrayValue, 'arrayValue').values, 'arrayValue.values');
      if (values.length > max) stats.truncatedArrays++;
      const kept: AttributeValue[] = [];
      for (let i = 0; i < values.length && i < max; i++)
        kept.push(this.anyValue(values[i], depth + 1, stats));
      return kept;
    }
    const entries = emptyRecord<AttributeValue>();
    const items = list(record(raw.kvlistValue, 'kvlistValue').values, 'kvlistValue.values');
    if (items.length > max) stats.truncatedArrays++;
    for (let i = 0; i < items.length && i < max; i++) {
      const kv = record(items[i], 'kvlistValue.values[]');
      entries[this.limitString(text(kv.key), stats)] = this.anyValue(kv.value, depth + 1, stats);
    }
    return new KeyValueList(entries);
  }

  protected limitString(value: string, stats: LimitStats): string {
    return limitString(value, this.limits.max_attribute_value_length, stats);
  }
}

/** `value` cut to `max` UTF-16 units (counted in `stats` when cut). */
export function limitString(value: string, max: number, stats: LimitStats): string {
  if (value.length <= max) return value;
  stats.truncatedValues++;
  // Do not leave half of a surrogate pair at the cut.
  const cut = /[\uD800-\uDBFF]/.test(value[max - 1]!) ? max - 1 : max;
  return value.slice(0, cut);
}

/** Why a required id (lowercase hex, '' when absent, null when of the wrong length) is refused. */
export function requiredIdProblem(
  id: string | null,
  bytes: number,
  field: string,
): string | undefined {
  if (id === null) return `${field} must be ${bytes} bytes`;
  if (id === '' || /^0+$/.test(id)) return `${field} must not be empty or all zeros`;
  return undefined;
}

/** The reason an optional parent span id is refused. */
export const PARENT_SPAN_ID_PROBLEM = 'parent_span_id must be empty or 8 bytes';

/**
 * Converts one decoded ExportTraceServiceRequest into model spans. Spans with invalid ids or
 * timestamps are rejected (counted for `partial_success`); everything a client controls is
 * bounded by `limits`, and what the limits cut is counted.
 */
export class TraceConverter extends OtlpConverter {
  convert(request: unknown): Conversion {
    const stats = emptyLimitStats();
    const result: Conversion = { spans: [], rejected: 0, firstRejection: '', stats };
    const resourceSpans = list(record(request, 'the request').resourceSpans, 'resourceSpans');
    for (const rawResourceSpans of resourceSpans) {
      const rs = record(rawResourceSpans, 'resourceSpans[]');
      const resource = this.resource(rs, stats);
      for (const rawScopeSpans of list(rs.scopeSpans, 'scopeSpans')) {
        const ss = record(rawScopeSpans, 'scopeSpans[]');
        const scope = this.scope(ss, stats);
        for (const rawSpan of list(ss.spans, 'spans')) {
          try {
            result.spans.push(this.span(record(rawSpan, 'spans[]'), resource, scope, stats));
          } catch (error) {
            if (!(error instanceof RecordRejected)) throw error;
            if (result.rejected === 0) result.firstRejection = error.message;
            result.rejected++;
          }
        }
      }
    }
    return result;
  }

  private span(raw: Raw, resource: Resource, scope: InstrumentationScope, stats: LimitStats): Span {
    const traceId = this.requiredId(raw.traceId, 16, 'trace_id');
    const spanId = this.requiredId(raw.spanId, 8, 'span_id');
    const parentSpanId = this.encoding.id(raw.parentSpanId, 8);
    if (parentSpanId === null) throw new RecordRejected(PARENT_SPAN_ID_PROBLEM);
    const start = this.encoding.uint64(raw.startTimeUnixNano);
    const end = this.encoding.uint64(raw.endTimeUnixNano);
    if (start === null || end === null) {
      throw new RecordRejected(
        'start_time_unix_nano and end_time_unix_nano must be unsigned 64-bit integers',
      );
    }
    const status = record(raw.status, 'status');
    const { attributes, dropped } = this.boundedAttributes(raw.attributes, stats);
    const rawEvents = list(raw.events, 'events');
    const rawLinks = list(raw.links, 'links');
    const events = rawEvents
      .slice(0, this.limits.max_events_per_span)
      .map((e) => this.event(e, stats));
    const links = rawLinks.slice(0, this.limits.max_links_per_span).map((l) => this.link(l, stats));
    stats.droppedEvents += rawEvents.length - events.length;
    stats.droppedLinks += rawLinks.length - links.length;
    return {
      traceId,
      spanId,
      parentSpanId,
      traceState: this.limitString(text(raw.traceState), stats),
      flags: count(raw.flags),
      name: this.limitString(text(raw.name), stats),
      kind: this.enumOrZero(raw.kind, SPAN_KIND_WIRE_NAMES) as SpanKind,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      attributes,
      droppedAttributesCount: count(raw.droppedAttributesCount) + dropped,
      events,
      droppedEventsCount: count(raw.droppedEventsCount) + rawEvents.length - events.length,
      links,
      droppedLinksCount: count(raw.droppedLinksCount) + rawLinks.length - links.length,
      statusCode: this.enumOrZero(status.code, STATUS_CODE_WIRE_NAMES) as StatusCode,
      statusMessage: this.limitString(text(status.message), stats),
      resource,
      scope,
    };
  }

  private event(rawEvent: unknown, stats: LimitStats): SpanEvent {
    const raw = record(rawEvent, 'events[]');
    const time = this.encoding.uint64(raw.timeUnixNano);
    if (time === null)
      throw new RecordRejected('event time_unix_nano must be an unsigned 64-bit integer');
    const { attributes, dropped } = this.boundedAttributes(raw.attributes, stats);
    return {
      timeUnixNano: time,
      name: this.limitString(text(raw.name), stats),
      attributes,
      droppedAttributesCount: count(raw.droppedAttributesCount) + dropped,
    };
  }

  private link(rawLink: unknown, stats: LimitStats): SpanLink {
    const raw = record(rawLink, 'links[]');
    const { attributes, dropped } = this.boundedAttributes(raw.attributes, stats);
    return {
      traceId: this.requiredId(raw.traceId, 16, 'link trace_id'),
      spanId: this.requiredId(raw.spanId, 8, 'link span_id'),
      traceState: this.limitString(text(raw.traceState), stats),
      attributes,
      droppedAttributesCount: count(raw.droppedAttributesCount) + dropped,
      flags: count(raw.flags),
    };
  }
}

/**
 * A client's value for an error message: short, and never stringified whole (a deeply nested
 * array would overflow the stack in String(), and a huge one would bloat the answer).
 */
function describe(raw: unknown): string {
  if (typeof raw === 'string')
    return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (raw === null) return 'null';
  return Array.isArray(raw) ? 'given as an array' : `given as ${typeof raw}`;
}

/** Doubles arrive as numbers, or in JSON also as "NaN", "Infinity", "-Infinity". */
function doubleOf(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (raw === 'NaN') return NaN;
  if (raw === 'Infinity') return Infinity;
  if (raw === '-Infinity') return -Infinity;
  if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw)))
    return Number(raw);
  return 0;
}
