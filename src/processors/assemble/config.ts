import { z } from 'zod';
import { byteSize, duration } from '../../config/units.js';
import { previewLengthSchema, priceTableSchema } from './convert/index.js';

export const assembleConfigSchema = z
  .object({
    /** A trace whose root span has arrived is complete after this long without new spans. */
    decision_wait: duration().prefault('10s'),
    /** A trace whose root span never arrives is flushed, marked incomplete, after this long quiet. */
    root_wait: duration().prefault('60s'),
    /** Traces assembled at once, at most; beyond it the oldest is flushed marked incomplete. */
    max_traces: z.number().int().min(1).default(10_000),
    /**
     * Steps kept in one trace's document; further spans are stored but not listed in it (the
     * trace row counts them in DroppedSteps). 5,000 steps are a ~2–5 MB document, far more than
     * an agent run a person can read, and bound what one trace holds in memory.
     */
    max_steps_per_trace: z.number().int().min(1).default(5_000),
    /**
     * Steps held at most over all traces being assembled and remembered: the byte bound of
     * the processor (a step is ~0.5–2 KB). Beyond it remembered traces are forgotten first,
     * then the oldest traces are flushed marked incomplete.
     */
    max_held_steps: z.number().int().min(1).default(250_000),
    /** An emitted trace is remembered this long, so a late span updates it instead of replacing it. */
    late_span_window: duration().prefault('2m'),
    /** Emitted traces remembered at most, for late spans. */
    max_remembered_traces: z.number().int().min(0).default(2_000),
    /** Model prices, for the cost of LLM steps whose spans carry no cost. */
    prices: priceTableSchema,
    /** Characters kept of input and output previews; 0 turns previews off. */
    preview_length: previewLengthSchema,
    /** GenAI events (OTLP log records) joined to their spans' steps. */
    events: z
      .object({
        /** Event content held for spans not yet arrived; beyond it the oldest is dropped (to 15/16). */
        max_pending_size: byteSize().default(16 * 1024 * 1024),
        /**
         * Steps remembered for events that arrive after their span (only model calls missing
         * their input, output or finish reasons); beyond it the oldest sixteenth is forgotten.
         */
        max_remembered_steps: z.number().int().min(0).default(50_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => c.root_wait >= c.decision_wait, {
    message: 'root_wait must not be shorter than decision_wait',
    path: ['root_wait'],
  })
  .refine((c) => c.max_held_steps >= c.max_steps_per_trace, {
    message: 'max_held_steps must be at least max_steps_per_trace',
    path: ['max_held_steps'],
  });

export type AssembleConfig = z.infer<typeof assembleConfigSchema>;
