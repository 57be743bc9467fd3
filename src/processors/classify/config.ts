import { z } from 'zod';
import { duration } from '../../config/units.js';
import { SEVERITIES, STEP_TYPES, type StepType } from '../../model/index.js';
import { BUILTIN_RULE_NAMES } from './builtin-rules.js';
import { ruleSetProblems } from './effective-rules.js';
import { ruleSchema } from './rule-schema.js';

/** A built-in rule's override: `false` switches it off; an object changes it. */
const builtinOverride = z.preprocess(
  (value) => (value === false ? { enabled: false } : value),
  z.strictObject({
    enabled: z.boolean().default(true),
    severity: z.enum(SEVERITIES).optional(),
  }),
);

/** Default duration budgets (ms): a longer step is a `timeout`. Agents and chains have none. */
const DEFAULT_STEP_BUDGETS_MS: Partial<Record<StepType, number>> = {
  llm_call: 120_000,
  embedding: 30_000,
  tool_call: 60_000,
  retrieval: 30_000,
  reranker: 30_000,
  guardrail: 30_000,
  memory_read: 10_000,
  memory_write: 10_000,
};

/** Budgets given in the config replace the defaults type by type. */
const stepDurationSchema = z
  .partialRecord(z.enum(STEP_TYPES), duration())
  .prefault({})
  .transform((given): Partial<Record<StepType, number>> => ({
    ...DEFAULT_STEP_BUDGETS_MS,
    ...given,
  }));

export const classifyConfigSchema = z
  .strictObject({
    /** Built-in rules by name: `http_4xx: false`, `timeout: {severity: critical}`. */
    builtins: z.partialRecord(z.enum(BUILTIN_RULE_NAMES), builtinOverride).prefault({}),
    budgets: z
      .strictObject({
        /** Per step type; a longer step is a `timeout`. 0 switches a type's budget off. */
        step_duration: stepDurationSchema,
        /** `max_steps`: more LLM and tool calls than this in one trace. */
        max_steps: z.number().int().min(1).default(50),
        /** `agent_loop`: this many calls of one tool with the same arguments in one trace. */
        loop_repeats: z.number().int().min(2).default(3),
      })
      .prefault({}),
    thresholds: z
      .strictObject({
        /** `hallucination`: faithfulness / groundedness scores below this (scores 0..1). */
        hallucination: z.number().default(0.5),
        /** `low_quality`: evaluation scores, quality_score and confidence below this. */
        low_quality: z.number().default(0.5),
      })
      .prefault({}),
    /**
     * `suppress`: a failure stands in for the classes its rule lists in `suppresses` on the
     * same span (the default: no error_status beside a tool_error). `keep_all`: every match.
     */
    overlap: z.enum(['suppress', 'keep_all']).default('suppress'),
    /** Your own rules, in the built-ins' format; they run before the built-ins. */
    rules: z.array(ruleSchema).default([]),
    /** Messages are cut to this many characters. */
    max_message_length: z.number().int().min(32).max(8192).default(512),
    metrics: z
      .strictObject({
        /** Distinct `service` label values; later services are counted as `__other__`. */
        max_services: z.number().int().min(1).max(10_000).default(100),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const problem of ruleSetProblems(config)) ctx.addIssue({ code: 'custom', ...problem });
  });

export type ClassifyConfig = z.output<typeof classifyConfigSchema>;
