import { z } from 'zod';
import { duration } from '../../config/units.js';
import { SEVERITIES, STEP_TYPES } from '../../model/index.js';
import { SPAN_KINDS, SPAN_STATUSES, keyProblem } from './fields.js';
import { patternProblem } from './pattern.js';
import { templateKeys } from './template.js';

/**
 * The rule format: what users write under `processors.classify.rules`, and what every
 * built-in rule is written in (builtin-rules.ts). Validation here is complete, so compiling a
 * parsed rule cannot fail: patterns compile, keys name real fields, templates name real keys.
 * See README.md for the format with examples.
 */

type Level = 'span' | 'trace';

export const COMPARISONS = ['<', '<=', '>', '>=', '==', '!='] as const;

/** One value or a list of them (`step_type: tool_call` or `step_type: [tool_call, llm_call]`). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) => (value === undefined || Array.isArray(value) ? value : [value]),
    z.array(item).min(1),
  );

const pattern = () =>
  z
    .string()
    .min(1)
    .superRefine((source, ctx) => {
      const problem = patternProblem(source);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const key = (level: Level) =>
  z
    .string()
    .min(1)
    .superRefine((name, ctx) => {
      const problem = keyProblem(name, level);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** A map from keys to `value`, whose keys must name readable fields (errors name the key). */
const keyed = <T extends z.ZodType>(value: T) =>
  z
    .record(z.string().min(1), value)
    .superRefine((entries, ctx) => {
      for (const name of Object.keys(entries)) {
        const problem = keyProblem(name, 'span');
        if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      }
    })
    .refine((entries) => Object.keys(entries).length > 0, 'name at least one key');

const template = (level: Level) =>
  z
    .string()
    .min(1)
    .max(1000)
    .superRefine((text, ctx) => {
      for (const name of templateKeys(text)) {
        const problem = keyProblem(name, level, true);
        if (problem) ctx.addIssue({ code: 'custom', message: `in {${name}}: ${problem}` });
      }
    });

export const classNameSchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case, e.g. payment_declined');

const ruleName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z0-9][\w.:-]*$/, 'use letters, digits, _ . : -')
  .refine((name) => !name.startsWith('builtin.'), '"builtin." names are reserved');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const comparison = z.strictObject({
  key: key('span'),
  op: z.enum(COMPARISONS),
  value: z.number(),
});

const nonEmpty = (conditions: object) => Object.keys(conditions).length > 0;
const NON_EMPTY = 'give at least one condition';

/** Tests the span's evaluations (StepInfo.evaluations); one evaluation must meet them all. */
const evaluationSchema = z
  .strictObject({
    name_matches: pattern().optional(),
    name_not_matches: pattern().optional(),
    label_matches: pattern().optional(),
    score_below: z.number().optional(),
    score_above: z.number().optional(),
  })
  .refine(nonEmpty, NON_EMPTY);

export interface SpanConditions {
  step_type?: (typeof STEP_TYPES)[number][];
  span_kind?: (typeof SPAN_KINDS)[number][];
  status?: (typeof SPAN_STATUSES)[number][];
  name_matches?: string;
  duration_over?: number;
  event_names?: string[];
  attribute_exists?: string[];
  attribute_equals?: Record<string, (string | number | boolean)[]>;
  attribute_matches?: Record<string, string>;
  attribute_compare?: { key: string; op: (typeof COMPARISONS)[number]; value: number }[];
  evaluation?: z.output<typeof evaluationSchema>;
  invalid_json?: string[];
  violates_json_schema?: { value: string; schema: string[] };
  any_of?: SpanConditions[];
  not?: SpanConditions;
}

/** Conditions on one span; all that are given must hold. */
export const spanConditionsSchema: z.ZodType<SpanConditions, unknown> = z
  .strictObject({
    step_type: list(z.enum(STEP_TYPES)).optional(),
    span_kind: list(z.enum(SPAN_KINDS)).optional(),
    status: list(z.enum(SPAN_STATUSES)).optional(),
    name_matches: pattern().optional(),
    duration_over: duration().optional(),
    event_names: list(z.string().min(1)).optional(),
    attribute_exists: list(key('span')).optional(),
    attribute_equals: keyed(list(scalar)).optional(),
    attribute_matches: keyed(pattern()).optional(),
    attribute_compare: list(comparison).optional(),
    evaluation: evaluationSchema.optional(),
    invalid_json: list(key('span')).optional(),
    violates_json_schema: z
      .strictObject({ value: key('span'), schema: list(key('span')) })
      .optional(),
    get any_of() {
      return z.array(spanConditionsSchema).min(1).optional();
    },
    get not() {
      return spanConditionsSchema.optional();
    },
  })
  .refine(nonEmpty, NON_EMPTY);

export interface TraceConditions {
  name_matches?: string;
  duration_over?: number;
  incomplete?: boolean;
  step_count?: { over: number; step_type?: (typeof STEP_TYPES)[number][] };
  repeated_tool_call?: { min_count: number; require_arguments: boolean };
  final_output_empty?: true;
  failure_class?: string[];
  any_of?: TraceConditions[];
  not?: TraceConditions;
}

/** Conditions on one assembled trace; all that are given must hold. */
export const traceConditionsSchema: z.ZodType<TraceConditions, unknown> = z
  .strictObject({
    name_matches: pattern().optional(),
    duration_over: duration().optional(),
    incomplete: z.boolean().optional(),
    step_count: z
      .strictObject({
        over: z.number().int().min(0),
        step_type: list(z.enum(STEP_TYPES)).optional(),
      })
      .optional(),
    repeated_tool_call: z
      .strictObject({
        min_count: z.number().int().min(2),
        require_arguments: z.boolean().default(true),
      })
      .optional(),
    final_output_empty: z.literal(true).optional(),
    failure_class: list(classNameSchema).optional(),
    get any_of() {
      return z.array(traceConditionsSchema).min(1).optional();
    },
    get not() {
      return traceConditionsSchema.optional();
    },
  })
  .refine(nonEmpty, NON_EMPTY);

/** Messages of rules that give none: the error as the span states it. */
export const DEFAULT_SPAN_MESSAGE = '{exception.message|span.status_message|error.type|span.name}';
export const DEFAULT_TRACE_MESSAGE = '{trace.root_name}';

const common = {
  name: ruleName,
  class: classNameSchema,
  severity: z.enum(SEVERITIES),
  /** Classes this rule's failure stands in for on the same span (see the overlap policy). */
  suppresses: z.array(classNameSchema).default([]),
  description: z.string().optional(),
};

export const spanRuleSchema = z.strictObject({
  ...common,
  level: z.literal('span').default('span'),
  when: spanConditionsSchema,
  message: template('span').default(DEFAULT_SPAN_MESSAGE),
});

export const traceRuleSchema = z.strictObject({
  ...common,
  level: z.literal('trace'),
  when: traceConditionsSchema,
  message: template('trace').default(DEFAULT_TRACE_MESSAGE),
});

export const ruleSchema = z.discriminatedUnion('level', [spanRuleSchema, traceRuleSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'level must be span or trace' : undefined),
});

export type RuleInput = z.input<typeof ruleSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type SpanRule = z.output<typeof spanRuleSchema>;
export type TraceRule = z.output<typeof traceRuleSchema>;
