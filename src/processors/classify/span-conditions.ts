import type { AttributeValue, Evaluation, StepType } from '../../model/index.js';
import { SPAN_KINDS, SPAN_STATUSES, spanAccessor, type SpanAccessor } from './fields.js';
import { jsonProblem, schemaViolation } from './json-check.js';
import { compilePattern } from './pattern.js';
import { allOf, anyOf, not, type Check, type Never } from './predicate.js';
import type { COMPARISONS, SpanConditions } from './rule-schema.js';
import type { SpanView } from './span-view.js';
import { isPresent, numberOf, someScalar, textOf } from './values.js';

type SpanCheck = Check<SpanView>;

/**
 * Compiles a parsed `when:` block into one test over a SpanView, for spans of one step type:
 * `step_type` conditions are decided here, so the test never looks at the type, alternatives
 * for other types are gone, and `undefined` says the rule cannot match this type at all.
 * Everything a condition needs — regexes, key accessors — is built here, at start-up.
 */
export function compileSpanConditions(when: SpanConditions, stepType: StepType): SpanCheck | Never {
  if (when.step_type && !when.step_type.includes(stepType)) return undefined;
  const checks: (SpanCheck | Never)[] = [];
  const add = (test: (view: SpanView) => boolean, cost: number) => checks.push({ test, cost });

  if (when.span_kind) {
    const kinds = new Set(when.span_kind.map((kind) => SPAN_KINDS.indexOf(kind)));
    add((v) => kinds.has(v.span.kind), 1);
  }
  if (when.status) {
    const codes = new Set(when.status.map((status) => SPAN_STATUSES.indexOf(status)));
    add((v) => codes.has(v.statusCode), 1);
  }
  if (when.duration_over !== undefined) {
    const limitMs = when.duration_over;
    add((v) => v.durationMs > limitMs, 2);
  }
  if (when.event_names) {
    const names = new Set(when.event_names);
    add((v) => v.span.events.some((event) => names.has(event.name)), 3);
  }
  for (const key of when.attribute_exists ?? []) {
    const read = accessor(key);
    add((v) => isPresent(read(v)), 4);
  }
  for (const [key, expected] of Object.entries(when.attribute_equals ?? {})) {
    const read = accessor(key);
    const equals = equalsAny(expected);
    add((v) => someScalar(read(v), equals), 4);
  }
  for (const { key, op, value } of when.attribute_compare ?? []) {
    const read = accessor(key);
    const compare = COMPARE[op];
    const holds = (scalar: AttributeValue) => compare(numberOf(scalar), value);
    add((v) => someScalar(read(v), holds), 4);
  }
  if (when.name_matches) {
    const regex = compilePattern(when.name_matches);
    add((v) => regex.test(v.span.name), 6);
  }
  for (const [key, source] of Object.entries(when.attribute_matches ?? {})) {
    const read = accessor(key);
    const matches = matcher(source);
    add((v) => matches(read(v)), 7);
  }
  if (when.evaluation) checks.push(evaluationCheck(when.evaluation));
  for (const key of when.invalid_json ?? []) {
    const read = accessor(key);
    add((v) => explain(v, jsonProblemOf(read(v))), 10);
  }
  if (when.violates_json_schema) {
    const readValue = accessor(when.violates_json_schema.value);
    const readSchemas = when.violates_json_schema.schema.map(accessor);
    add((v) => {
      const value = readValue(v);
      if (typeof value !== 'string' || value === '') return false;
      for (const readSchema of readSchemas) {
        const schema = readSchema(v);
        if (typeof schema === 'string' && explain(v, schemaViolation(value, schema))) return true;
      }
      return false;
    }, 10);
  }
  if (when.any_of) checks.push(anyOf(when.any_of.map((c) => compileSpanConditions(c, stepType))));
  if (when.not) checks.push(not(compileSpanConditions(when.not, stepType)));
  return allOf(checks);
}

function accessor(key: string): SpanAccessor {
  const read = spanAccessor(key);
  // The schema has rejected unknown keys already; this keeps a bug from being silent.
  if (!read) throw new Error(`no accessor for validated key "${key}"`);
  return read;
}

/** Records what a condition found for `{match.detail}`; true when it found something. */
function explain(view: SpanView, finding: string | undefined): boolean {
  if (finding === undefined) return false;
  view.detail = finding;
  return true;
}

const jsonProblemOf = (value: AttributeValue | undefined) =>
  typeof value === 'string' ? jsonProblem(value) : undefined;

/**
 * The pattern tested on the value (any element of an array). Whether it matches '' is known
 * at start-up, which saves a regex run on the many fields that are empty — `span.error` of a
 * healthy span above all.
 */
function matcher(source: string): (value: AttributeValue | undefined) => boolean {
  const regex = compilePattern(source);
  const matchesEmpty = regex.test('');
  return (value) => {
    if (value === undefined) return false;
    if (value === '') return matchesEmpty;
    if (typeof value === 'string') return regex.test(value);
    return someScalar(value, (scalar) => regex.test(textOf(scalar)));
  };
}

/** Equality as a user means it: 429 equals the int64 429 and the string "429". */
function equalsAny(expected: (string | number | boolean)[]): (value: AttributeValue) => boolean {
  const tests = expected.map((wanted): ((value: AttributeValue) => boolean) => {
    if (typeof wanted === 'number') return (value) => numberOf(value) === wanted;
    const text = String(wanted);
    if (typeof wanted === 'boolean') return (value) => value === wanted || value === text;
    return (value) => (typeof value === 'string' ? value === text : textOf(value) === text);
  });
  const [only] = tests;
  if (tests.length === 1 && only) return only;
  return (value) => tests.some((test) => test(value));
}

const COMPARE: Record<(typeof COMPARISONS)[number], (actual: number, limit: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => !Number.isNaN(a) && a !== b,
};

function evaluationCheck(when: NonNullable<SpanConditions['evaluation']>): SpanCheck {
  const tests: ((evaluation: Evaluation) => boolean)[] = [];
  if (when.name_matches) {
    const regex = compilePattern(when.name_matches);
    tests.push((e) => regex.test(e.name));
  }
  if (when.name_not_matches) {
    const regex = compilePattern(when.name_not_matches);
    tests.push((e) => !regex.test(e.name));
  }
  if (when.label_matches) {
    const regex = compilePattern(when.label_matches);
    tests.push((e) => regex.test(e.label));
  }
  const { score_below: below, score_above: above } = when;
  if (below !== undefined) tests.push((e) => e.score < below);
  if (above !== undefined) tests.push((e) => e.score > above);
  const describe = (e: Evaluation) =>
    `${e.name}: ${[e.label, Number.isNaN(e.score) ? '' : `score ${e.score}`].filter(Boolean).join(', ')}`;
  return {
    test: (v) => {
      const evaluations = v.step?.evaluations;
      if (!evaluations) return false;
      for (const evaluation of evaluations) {
        if (tests.every((test) => test(evaluation))) return explain(v, describe(evaluation));
      }
      return false;
    },
    cost: 8,
  };
}
