import {
  SPAN_KIND_WIRE_NAMES,
  STATUS_CODE_WIRE_NAMES,
  emptyRecord,
  type AttributeValue,
  type InstrumentationScope,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
} from '../../model/index.js';
import { PARENT_SPAN_ID_PROBLEM, requiredIdProblem, type Conversion } from './convert.js';
import { OtlpProtobufDecoder } from './protobuf-common.js';
import { FIXED32, FIXED64, LENGTH_DELIMITED, VARINT, tag } from './wire-reader.js';

const TRACE_ID = tag(1, LENGTH_DELIMITED);
const SPAN_ID = tag(2, LENGTH_DELIMITED);
const TRACE_STATE = tag(3, LENGTH_DELIMITED);
const PARENT_SPAN_ID = tag(4, LENGTH_DELIMITED);
const NAME = tag(5, LENGTH_DELIMITED);
const KIND = tag(6, VARINT);
const START_TIME = tag(7, FIXED64);
const END_TIME = tag(8, FIXED64);
const ATTRIBUTES = tag(9, LENGTH_DELIMITED);
const DROPPED_ATTRIBUTES = tag(10, VARINT);
const EVENTS = tag(11, LENGTH_DELIMITED);
const DROPPED_EVENTS = tag(12, VARINT);
const LINKS = tag(13, LENGTH_DELIMITED);
const DROPPED_LINKS = tag(14, VARINT);
const STATUS = tag(15, LENGTH_DELIMITED);
const FLAGS = tag(16, FIXED32);

const EVENT_TIME = tag(1, FIXED64);
const EVENT_NAME = tag(2, LENGTH_DELIMITED);
const EVENT_ATTRIBUTES = tag(3, LENGTH_DELIMITED);
const EVENT_DROPPED = tag(4, VARINT);

const LINK_TRACE_ID = tag(1, LENGTH_DELIMITED);
const LINK_SPAN_ID = tag(2, LENGTH_DELIMITED);
const LINK_TRACE_STATE = tag(3, LENGTH_DELIMITED);
const LINK_ATTRIBUTES = tag(4, LENGTH_DELIMITED);
const LINK_DROPPED = tag(5, VARINT);
const LINK_FLAGS = tag(6, FIXED32);

const STATUS_MESSAGE = tag(2, LENGTH_DELIMITED);
const STATUS_CODE = tag(3, VARINT);

/** The limit counters a span's parts may add to, saved so a rejected span's can be undone. */
interface Counters {
  truncatedValues: number;
  depthLimited: number;
  truncatedArrays: number;
  droppedAttributes: number;
}

/**
 * Decodes ExportTraceServiceRequest protobuf bytes straight into model spans: ids sliced to
 * hex, attribute keys interned, strings read once, 64-bit integers as bigint, no intermediate message objects. The
 * result (spans, rejections and their first reason, limit counts) is exactly what protobufjs
 * decoding followed by TraceConverter gives, which tests/receivers check by fuzzing; malformed
 * bytes throw MalformedRequest.
 */
export class TraceProtobufDecoder extends OtlpProtobufDecoder {
  private spans: Span[] = [];

  decode(body: Buffer): Conversion {
    this.spans = [];
    const { stats, rejected, firstRejection } = this.readRequest(body);
    const spans = this.spans;
    this.spans = [];
    return { spans, rejected, firstRejection, stats };
  }

  private counters(): Counters {
    const { truncatedValues, depthLimited, truncatedArrays, droppedAttributes } = this.stats;
    return { truncatedValues, depthLimited, truncatedArrays, droppedAttributes };
  }

  /** Adds what each counter grew by from `from` to `now` to `into`. */
  private static addSince(into: Counters, from: Counters, now: Counters): void {
    into.truncatedValues += now.truncatedValues - from.truncatedValues;
    into.depthLimited += now.depthLimited - from.depthLimited;
    into.truncatedArrays += now.truncatedArrays - from.truncatedArrays;
    into.droppedAttributes += now.droppedAttributes - from.droppedAttributes;
  }

  /** Whether the id in `from`..`to` is `bytes` long and not all zeros (the common case). */
  private validId(from: number, to: number, bytes: number): boolean {
    if (to - from !== bytes) return false;
    const buf = this.buf;
    for (let i = from; i < to; i++) if (buf[i] !== 0) return true;
    return false;
  }

