import type { AgentTrace, TraceStep } from '../../model/index.js';

export interface AssemblerOptions {
  /** A trace whose root has arrived is complete after this long without new spans. */
  decisionWaitMs: number;
  /** A trace whose root never arrives is flushed as incomplete after this long without new spans. */
  rootWaitMs: number;
  /** Traces held at most; beyond it the oldest is flushed as incomplete (never dropped). */
  maxTraces: number;
  /** Steps kept per trace; more spans are still stored, only the trace document omits them. */
  maxStepsPerTrace: number;
  /** How long an emitted trace is remembered, so a late span updates it rather than replacing it. */
  lateSpanWindowMs: number;
  /** Emitted traces remembered at most, for late spans. */
  maxRememberedTraces: number;
  /**
   * Steps held at most, over held and remembered traces: beyond it remembered traces are
   * forgotten first, then the oldest held traces are flushed incomplete.
   */
  maxSteps: number;
}

/** Why a trace was emitted, for the emitted-traces counter. */
export type EmitReason = 'complete' | 'root_timeout' | 'evicted' | 'late_update' | 'shutdown';

export interface Emission {
  trace: AgentTrace;
  reason: EmitReason;
}

/** What `add` did with a step. */
export type Addition = 'added' | 'duplicate' | 'dropped';

export interface AddResult {
  outcome: Addition;
  /** Traces pushed out by the memory bound. */
  evicted: Emission[];
}

interface HeldTrace {
  traceId: string;
  /** Kept steps by span id, in arrival order: the span ids are what duplicates are found by. */
  steps: Map<string, TraceStep>;
  hasRoot: boolean;
  lastSpanAt: number;
  incomplete: boolean;
  /** Spans beyond maxStepsPerTrace, not kept. */
  droppedSteps: number;
  /** The emitted trace this one continues, when a late span reopened it. */
  lateUpdate: boolean;
}

/**
 * Spans an emission covers weigh more than time in its version, so that of two emissions of a
 * trace, storage keeps the one that saw more spans — also when the smaller one is newer (a late
 * span after the trace was forgotten, or after a restart). 2^20 spans × 2^32 seconds stays
 * within 2^53, a safe integer.
 */
const VERSION_SPAN_FACTOR = 2 ** 32;
const MAX_VERSION_SPANS = 2 ** 20 - 1;

/**
 * Groups steps into traces by trace id and decides when a trace is done. Pure bookkeeping:
 * the caller supplies the clock, so the logic is tested without timers.
 *
 * A step whose span id its trace already holds (held, or emitted and still remembered) is a
 * duplicate and changes nothing. `withdraw` takes back steps whose batch was not accepted
 * downstream, so the client's retry counts as their first delivery.
 */
export class TraceAssembler {
  /** Traces still collecting spans, oldest first (Map keeps insertion order). */
  private readonly held = new Map<string, HeldTrace>();
  /** Recently emitted traces, oldest first, with when they were emitted. */
  private readonly emitted = new Map<string, { trace: HeldTrace; at: number }>();
  private lastSecond = 0;
  /** Steps in held and remembered traces. */
  private steps = 0;

  constructor(private readonly options: AssemblerOptions) {}

  get heldTraces(): number {
    return this.held.size;
  }

  get heldSteps(): number {
    return this.steps;
  }

  add(traceId: string, step: TraceStep, now: number): AddResult {
    let trace = this.held.get(traceId);
    if (!trace) {
      const previous = this.emitted.get(traceId);
      // A span the emitted trace already holds is a redelivery: the stored row stays as it is.
      if (previous?.trace.steps.has(step.spanId)) return { outcome: 'duplicate', evicted: [] };
      if (previous) this.emitted.delete(traceId);
      trace = previous
        ? { ...previous.trace, lateUpdate: true, lastSpanAt: now }
        : {
            traceId,
            steps: new Map(),
            hasRoot: false,
            lastSpanAt: now,
            incomplete: false,
            droppedSteps: 0,
            lateUpdate: false,
          };
      this.held.set(traceId, trace);
    } else if (trace.steps.has(step.spanId)) {
      return { outcome: 'duplicate', evicted: [] };
    }
    let outcome: Addition = 'added';
    if (trace.steps.size < this.options.maxStepsPerTrace) {
      trace.steps.set(step.spanId, step);
      this.steps++;
    } else {
      trace.droppedSteps++;
      outcome = 'dropped';
    }
    if (step.parentSpanId === '') trace.hasRoot = true;
    trace.lastSpanAt = now;
    return { outcome, evicted: this.evictOverflow(now) };
  }

