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
}

/** Why a trace was emitted, for the emitted-traces counter. */
export type EmitReason = 'complete' | 'root_timeout' | 'evicted' | 'late_update' | 'shutdown';

export interface Emission {
  trace: AgentTrace;
  reason: EmitReason;
}

interface HeldTrace {
  traceId: string;
  steps: TraceStep[];
  hasRoot: boolean;
  lastSpanAt: number;
  incomplete: boolean;
  /** Steps beyond maxStepsPerTrace, not kept. */
  droppedSteps: number;
  /** The emitted trace this one continues, when a late span reopened it. */
  lateUpdate: boolean;
}

/**
 * Groups steps into traces by trace id and decides when a trace is done. Pure bookkeeping:
 * the caller supplies the clock, so the logic is tested without timers.
 */
export class TraceAssembler {
  /** Traces still collecting spans, oldest first (Map keeps insertion order). */
  private readonly held = new Map<string, HeldTrace>();
  /** Recently emitted traces, oldest first, with when they were emitted. */
  private readonly emitted = new Map<string, { trace: HeldTrace; at: number }>();
  private lastVersion = 0;

  constructor(private readonly options: AssemblerOptions) {}

  get heldTraces(): number {
    return this.held.size;
  }

  /** Adds one step; returns traces pushed out by the memory bound. */
  add(traceId: string, step: TraceStep, now: number): Emission[] {
    let trace = this.held.get(traceId);
    if (!trace) {
      const previous = this.emitted.get(traceId);
      if (previous) this.emitted.delete(traceId);
      trace = previous
        ? { ...previous.trace, lateUpdate: true, lastSpanAt: now }
        : {
            traceId,
            steps: [],
            hasRoot: false,
            lastSpanAt: now,
            incomplete: false,
            droppedSteps: 0,
            lateUpdate: false,
          };
      this.held.set(traceId, trace);
    }
    if (trace.steps.length < this.options.maxStepsPerTrace) trace.steps.push(step);
    else trace.droppedSteps++;
    if (step.parentSpanId === '') trace.hasRoot = true;
    trace.lastSpanAt = now;
    return this.evictOverflow(now);
  }

  /** Traces that are done at `now`: root arrived and quiet for decision_wait, or root overdue. */
  collect(now: number): Emission[] {
    const done: Emission[] = [];
    for (const trace of this.held.values()) {
      const quiet = now - trace.lastSpanAt;
      if (trace.hasRoot && quiet >= this.options.decisionWaitMs) {
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

  private evictOverflow(now: number): Emission[] {
    const evicted: Emission[] = [];
    for (const trace of this.held.values()) {
      if (this.held.size <= this.options.maxTraces) break;
      trace.incomplete = !trace.hasRoot || trace.incomplete;
      evicted.push(this.emit(trace, 'evicted', now));
    }
    return evicted;
  }

  private emit(trace: HeldTrace, reason: EmitReason, now: number): Emission {
    this.held.delete(trace.traceId);
    this.emitted.set(trace.traceId, { trace, at: now });
    // Versions only grow, also across restarts: the newest emission of a trace wins in storage.
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    return {
      reason,
      trace: {
        traceId: trace.traceId,
        steps: trace.steps,
        incomplete: trace.incomplete,
        failures: [],
        version: this.lastVersion,
      },
    };
  }

  private forget(now: number): void {
    for (const [traceId, entry] of this.emitted) {
      const expired = now - entry.at >= this.options.lateSpanWindowMs;
      if (!expired && this.emitted.size <= this.options.maxRememberedTraces) break;
      this.emitted.delete(traceId);
    }
  }
}
