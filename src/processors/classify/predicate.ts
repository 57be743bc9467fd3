/**
 * A compiled condition and how much it costs to test, so that a conjunction tests the cheap
 * ones first and most spans are turned away by a comparison or two. A condition that can be
 * decided while compiling is folded away: `ALWAYS` when it holds whatever the input,
 * `undefined` when it can never hold (e.g. a `step_type: tool_call` rule compiled for LLM
 * steps), so a rule that cannot match a step type is not even tried on it.
 */
export type Test<View> = (view: View) => boolean;

export interface Check<View> {
  test: Test<View>;
  /** Relative cost: 1 compares a number, 4 reads an attribute, 7 runs a regex, 10 parses JSON. */
  cost: number;
}

/** A check that can never hold. */
export type Never = undefined;

const always = (): boolean => true;
export const ALWAYS: Check<unknown> = { test: always, cost: 0 };
const isAlways = <View>(check: Check<View>) => check.test === always;

const byCost = <View>(checks: Check<View>[]) => [...checks].sort((a, b) => a.cost - b.cost);
const totalCost = <View>(checks: Check<View>[]) => checks.reduce((sum, c) => sum + c.cost, 0);

/** All of `checks`, cheapest first; specialised for the short lists that are the common case. */
export function allOf<View>(checks: (Check<View> | Never)[]): Check<View> | Never {
  if (checks.includes(undefined)) return undefined;
  const sorted = byCost(checks as Check<View>[]).filter((check) => !isAlways(check));
  const tests = sorted.map((check) => check.test);
  const cost = totalCost(sorted);
  const [a, b] = tests;
  if (!a) return ALWAYS;
  if (!b) return { test: a, cost };
  if (tests.length === 2) return { test: (view) => a(view) && b(view), cost };
  return {
    test: (view) => {
      for (const test of tests) if (!test(view)) return false;
      return true;
    },
    cost,
  };
}

/** Any of `checks`, cheapest first. */
export function anyOf<View>(checks: (Check<View> | Never)[]): Check<View> | Never {
  const possible = checks.filter((check): check is Check<View> => check !== undefined);
  if (possible.length === 0) return undefined;
  if (possible.some(isAlways)) return ALWAYS;
  const sorted = byCost(possible);
  const tests = sorted.map((check) => check.test);
  const [only] = tests;
  if (tests.length === 1 && only) return { test: only, cost: totalCost(sorted) };
  return {
    test: (view) => {
      for (const test of tests) if (test(view)) return true;
      return false;
    },
    cost: totalCost(sorted),
  };
}

export function not<View>(check: Check<View> | Never): Check<View> | Never {
  if (check === undefined) return ALWAYS;
  if (isAlways(check)) return undefined;
  const { test } = check;
  return { test: (view) => !test(view), cost: check.cost };
}