  /**
   * Takes back a step `add` kept, when its batch was refused downstream. A trace emitted in
   * the meantime keeps it (its row is stored); a redelivery is then a duplicate.
   */
  withdraw(traceId: string, spanId: string): void {
    if (this.held.get(traceId)?.steps.delete(spanId)) this.steps--;
  }

  /** Traces that are done at `now`: root arrived and quiet for decision_wait, or root overdue. */
  collect(now: number): Emission[] {
    const done: Emission[] = [];
    for (const trace of this.held.values()) {
      const quiet = now - trace.lastSpanAt;
      if (trace.hasRoot && quiet >= this.options.decisionWaitMs) {
        // Also a trace the memory bound flushed before: it has now come together after all.
        trace.incomplete = false;
        done.push(this.emit(trace, trace.lateUpdate ? 'late_update' : 'complete', now));
      } else if (!trace.hasRoot && quiet >= this.options.rootWaitMs) {
        trace.incomplete = true;
        done.push(this.emit(trace, 'root_timeout', now));
      }
    }
    this.forget(now);
    return done;
  }

  /** Every held trace, now (shutdown): complete when its root arrived, else incomplete. */
  drain(now: number): Emission[] {
    return [...this.held.values()].map((trace) => {
      if (!trace.hasRoot) trace.incomplete = true;
      return this.emit(trace, 'shutdown', now);
    });
  }

  /**
   * Keeps within the memory bounds: forgets remembered traces beyond `maxSteps`, then flushes
   * the oldest held traces, marked incomplete (their spans may still come), beyond `maxTraces`
   * or `maxSteps`.
   */
  private evictOverflow(now: number): Emission[] {
    this.forgetOverflow();
    const evicted: Emission[] = [];
    // Bounds are checked before iterating: a map iterator walks over the deleted entries at
    // the map's front, which per added step would cost more than the step itself.
    if (!this.overBounds()) return evicted;
    for (const trace of this.held.values()) {
      trace.incomplete = true;
      evicted.push(this.emit(trace, 'evicted', now));
      this.forgetOverflow();
      if (!this.overBounds()) break;
    }
    return evicted;
  }

  private overBounds(): boolean {
    return this.held.size > this.options.maxTraces || this.steps > this.options.maxSteps;
  }

  /** Forgets the oldest remembered traces while more than `maxSteps` steps are held. */
  private forgetOverflow(): void {
    if (this.steps <= this.options.maxSteps) return;
    for (const [traceId, { trace }] of this.emitted) {
      this.emitted.delete(traceId);
      this.steps -= trace.steps.size;
      if (this.steps <= this.options.maxSteps) return;
    }
  }

  private emit(trace: HeldTrace, reason: EmitReason, now: number): Emission {
    this.held.delete(trace.traceId);
    this.emitted.set(trace.traceId, { trace, at: now });
    // Seconds only grow, also across restarts (wall clock); within a second, more spans win.
    this.lastSecond = Math.max(this.lastSecond, Math.floor(Date.now() / 1000));
    const spans = Math.min(trace.steps.size + trace.droppedSteps, MAX_VERSION_SPANS);
    return {
      reason,
      trace: {
        traceId: trace.traceId,
        steps: [...trace.steps.values()],
        droppedSteps: trace.droppedSteps,
        incomplete: trace.incomplete,
        failures: [],
        version: spans * VERSION_SPAN_FACTOR + this.lastSecond,
      },
    };
  }

  private forget(now: number): void {
    for (const [traceId, entry] of this.emitted) {
      const expired = now - entry.at >= this.options.lateSpanWindowMs;
      if (!expired && this.emitted.size <= this.options.maxRememberedTraces) break;
      this.emitted.delete(traceId);
      this.steps -= entry.trace.steps.size;
    }
  }
}
