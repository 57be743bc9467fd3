import { STEP_TYPES, type Severity, type StepType } from '../../model/index.js';
import type { ClassifyConfig } from './config.js';
import { effectiveRules } from './effective-rules.js';
import { spanAccessor, TRACE_FIELDS } from './fields.js';
import type { Test } from './predicate.js';
import { compileSpanConditions } from './span-conditions.js';
import type { SpanView } from './span-view.js';
import { compileTemplate, finishMessage } from './template.js';
import { compileTraceConditions } from './trace-conditions.js';
import type { TraceView } from './trace-view.js';

/** A rule ready to run: its conditions and message compiled into functions. */
export interface CompiledRule<View> {
  /** `builtin.<name>` for built-ins, the rule's name for users' rules. */
  id: string;
  failureClass: string;
  severity: Severity;
  /** Classes its failure stands in for on the same span; empty under `overlap: keep_all`. */
  suppresses: ReadonlySet<string>;
  matches: Test<View>;
  message: (view: View) => string;
}

export interface RuleSet {
  /**
   * Per step type, the span rules that can match it, specialised for it, in order: users'
   * rules, then built-ins.
   */
  spanRules: ReadonlyMap<StepType, readonly CompiledRule<SpanView>[]>;
  traceRules: readonly CompiledRule<TraceView>[];
}

export function compileRuleSet(config: ClassifyConfig): RuleSet {
  const keepAll = config.overlap === 'keep_all';
  const maxLength = config.max_message_length;
  const spanRules = new Map<StepType, CompiledRule<SpanView>[]>(STEP_TYPES.map((t) => [t, []]));
  const traceRules: CompiledRule<TraceView>[] = [];
  for (const { id, rule } of effectiveRules(config)) {
    const common = {
      id,
      failureClass: rule.class,
      severity: rule.severity,
      suppresses: new Set(keepAll ? [] : rule.suppresses),
    };
    if (rule.level === 'trace') {
      const check = compileTraceConditions(rule.when);
      const render = compileTemplate<TraceView>(rule.message, (key) => TRACE_FIELDS[key]);
      if (check)
        traceRules.push({
          ...common,
          matches: check.test,
          message: (view) => finishMessage(render(view), maxLength),
        });
      continue;
    }
    const render = compileTemplate<SpanView>(rule.message, (key) => spanAccessor(key, true));
    const message = (view: SpanView) => finishMessage(render(view), maxLength);
    // One test per step type, with what the type decides folded away; a rule that cannot
    // match a type is not tried on its spans at all.
    for (const type of STEP_TYPES) {
      const check = compileSpanConditions(rule.when, type);
      if (check) spanRules.get(type)!.push({ ...common, matches: check.test, message });
    }
  }
  return { spanRules, traceRules };
}