  /**
   * Reads one span. A span with invalid ids is rejected as TraceConverter rejects it, and what
   * its parts added to the limit counters up to the point the converter would stop is kept.
   */
  protected override record(depth: number, resource: Resource, scope: InstrumentationScope): void {
    const limits = this.limits;
    const stats = this.stats;
    const { truncatedValues, depthLimited, truncatedArrays, droppedAttributes } = stats;
    const outer = this.enter(depth);
    let traceFrom = 0;
    let traceTo = 0;
    let spanFrom = 0;
    let spanTo = 0;
    let parentFrom = 0;
    let parentTo = 0;
    let traceState = '';
    let name = '';
    let kind = 0;
    let flags = 0;
    let startTime = 0n;
    let endTime = 0n;
    let droppedAttributesCount = 0;
    let droppedEventsCount = 0;
    let droppedLinksCount = 0;
    let statusCode = 0;
    let statusMessage = '';
    const attributes = emptyRecord<AttributeValue>();
    let attributesSeen = 0;
    const events: SpanEvent[] = [];
    let eventsSeen = 0;
    const links: SpanLink[] = [];
    let linksSeen = 0;
    /** The first invalid link's reason, and what links after it added (the converter stops). */
    let linkProblem: string | undefined;
    let afterProblem: Counters | undefined;
    while (this.pos < this.end) {
      const t = this.tag();
      switch (t) {
        case TRACE_ID:
          traceFrom = this.delimited();
          traceTo = this.pos;
          continue;
        case SPAN_ID:
          spanFrom = this.delimited();
          spanTo = this.pos;
          continue;
        case PARENT_SPAN_ID:
          parentFrom = this.delimited();
          parentTo = this.pos;
          continue;
        case TRACE_STATE:
          traceState = this.string();
          continue;
        case NAME:
          name = this.string();
          continue;
        case KIND:
          kind = this.int32();
          continue;
        case FLAGS:
          flags = this.fixed32();
          continue;
        case START_TIME:
          startTime = this.fixed64();
          continue;
        case END_TIME:
          endTime = this.fixed64();
          continue;
        case ATTRIBUTES:
          if (attributesSeen++ < limits.max_attributes_per_span)
            this.keyValue(depth + 1, 1, attributes);
          else this.skipDelimited();
          continue;
        case DROPPED_ATTRIBUTES:
          droppedAttributesCount = this.uint32();
          continue;
        case EVENTS:
          if (eventsSeen++ < limits.max_events_per_span) events.push(this.event(depth + 1));
          else this.skipDelimited();
          continue;
        case DROPPED_EVENTS:
          droppedEventsCount = this.uint32();
          continue;
        case LINKS:
          if (linksSeen++ < limits.max_links_per_span) {
            const before = afterProblem && this.counters();
            const link = this.link(depth + 1);
            if (before) TraceProtobufDecoder.addSince(afterProblem!, before, this.counters());
            if (typeof link !== 'string') links.push(link);
            else if (linkProblem === undefined) {
              linkProblem = link;
              afterProblem = {
                truncatedValues: 0,
                depthLimited: 0,
                truncatedArrays: 0,
                droppedAttributes: 0,
              };
            }
          } else this.skipDelimited();
          continue;
        case DROPPED_LINKS:
          droppedLinksCount = this.uint32();
          continue;
        case STATUS: {
          // Status parts merge: each field keeps its last value.
          const statusOuter = this.enter(depth + 1);
          while (this.pos < this.end) {
            const s = this.tag();
            if (s === STATUS_MESSAGE) statusMessage = this.string();
            else if (s === STATUS_CODE) statusCode = this.int32();
            else this.skipField(s, depth + 1);
          }
          this.leave(statusOuter);
          continue;
        }
      }
      this.skipField(t, depth);
    }
    this.leave(outer);

    const traceId = this.id(traceFrom, traceTo, 16);
    const spanId = this.id(spanFrom, spanTo, 8);
    const parentSpanId = this.id(parentFrom, parentTo, 8);
    const idsValid =
      this.validId(traceFrom, traceTo, 16) &&
      this.validId(spanFrom, spanTo, 8) &&
      parentSpanId !== null;
    const idProblem = idsValid
      ? undefined
      : (requiredIdProblem(traceId, 16, 'trace_id') ??
        requiredIdProblem(spanId, 8, 'span_id') ??
        PARENT_SPAN_ID_PROBLEM);
    if (idProblem !== undefined) {
      this.restoreCounters(truncatedValues, depthLimited, truncatedArrays, droppedAttributes);
      return this.reject(idProblem);
    }
    const attributesDropped = this.droppedOf(attributesSeen);
    if (linkProblem !== undefined) {
      const after = afterProblem!;
      stats.truncatedValues -= after.truncatedValues;
      stats.depthLimited -= after.depthLimited;
      stats.truncatedArrays -= after.truncatedArrays;
      stats.droppedAttributes -= after.droppedAttributes;
      return this.reject(linkProblem);
    }
    const eventsDropped = eventsSeen - events.length;
    const linksDropped = linksSeen - links.length;
    stats.droppedEvents += eventsDropped;
    stats.droppedLinks += linksDropped;
    const span: Span = {
      traceId: traceId!,
      spanId: spanId!,
      parentSpanId: parentSpanId!,
      traceState: this.limit(traceState),
      flags,
      name: this.limit(name),
      kind: (kind >= 0 && kind < SPAN_KIND_WIRE_NAMES.length ? kind : 0) as SpanKind,
      startTimeUnixNano: startTime,
      endTimeUnixNano: endTime,
      attributes,
      droppedAttributesCount: droppedAttributesCount + attributesDropped,
      events,
      droppedEventsCount: droppedEventsCount + eventsDropped,
      links,
      droppedLinksCount: droppedLinksCount + linksDropped,
      statusCode: (statusCode >= 0 && statusCode < STATUS_CODE_WIRE_NAMES.length
        ? statusCode
        : 0) as StatusCode,
      statusMessage: this.limit(statusMessage),
      resource,
      scope,
    };
    this.spans.push(span);
  }

