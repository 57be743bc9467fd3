import { Counter, Gauge, type Registry } from 'prom-client';
import { perRegistry } from '../../telemetry/per-registry.js';

/** Self-metrics of the assemble processor, declared in one place. */
export class AssembleMetrics {
  static readonly for = perRegistry((registry) => new AssembleMetrics(registry));

  readonly tracesHeld: Gauge<'processor'>;
  readonly tracesEmitted: Counter<'processor' | 'reason'>;
  readonly stepGaps: Counter<'processor' | 'gap'>;
  readonly emitFailures: Counter<'processor'>;
  readonly duplicateSpans: Counter<'processor'>;
  readonly droppedSteps: Counter<'processor'>;

  private constructor(registry: Registry) {
    this.tracesHeld = new Gauge({
      name: 'faultline_assemble_traces_in_progress',
      help: 'Traces being assembled (waiting for more spans).',
      labelNames: ['processor'],
      registers: [registry],
    });
    this.tracesEmitted = new Counter({
      name: 'faultline_assemble_traces_emitted_total',
      help: 'Assembled traces handed on, by reason: complete, root_timeout, evicted (memory bound), late_update, shutdown.',
      labelNames: ['processor', 'reason'],
      registers: [registry],
    });
    this.stepGaps = new Counter({
      name: 'faultline_assemble_step_gaps_total',
      help: 'Information an agent step lacked (model, token_usage, tool_name, …), by kind.',
      labelNames: ['processor', 'gap'],
      registers: [registry],
    });
    this.emitFailures = new Counter({
      name: 'faultline_assemble_emit_failures_total',
      help: 'Attempts to hand on assembled traces that failed (they are retried on the next tick).',
      labelNames: ['processor'],
      registers: [registry],
    });
    this.duplicateSpans = new Counter({
      name: 'faultline_assemble_duplicate_spans_total',
      help: 'Spans delivered again (same trace and span id): stored as received, counted nowhere else.',
      labelNames: ['processor'],
      registers: [registry],
    });
    this.droppedSteps = new Counter({
      name: 'faultline_assemble_dropped_steps_total',
      help: 'Spans beyond max_steps_per_trace: stored, but not steps of their trace document.',
      labelNames: ['processor'],
      registers: [registry],
    });
  }
}
