import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  effectiveModel,
  serviceNameOf,
  type AgentTrace,
  type Span,
  type StepInfo,
  type TelemetryBatch,
  type TraceStep,
} from '../../model/index.js';
import type { ComponentSettings, Processor, TelemetryConsumer } from '../../pipeline/component.js';
import { RetryableError, SHUTTING_DOWN } from '../../pipeline/errors.js';
import { runEnd } from '../../pipeline/cost-runs.js';
import { within } from '../../pipeline/deadline.js';
import { TraceAssembler, type Emission } from './assembler.js';
import type { AssembleConfig } from './config.js';
import { addConversationSteps, conversationOf } from './conversation.js';
import { createStepConverter } from './convert/index.js';
import { previewer } from './convert/fields/previews.js';
import { GenAiEventJoin } from './event-join.js';
import { Interner } from './interner.js';
import { AssembleMetrics } from './metrics.js';

/** Traces held for re-sending after a failed hand-off, at most (beyond: dropped and logged). */
const MAX_UNSENT_TRACES = 10_000;
/**
 * Steps of the traces in one batch handed on: a batch gets its conversation steps and is
 * classified downstream in one go (well under a µs a step, bench/emit.mjs), so a batch holds
 * the event loop about a millisecond however long its traces are.
 */
const STEPS_PER_BATCH = 1000;
const stepsOf = (trace: AgentTrace): number => trace.steps.length + 1;

/**
 * Understands each span as an agent step (attached as `span.step`) and passes spans on at
 * once; meanwhile it assembles traces by trace id and hands each completed trace on as its
 * own batch. Classification downstream fills `span.failures`, which the trace's steps share.
 */
export class AssembleProcessor implements Processor {
  private readonly assembler: TraceAssembler;
  private readonly events: GenAiEventJoin;
  private readonly toStep: (span: Span) => StepInfo;
  /** One copy of the names held steps repeat. */
  private readonly names = new Interner();
  private readonly metrics: AssembleMetrics;
  private readonly logger: Logger;
  private readonly id: string;
  private timer: NodeJS.Timeout | undefined;
  private unsent: AgentTrace[] = [];
  private emitting: Promise<void> = Promise.resolve();
  private readonly tickMs: number;
  private closed = false;

  constructor(
    settings: ComponentSettings<AssembleConfig>,
    private readonly next: TelemetryConsumer,
  ) {
    const { config } = settings;
    this.id = settings.id;
    this.logger = settings.logger;
    this.metrics = AssembleMetrics.for(settings.metrics);
    this.toStep = createStepConverter({
      prices: config.prices,
      previewLength: config.preview_length,
    });
    this.assembler = new TraceAssembler({
      decisionWaitMs: config.decision_wait,
      rootWaitMs: config.root_wait,
      maxTraces: config.max_traces,
      maxStepsPerTrace: config.max_steps_per_trace,
      lateSpanWindowMs: config.late_span_window,
      maxRememberedTraces: config.max_remembered_traces,
      maxSteps: config.max_held_steps,
    });
    this.events = new GenAiEventJoin({
      maxPendingBytes: config.events.max_pending_size,
      maxRememberedSteps: config.events.max_remembered_steps,
      previews: previewer(config.preview_length),
    });
    this.tickMs = Math.max(50, Math.min(1000, config.decision_wait / 4));
  }

  start(): Promise<void> {
    this.timer ??= setInterval(() => this.tick(), this.tickMs).unref();
    return Promise.resolve();
  }

  async consume(batch: TelemetryBatch): Promise<void> {
    if (this.closed) throw new RetryableError(`${this.id} is shutting down`, SHUTTING_DOWN);
    const now = performance.now();
    const labels = { processor: this.id };
    const evicted: Emission[] = [];
    const added: Span[] = [];
    if (batch.logs?.length) this.events.addEvents(batch.logs);
    for (const span of batch.spans) {
      const step = this.toStep(span);
      span.step = step;
      span.failures ??= [];
      const held = traceStep(span, step, span.failures, this.names);
      this.events.joinSpan(span.traceId, span.spanId, step, held);
      const { outcome, evicted: pushedOut } = this.assembler.add(span.traceId, held, now);
      for (const emission of pushedOut) evicted.push(emission);
      if (outcome === 'duplicate') {
        span.duplicate = true;
        this.metrics.duplicateSpans.inc(labels);
        continue;
      }
      for (const gap of step.gaps) this.metrics.stepGaps.inc({ processor: this.id, gap });
      if (outcome === 'dropped') this.metrics.droppedSteps.inc(labels);
      else added.push(span);
    }
    this.metrics.tracesHeld.set(labels, this.assembler.heldTraces);
    try {
      await this.next.consume(batch);
    } catch (error) {
      // Not acknowledged: the client sends these spans again, and that is their first delivery.
      for (const span of added) this.assembler.withdraw(span.traceId, span.spanId);
      throw error;
    } finally {
      // Traces pushed out by the memory bound go on after the spans that evicted them.
      if (evicted.length) this.hand(evicted);
    }
  }

