import { builtinRules, type BuiltinParams } from './builtin-rules.js';
import type { ClassifyConfig } from './config.js';
import { suppressionCycles, type SuppressionProblem } from './overlap.js';
import { ruleSchema, type Rule } from './rule-schema.js';

export interface IdentifiedRule {
  /** `builtin.<name>` for built-ins, the rule's name for users' rules. */
  id: string;
  rule: Rule;
  /** Where the rule is configured, for error messages. */
  path: (string | number)[];
}

/** What the built-in rules are written with, from the config. */
export function builtinParams(config: ClassifyConfig): BuiltinParams {
  return {
    stepDurationMs: config.budgets.step_duration,
    maxSteps: config.budgets.max_steps,
    loopRepeats: config.budgets.loop_repeats,
    hallucinationThreshold: config.thresholds.hallucination,
    lowQualityThreshold: config.thresholds.low_quality,
  };
}

/**
 * The rules in force: users' rules first (so a user's rule for a class wins over the built-in
 * one on the same span), then the built-ins that are switched on, with their severities as
 * configured. Built-ins go through the same schema as users' rules.
 */
export function effectiveRules(config: ClassifyConfig): IdentifiedRule[] {
  const rules: IdentifiedRule[] = config.rules.map((rule, index) => ({
    id: rule.name,
    rule,
    path: ['rules', index],
  }));
  for (const input of builtinRules(builtinParams(config))) {
    const override = config.builtins[input.name];
    if (override?.enabled === false) continue;
    const rule = ruleSchema.parse(input);
    if (override?.severity) rule.severity = override.severity;
    rules.push({ id: `builtin.${rule.name}`, rule, path: ['builtins', rule.name] });
  }
  return rules;
}

/**
 * Checks that need the whole rule set: unique names, no rule suppressing its own class, and
 * no cycle of suppressions between classes (with the built-ins in force).
 */
export function ruleSetProblems(config: ClassifyConfig): SuppressionProblem[] {
  const problems: SuppressionProblem[] = [];
  const seen = new Map<string, number>();
  config.rules.forEach((rule, index) => {
    const first = seen.get(rule.name);
    if (first !== undefined)
      problems.push({
        path: ['rules', index, 'name'],
        message: `"${rule.name}" is already the name of rules[${first}]`,
      });
    else seen.set(rule.name, index);
    if (rule.suppresses.includes(rule.class))
      problems.push({
        path: ['rules', index, 'suppresses'],
        message: `a rule cannot suppress its own class "${rule.class}"`,
      });
  });
  if (problems.length === 0 && config.overlap === 'suppress')
    problems.push(...suppressionCycles(effectiveRules(config), config.rules.length));
  return problems;
}