  private event(depth: number): SpanEvent {
    const outer = this.enter(depth);
    let time = 0n;
    let name = '';
    let dropped = 0;
    const attributes = emptyRecord<AttributeValue>();
    let seen = 0;
    while (this.pos < this.end) {
      const t = this.tag();
      if (t === EVENT_TIME) time = this.fixed64();
      else if (t === EVENT_NAME) name = this.string();
      else if (t === EVENT_ATTRIBUTES) {
        if (seen++ < this.limits.max_attributes_per_span) this.keyValue(depth + 1, 1, attributes);
        else this.skipDelimited();
      } else if (t === EVENT_DROPPED) dropped = this.uint32();
      else this.skipField(t, depth);
    }
    this.leave(outer);
    return {
      timeUnixNano: time,
      name: this.limit(name),
      attributes,
      droppedAttributesCount: dropped + this.droppedOf(seen),
    };
  }

  /** One link, or the reason it is invalid (its attributes still counted, as the converter does). */
  private link(depth: number): SpanLink | string {
    const outer = this.enter(depth);
    let traceFrom = 0;
    let traceTo = 0;
    let spanFrom = 0;
    let spanTo = 0;
    let traceState = '';
    let dropped = 0;
    let flags = 0;
    const attributes = emptyRecord<AttributeValue>();
    let seen = 0;
    while (this.pos < this.end) {
      const t = this.tag();
      switch (t) {
        case LINK_TRACE_ID:
          traceFrom = this.delimited();
          traceTo = this.pos;
          continue;
        case LINK_SPAN_ID:
          spanFrom = this.delimited();
          spanTo = this.pos;
          continue;
        case LINK_TRACE_STATE:
          traceState = this.string();
          continue;
        case LINK_ATTRIBUTES:
          if (seen++ < this.limits.max_attributes_per_span) this.keyValue(depth + 1, 1, attributes);
          else this.skipDelimited();
          continue;
        case LINK_DROPPED:
          dropped = this.uint32();
          continue;
        case LINK_FLAGS:
          flags = this.fixed32();
          continue;
      }
      this.skipField(t, depth);
    }
    this.leave(outer);
    const droppedAttributes = this.droppedOf(seen);
    const traceId = this.id(traceFrom, traceTo, 16);
    const spanId = this.id(spanFrom, spanTo, 8);
    if (!this.validId(traceFrom, traceTo, 16) || !this.validId(spanFrom, spanTo, 8)) {
      return (
        requiredIdProblem(traceId, 16, 'link trace_id') ??
        requiredIdProblem(spanId, 8, 'link span_id')!
      );
    }
    return {
      traceId: traceId!,
      spanId: spanId!,
      traceState: this.limit(traceState),
      attributes,
      droppedAttributesCount: dropped + droppedAttributes,
      flags,
    };
  }
}
