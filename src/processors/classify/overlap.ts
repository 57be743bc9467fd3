import type { Rule } from './rule-schema.js';

/**
 * When several rules match one span (or one trace):
 * 1. one failure per class: the first rule in order wins (users' rules come before the
 *    built-ins, so a user's rule for `tool_error` replaces the built-in's message and severity);
 * 2. a class is dropped when a matching rule of another class lists it in `suppresses` — with
 *    the built-ins, a tool span that raised a TimeoutError is one `timeout`, not also
 *    `tool_error`, `exception` and `error_status`. Rules that lost step 1 still suppress, so
 *    replacing a built-in's message does not bring back what it stood in for.
 *    `overlap: keep_all` empties every `suppresses` list.
 * No rule suppresses its own class, and suppressions form no cycle (both checked at start-up).
 */
interface Overlapping {
  rule: { failureClass: string; suppresses: ReadonlySet<string> };
}

export function resolveOverlaps<M extends Overlapping>(matches: M[]): M[] {
  if (matches.length < 2) return matches;
  const classes = new Set<string>();
  const suppressed = new Set<string>();
  const distinct = matches.filter((match) => {
    for (const name of match.rule.suppresses) suppressed.add(name);
    if (classes.has(match.rule.failureClass)) return false;
    classes.add(match.rule.failureClass);
    return true;
  });
  return suppressed.size === 0
    ? distinct
    : distinct.filter((match) => !suppressed.has(match.rule.failureClass));
}

export interface SuppressionProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Suppressions that form a cycle (a user's rule of class A suppresses B, while a rule of
 * class B suppresses A): when those classes matched one span together, none would be kept.
 */
export function suppressionCycles(
  rules: { rule: Rule; path: (string | number)[] }[],
  userRuleCount: number,
): SuppressionProblem[] {
  const edges = new Map<string, Set<string>>();
  for (const { rule } of rules) {
    const targets = edges.get(rule.class) ?? new Set<string>();
    for (const suppressed of rule.suppresses) targets.add(suppressed);
    edges.set(rule.class, targets);
  }
  const problems: SuppressionProblem[] = [];
  rules.slice(0, userRuleCount).forEach(({ rule, path }) => {
    rule.suppresses.forEach((suppressed, index) => {
      const back = pathBetween(edges, suppressed, rule.class);
      if (!back) return;
      problems.push({
        path: [...path, 'suppresses', index],
        message: `suppressing "${suppressed}" makes a cycle (${[rule.class, ...back].join(' → ')}): when these classes match one span, none is kept`,
      });
    });
  });
  return problems;
}

/** The classes from `from` to `to` along suppressions (breadth first), or undefined. */
function pathBetween(
  edges: Map<string, Set<string>>,
  from: string,
  to: string,
): string[] | undefined {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i]!;
    if (current === to) {
      const path: string[] = [];
      for (let at: string | null | undefined = current; at; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const next of edges.get(current) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}
