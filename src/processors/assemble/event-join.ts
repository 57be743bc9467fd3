import {
  emptyRecord,
  type AttributeValue,
  type Attributes,
  type LogRecord,
  type StepInfo,
  type StepType,
  type TraceStep,
} from '../../model/index.js';
import { INPUT_MESSAGES, OUTPUT_MESSAGES } from './convert/conventions/gen-ai.js';
import type { Previews } from './convert/fields/previews.js';
import { isRecord, structured } from './convert/values.js';

/**
 * GenAI events joined to their span by span id, so message content carried only in events
 * (the newer conventions put it there rather than on the span) reaches the step's previews and
 * finish reasons, which classification, the trace document and exports read.
 *
 * - An event that arrives before its span is held until the span is converted.
 * - An event that arrives after its span updates the step still being assembled.
 *
 * Both maps are bounded (held content by bytes, remembered steps by count); the oldest entry
 * goes first. Records arrive redacted, as everything downstream of the redact processor.
 */

const OPERATION_DETAILS = 'gen_ai.client.inference.operation.details';
/** Per-message events of the earlier conventions, and the role each stands for. */
const MESSAGE_ROLES: Readonly<Record<string, string>> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};
const CHOICE = 'gen_ai.choice';

/** What the events of one span said, in the shape of the span attributes that carry it. */
interface EventContent {
  input: unknown[];
  output: unknown[];
  finishReasons: string[];
  /** Approximate size, for the byte bound. */
  bytes: number;
}

/**
 * A converted step, what its span said itself (fields events never replace), and the event
 * content joined to it so far: none until an event comes, as for most remembered steps.
 */
interface JoinedStep {
  step: StepInfo;
  traceStep: TraceStep;
  content: EventContent | undefined;
  ownInput: boolean;
  ownOutput: boolean;
  ownFinishReasons: boolean;
}

export interface EventJoinOptions {
  /** Bytes of event content held for spans not yet seen. */
  maxPendingBytes: number;
  /** Steps remembered for events that arrive after their span. */
  maxRememberedSteps: number;
  previews: (attributes: Attributes) => Readonly<Previews>;
}

export class GenAiEventJoin {
  /** Content of spans not yet seen, oldest first. */
  private readonly pending = new Map<string, EventContent>();
  private pendingBytes = 0;
  /** Steps converted recently, oldest first, with the content joined to them so far. */
  private readonly steps = new Map<string, JoinedStep>();

  constructor(private readonly options: EventJoinOptions) {}

  /** Takes the GenAI events among `records`; other records are left alone. */
  addEvents(records: readonly LogRecord[]): void {
    for (const record of records) {
      if (!record.spanId) continue;
      const content = eventContent(record);
      if (!content) continue;
      const key = spanKey(record.traceId, record.spanId);
      const known = this.steps.get(key);
      if (known) {
        if (known.content) merge(known.content, content);
        else known.content = content;
        this.fill(known, known.content);
      } else {
        this.hold(key, content);
      }
    }
  }

  /**
   * Fills the empty previews and finish reasons of a span's step from events held for it, and
   * remembers the step for events still to come.
   */
  joinSpan(traceId: string, spanId: string, step: StepInfo, traceStep: TraceStep): void {
    const key = spanKey(traceId, spanId);
    const joined: JoinedStep = {
      step,
      traceStep,
      content: this.pending.get(key),
      ownInput: step.inputPreview !== '',
      ownOutput: step.outputPreview !== '',
      ownFinishReasons: step.finishReasons.length > 0,
    };
    if (joined.content) {
      this.pending.delete(key);
      this.pendingBytes -= joined.content.bytes;
      this.fill(joined, joined.content);
    }
    this.steps.delete(key);
    // Remembered only where a late event could still fill something in: GenAI events describe
    // model calls, and a span that carries its input, output and finish reasons itself (most
    // model calls under current instrumentations) leaves them nothing to add.
    if (!EVENT_STEP_TYPES.has(step.type)) return;
    if (joined.ownInput && joined.ownOutput && joined.ownFinishReasons) return;
    this.steps.set(key, joined);
    if (this.steps.size > this.options.maxRememberedSteps) forgetOldest(this.steps);
  }

  get heldSpans(): number {
    return this.pending.size;
  }

