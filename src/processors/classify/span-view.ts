import {
  StatusCode,
  serviceNameOf,
  type AttributeValue,
  type Span,
  type SpanEvent,
  type StepInfo,
  type StepType,
} from '../../model/index.js';
import { numberOf } from './values.js';

const LANGFUSE_LEVEL = 'langfuse.observation.level';
const LANGFUSE_STATUS_MESSAGE = 'langfuse.observation.status_message';

const EXCEPTION_EVENT = 'exception';

/**
 * One span as the span rules see it. The classifier keeps a single view and loads each span
 * into it, so derived values (duration, error text, the exception event) are computed at most
 * once per span however many rules ask, and no object is allocated per span.
 */
export class SpanView {
  span!: Span;
  /** Undefined when no assemble processor ran before classify. */
  step: StepInfo | undefined;
  stepType: StepType = 'span';
  /**
   * What the condition that matched last found (e.g. which JSON Schema rule failed), for the
   * `{match.detail}` template field. Reset before each rule is evaluated.
   */
  detail = '';

  private duration: number | undefined;
  private error: string | undefined;
  private exception: SpanEvent | null | undefined;
  private httpStatusCode: number | undefined;

  load(span: Span): this {
    this.span = span;
    this.step = span.step;
    this.stepType = span.step?.type ?? 'span';
    this.detail = '';
    this.duration = undefined;
    this.error = undefined;
    this.exception = undefined;
    this.httpStatusCode = undefined;
    return this;
  }

  get service(): string {
    return serviceNameOf(this.span);
  }

  /**
   * The span's status as rules see it. Langfuse reports a failed observation only as
   * `langfuse.observation.level = ERROR` (its OTel status stays Unset), so that counts as Error;
   * the stored StatusCode stays what the client sent.
   */
  get statusCode(): number {
    if (this.span.statusCode !== StatusCode.Unset) return this.span.statusCode;
    return this.span.attributes[LANGFUSE_LEVEL] === 'ERROR' ? StatusCode.Error : StatusCode.Unset;
  }

  /** The status message, or Langfuse's `langfuse.observation.status_message`. */
  get statusMessage(): string {
    const langfuse = this.span.attributes[LANGFUSE_STATUS_MESSAGE];
    return this.span.statusMessage || (typeof langfuse === 'string' ? langfuse : '');
  }

  /** Milliseconds from start to end; 0 when the end is before the start. */
  get durationMs(): number {
    if (this.duration === undefined) {
      const ns = this.span.endTimeUnixNano - this.span.startTimeUnixNano;
      this.duration = ns > 0n ? Number(ns) / 1e6 : 0;
    }
    return this.duration;
  }

  /**
   * The HTTP response status, under the current attribute name or the old one; NaN when the
   * span has none. Several built-in rules read it, so it is looked up once per span.
   */
  get httpStatus(): number {
    if (this.httpStatusCode === undefined) {
      const { attributes } = this.span;
      const value = attributes['http.response.status_code'] ?? attributes['http.status_code'];
      this.httpStatusCode = value === undefined ? Number.NaN : numberOf(value);
    }
    return this.httpStatusCode;
  }

  /** The first `exception` event, if any. */
  get exceptionEvent(): SpanEvent | undefined {
    if (this.exception === undefined) {
      this.exception = this.span.events.find((e) => e.name === EXCEPTION_EVENT) ?? null;
    }
    return this.exception ?? undefined;
  }

  /**
   * `exception.type` / `.message` / `.stacktrace`: from span attributes when an SDK put them
   * there, else from the first exception event, where the conventions put them.
   */
  exceptionAttribute(key: string): AttributeValue | undefined {
    return this.span.attributes[key] ?? this.exceptionEvent?.attributes[key];
  }

  /**
   * Everything the span says about an error, one item a line: status message, `error.type`,
   * `error.message`, exception type and message. '' for a span that reports no error, so
   * rules that look for error causes cost next to nothing on healthy spans.
   */
  get errorText(): string {
    if (this.error === undefined) {
      const { attributes } = this.span;
      // Built by concatenation: most spans have no error, and then nothing is allocated.
      let text = this.statusMessage;
      for (const value of [
        attributes['error.type'],
        attributes['error.message'],
        this.exceptionAttribute('exception.type'),
        this.exceptionAttribute('exception.message'),
      ]) {
        if (typeof value === 'string' && value !== '') text = text ? `${text}\n${value}` : value;
      }
      this.error = text;
    }
    return this.error;
  }
}
