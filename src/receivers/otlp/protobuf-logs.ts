import {
  emptyRecord,
  type AttributeValue,
  type InstrumentationScope,
  type LogRecord,
  type Resource,
} from '../../model/index.js';
import {
  SEVERITY_NUMBER_WIRE_NAMES,
  optionalIdProblem,
  type LogConversion,
} from './convert-logs.js';
import { OtlpProtobufDecoder, ValueParts } from './protobuf-common.js';
import { FIXED32, FIXED64, LENGTH_DELIMITED, VARINT, tag } from './wire-reader.js';

const TIME = tag(1, FIXED64);
const SEVERITY_NUMBER = tag(2, VARINT);
const SEVERITY_TEXT = tag(3, LENGTH_DELIMITED);
const BODY = tag(5, LENGTH_DELIMITED);
const ATTRIBUTES = tag(6, LENGTH_DELIMITED);
const DROPPED_ATTRIBUTES = tag(7, VARINT);
const FLAGS = tag(8, FIXED32);
const TRACE_ID = tag(9, LENGTH_DELIMITED);
const SPAN_ID = tag(10, LENGTH_DELIMITED);
const OBSERVED_TIME = tag(11, FIXED64);
const EVENT_NAME = tag(12, LENGTH_DELIMITED);

/**
 * Decodes ExportLogsServiceRequest protobuf bytes straight into model log records, as
 * TraceProtobufDecoder does spans; the result is exactly what protobufjs decoding followed by
 * LogConverter gives (tests/receivers check it by fuzzing).
 */
export class LogProtobufDecoder extends OtlpProtobufDecoder {
  private logs: LogRecord[] = [];
  /** The body's parts: it may arrive in several, which protobuf merges. */
  private readonly body = new ValueParts();

  decode(body: Buffer): LogConversion {
    this.logs = [];
    const { stats, rejected, firstRejection } = this.readRequest(body);
    this.body.reset();
    const logs = this.logs;
    this.logs = [];
    return { logs, rejected, firstRejection, stats };
  }

  protected override record(depth: number, resource: Resource, scope: InstrumentationScope): void {
    const stats = this.stats;
    const { truncatedValues, depthLimited, truncatedArrays, droppedAttributes } = stats;
    const outer = this.enter(depth);
    const body = this.body;
    body.reset();
    let time = 0n;
    let observed = 0n;
    let severityNumber = 0;
    let severityText = '';
    let eventName = '';
    let flags = 0;
    let dropped = 0;
    let traceFrom = 0;
    let traceTo = 0;
    let spanFrom = 0;
    let spanTo = 0;
    const attributes = emptyRecord<AttributeValue>();
    let seen = 0;
    while (this.pos < this.end) {
      const t = this.tag();
      switch (t) {
        case TIME:
          time = this.fixed64();
          continue;
        case OBSERVED_TIME:
          observed = this.fixed64();
          continue;
        case SEVERITY_NUMBER:
          severityNumber = this.int32();
          continue;
        case SEVERITY_TEXT:
          severityText = this.string();
          continue;
        case BODY: {
          const bodyOuter = this.enter(depth + 1);
          this.anyValueFields(body, depth + 1, 1);
          this.leave(bodyOuter);
          continue;
        }
        case ATTRIBUTES:
          if (seen++ < this.limits.max_attributes_per_span) this.keyValue(depth + 1, 1, attributes);
          else this.skipDelimited();
          continue;
        case DROPPED_ATTRIBUTES:
          dropped = this.uint32();
          continue;
        case FLAGS:
          flags = this.fixed32();
          continue;
        case TRACE_ID:
          traceFrom = this.delimited();
          traceTo = this.pos;
          continue;
        case SPAN_ID:
          spanFrom = this.delimited();
          spanTo = this.pos;
          continue;
        case EVENT_NAME:
          eventName = this.string();
          continue;
      }
      this.skipField(t, depth);
    }
    this.leave(outer);
    const traceId = this.id(traceFrom, traceTo, 16);
    const spanId = this.id(spanFrom, spanTo, 8);
    if (traceId === null || spanId === null) {
      this.restoreCounters(truncatedValues, depthLimited, truncatedArrays, droppedAttributes);
      this.reject(
        traceId === null ? optionalIdProblem('trace_id', 16) : optionalIdProblem('span_id', 8),
      );
      return;
    }
    this.logs.push({
      timeUnixNano: time,
      observedTimeUnixNano: observed,
      severityNumber:
        severityNumber >= 0 && severityNumber < SEVERITY_NUMBER_WIRE_NAMES.length
          ? severityNumber
          : 0,
      severityText: this.limit(severityText),
      body: this.valueFrom(body, 1),
      attributes,
      droppedAttributesCount: dropped + this.droppedOf(seen),
      flags,
      traceId: /^0*$/.test(traceId) ? '' : traceId,
      spanId: /^0*$/.test(spanId) ? '' : spanId,
      eventName: this.limit(eventName),
      resource,
      scope,
    });
  }
}