  private hold(key: string, content: EventContent): void {
    const held = this.pending.get(key);
    if (held) {
      this.pendingBytes -= held.bytes;
      merge(held, content);
    }
    const entry = held ?? content;
    this.pendingBytes += entry.bytes;
    this.pending.set(key, entry);
    if (this.pendingBytes <= this.options.maxPendingBytes) return;
    // Down to a sixteenth below the bound at once, for the reason forgetOldest gives.
    const target = this.options.maxPendingBytes * (1 - FORGET_SHARE);
    for (const [oldest, dropped] of this.pending) {
      this.pending.delete(oldest);
      this.pendingBytes -= dropped.bytes;
      if (this.pendingBytes <= target) return;
    }
  }

  /** Fills, from all the content joined so far, what the span itself left empty. */
  private fill(joined: JoinedStep, content: EventContent): void {
    const { step, traceStep } = joined;
    const attributes = emptyRecord<AttributeValue>();
    if (content.input.length) attributes[INPUT_MESSAGES] = JSON.stringify(content.input);
    if (content.output.length) attributes[OUTPUT_MESSAGES] = JSON.stringify(content.output);
    const { inputPreview, outputPreview } = this.options.previews(attributes);
    if (!joined.ownInput) step.inputPreview = inputPreview;
    if (!joined.ownOutput) step.outputPreview = traceStep.outputPreview = outputPreview;
    if (!joined.ownFinishReasons) step.finishReasons = content.finishReasons.slice();
  }
}

const spanKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

/**
 * Step types GenAI events can be about: model calls, and spans no convention recognised
 * (which may be model calls all the same). Tools, retrievals, agents and the rest are not.
 */
const EVENT_STEP_TYPES: ReadonlySet<StepType> = new Set<StepType>(['llm_call', 'span']);

/** Share of the remembered steps forgotten at once when there are too many. */
const FORGET_SHARE = 1 / 16;

/**
 * Forgets the oldest entries of a map that is over its bound, a sixteenth of them at once: a
 * map iterator starts at the front, where deleted entries pile up until the table is rebuilt,
 * so deleting one oldest entry per insertion would walk over all of them every time.
 */
function forgetOldest(map: Map<string, unknown>): void {
  let left = Math.max(1, Math.floor(map.size * FORGET_SHARE));
  for (const key of map.keys()) {
    map.delete(key);
    if (--left === 0) return;
  }
}

const emptyContent = (): EventContent => ({ input: [], output: [], finishReasons: [], bytes: 0 });

function merge(into: EventContent, from: EventContent): void {
  into.input.push(...from.input);
  into.output.push(...from.output);
  into.finishReasons.push(...from.finishReasons);
  into.bytes += from.bytes;
}

/** The name of an event: the record's own field, or the `event.name` attribute older SDKs set. */
function eventName(record: LogRecord): string {
  if (record.eventName) return record.eventName;
  const name = record.attributes['event.name'];
  return typeof name === 'string' ? name : '';
}

/** What one GenAI event says about its span's messages; undefined for any other record. */
function eventContent(record: LogRecord): EventContent | undefined {
  const name = eventName(record);
  const content = emptyContent();
  if (name === OPERATION_DETAILS) {
    content.input = list(record.attributes[INPUT_MESSAGES]);
    content.output = list(record.attributes[OUTPUT_MESSAGES]);
    content.finishReasons = list(record.attributes['gen_ai.response.finish_reasons']).filter(
      (reason): reason is string => typeof reason === 'string',
    );
  } else if (Object.hasOwn(MESSAGE_ROLES, name)) {
    const body = structured(record.body);
    const message = isRecord(body) ? body : { content: textOf(record.body) };
    if (hasContent(message)) content.input = [{ role: MESSAGE_ROLES[name], ...message }];
  } else if (name === CHOICE) {
    const body = structured(record.body);
    if (!isRecord(body)) return undefined;
    if (isRecord(body.message) && hasContent(body.message))
      content.output = [{ role: 'assistant', ...body.message }];
    if (typeof body.finish_reason === 'string') content.finishReasons = [body.finish_reason];
  } else {
    return undefined;
  }
  content.bytes = JSON.stringify(content).length;
  return content;
}

/** A list attribute given as an OTLP array or as JSON text; [] otherwise. */
function list(value: AttributeValue | undefined): unknown[] {
  const data = structured(value);
  return Array.isArray(data) ? data : [];
}

/**
 * Whether a message carries something to show: without message capture, instrumentations
 * still send the events, with the content left out.
 */
function hasContent(message: Record<string, unknown>): boolean {
  return (
    message.content !== undefined || message.parts !== undefined || message.tool_calls !== undefined
  );
}

function textOf(value: AttributeValue): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
