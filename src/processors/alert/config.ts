import { z } from 'zod';
import { duration } from '../../config/units.js';
import { SEVERITIES } from '../../model/index.js';
import { alertmanagerNotifierSchema } from '../../alerting/notify/alertmanager/config.js';
import { webhookNotifierSchema } from '../../alerting/notify/webhook/config.js';
import { AGGREGATE_HELP, parseAggregate, type Aggregate } from '../../alerting/rules/aggregate.js';
import { LABEL_KEYS } from '../../alerting/rules/labels.js';
import { TemplateError, compileTemplate } from '../../alerting/rules/template.js';

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Labels Faultline sets itself; a rule may not write them. */
const RESERVED_LABELS = new Set(['alertname', 'alertstate', '__name__']);

const oneOrMany = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((value) => (typeof value === 'string' ? [value] : value));

const aggregateSchema = z.string().transform((text, ctx): Aggregate => {
  const parsed = parseAggregate(text);
  if (!parsed) {
    ctx.issues.push({
      code: 'custom',
      input: text,
      message: `unknown aggregate "${text}": use ${AGGREGATE_HELP}`,
    });
    return z.NEVER;
  }
  return parsed;
});

const anomalySchema = z.strictObject({
  /** ewma: exponentially weighted mean and deviation; mad: median and median absolute deviation. */
  method: z.enum(['ewma', 'mad']).default('ewma'),
  /** Fire at this many deviations from the baseline. */
  k: z.number().positive().default(3),
  direction: z.enum(['above', 'below', 'both']).default('above'),
  /** Evaluations that only build the baseline before any decision. */
  warmup: z.number().int().min(1).default(20),
  /** ewma: weight of the newest value. */
  alpha: z.number().gt(0).lt(1).default(0.1),
  /** mad: values the median is taken over. */
  history: z.number().int().min(3).max(10_000).default(120),
  /** Deviation floor, so a flat series does not alarm on the smallest change. */
  min_deviation: z.number().min(0).default(0),
});

const templates = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((map, ctx) => {
    for (const [key, template] of Object.entries(map)) {
      try {
        compileTemplate(template);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        ctx.addIssue({ code: 'custom', path: [key], message: error.message });
      }
    }
  });

export const ruleSchema = z
  .strictObject({
    /** The alert's name (`alertname`): letters, digits, `_` and `:`. */
    name: z.string().regex(/^[A-Za-z_:][A-Za-z0-9_:]*$/, 'a rule name is letters, digits, _ and :'),
    aggregate: aggregateSchema,
    /** Only events whose properties match (globs with `*`); every key given must match. */
    filter: z.partialRecord(z.enum(LABEL_KEYS), oneOrMany).default({}),
    /** One alert per distinct combination of these properties. */
    group_by: z.array(z.enum(LABEL_KEYS)).default([]),
    op: z.enum(COMPARISONS).default('>'),
    /** Compare the aggregate with this (threshold rules). */
    threshold: z.number().optional(),
    /** Or with the series' own baseline (anomaly rules). */
    anomaly: anomalySchema.optional(),
    window: duration().default(300_000),
    /** Fewer events than this in the window: no value, the condition does not hold. */
    min_events: z.number().int().min(0).default(1),
    /** Held this long while pending before firing. */
    for: duration().default(0),
    /** Keeps firing this long after the condition stopped holding. */
    keep_firing_for: duration().default(0),
    severity: z.enum(SEVERITIES).default('medium'),
    labels: templates,
    annotations: templates,
  })
  .superRefine((rule, ctx) => {
    if ((rule.threshold === undefined) === (rule.anomaly === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'give either threshold (with op) or anomaly, not both or neither',
      });
    }
    if (rule.window < 100) {
      ctx.addIssue({ code: 'custom', path: ['window'], message: 'window must be at least 100ms' });
    }
    for (const key of Object.keys(rule.labels)) {
      if (!LABEL_NAME.test(key) || RESERVED_LABELS.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', key],
          message: `"${key}" cannot be a label name (letters, digits and _, not alertname/alertstate)`,
        });
      }
    }
  });

export type AlertRuleConfig = z.output<typeof ruleSchema>;

export const alertConfigSchema = z
  .strictObject({
    /** How often rules are evaluated. */
    interval: duration().default(15_000),
    /** Resolved alerts are re-sent to Alertmanager this long after they resolved. */
    resolved_retention: duration().default(900_000),
    /** Alert groups a rule tracks at once; events of further groups are dropped and counted. */
    max_groups_per_rule: z.number().int().min(1).max(100_000).default(1000),
    /** Pending and firing alerts are restored from storage at start when no older than this. */
    restore_max_age: duration().default(86_400_000),
    /** Base of each alert's generatorURL (e.g. the admin UI); empty leaves it out. */
    external_url: z.string().default(''),
    incidents: z
      .strictObject({
        /** Alerts firing within this time of an open incident's last alert can join it… */
        correlation_window: duration().default(600_000),
        /** …when they share one of these labels' values. */
        match_labels: z
          .array(z.string().regex(LABEL_NAME))
          .min(1)
          .default(['service', 'agent', 'model']),
      })
      .prefault({}),
    notifiers: z
      .strictObject({
        alertmanager: z.array(alertmanagerNotifierSchema).default([]),
        webhook: z.array(webhookNotifierSchema).default([]),
      })
      .prefault({}),
    rules: z.array(ruleSchema).default([]),
  })
  .superRefine((config, ctx) => {
    if (config.interval < 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: 'interval must be at least 100ms',
      });
    }
    const seen = new Map<string, number>();
    config.rules.forEach((rule, index) => {
      const first = seen.get(rule.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `rule "${rule.name}" is already defined at rules[${first}]`,
        });
      } else seen.set(rule.name, index);
    });
  });

export type AlertConfig = z.output<typeof alertConfigSchema>;