  async flush(): Promise<void> {
    this.hand(this.assembler.drain(performance.now()));
    await this.emitting;
    await this.next.flush();
  }

  /** Hands on every held trace; waits for downstream until `deadline` aborts. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    if (!(await within(this.flush(), deadline))) {
      this.logger.warn('shutdown deadline passed before held traces were handed on');
    }
  }

  private tick(): void {
    const done = this.assembler.collect(performance.now());
    this.metrics.tracesHeld.set({ processor: this.id }, this.assembler.heldTraces);
    if (done.length || this.unsent.length) this.hand(done);
  }

  /**
   * Hands traces on in batches of about STEPS_PER_BATCH steps, one at a time (each is
   * classified downstream in one go, so a burst such as shutdown's drain is cut into slices),
   * keeping those that could not be handed on. Each trace first gets the steps its root
   * agent's conversation implies (`conversation.ts`), now that its root is known; a trace
   * handed on again after a failure already has them, and gets none twice.
   */
  private hand(emissions: Emission[]): void {
    for (const { reason } of emissions)
      this.metrics.tracesEmitted.inc({ processor: this.id, reason });
    const traces = [...this.unsent, ...emissions.map((e) => e.trace)];
    this.unsent = [];
    this.emitting = this.emitting.then(async () => {
      for (let from = 0; from < traces.length;) {
        const to = runEnd(traces, from, STEPS_PER_BATCH, stepsOf).end;
        const part = traces.slice(from, to);
        for (const trace of part) addConversationSteps(trace);
        try {
          await this.next.consume({ spans: [], traces: part, failures: [] });
        } catch (error) {
          this.handFailed(error, traces.slice(from));
          return;
        }
        from = to;
      }
    });
  }

  /** Keeps `left` for the next tick when retrying can help, else drops it. */
  private handFailed(error: unknown, left: AgentTrace[]): void {
    this.metrics.emitFailures.inc({ processor: this.id });
    if (!(error instanceof RetryableError)) {
      // Retrying cannot help (the exporter dead-letters what it cannot store): not kept.
      this.logger.error(
        { err: error, traces: left.length },
        'assembled traces refused downstream for good; dropped',
      );
      return;
    }
    const kept = left.slice(-MAX_UNSENT_TRACES);
    if (kept.length < left.length) {
      this.logger.error(
        { dropped: left.length - kept.length },
        'dropped assembled traces that could not be handed on',
      );
    }
    this.logger.warn(
      { err: error, traces: kept.length },
      'handing on assembled traces failed; retrying',
    );
    // Trace-level failures are derived downstream from the steps; they are derived again.
    for (const trace of kept) trace.failures = [];
    this.unsent = [...kept, ...this.unsent];
  }
}

/**
 * What a trace keeps of a span; `failures` is the span's own list, shared with it. Names that
 * repeat from span to span are kept as one shared copy (`shared`): held steps live for
 * `decision_wait`, and their own copies would all be promoted and marked.
 */
function traceStep(
  span: Span,
  step: StepInfo,
  failures: TraceStep['failures'],
  shared: Interner,
): TraceStep {
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: shared.intern(span.name),
    type: step.type,
    serviceName: shared.intern(serviceNameOf(span)),
    agentName: shared.intern(step.agentName),
    sessionId: shared.intern(step.sessionId),
    userHash: shared.intern(step.userHash),
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    statusCode: span.statusCode,
    statusMessage: shared.intern(span.statusMessage),
    operation: shared.intern(step.operation),
    model: shared.intern(effectiveModel(step)),
    toolName: shared.intern(step.toolName),
    toolArguments: comparableArguments(step.toolArguments),
    usage: step.usage,
    costUsd: step.costUsd,
    outputPreview: step.outputPreview,
    failures,
    conversation: conversationOf(span, step),
  };
}

/** Tool arguments longer than this are held by their digest. */
const HELD_ARGUMENTS_LENGTH = 256;

/**
 * Tool arguments as loop detection compares them (the only reader of a held step's), in
 * bounded memory: short ones as sent, longer ones (a file's content, a whole document) by their
 * SHA-256 digest, which tells them apart as surely. Blank ones stay blank, as
 * `require_arguments` reads them.
 */
function comparableArguments(text: string): string {
  if (text.length <= HELD_ARGUMENTS_LENGTH) return text;
  if (text.trim() === '') return '';
  return `sha256:${createHash('sha256').update(text).digest('base64')}`;
}
