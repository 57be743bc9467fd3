import { VALIDATORS, type ValidatorName } from './checksums.js';
import type { Detector } from './detector.js';
import { hasContext, keywordPattern } from './text.js';

export interface CustomDetectorSpec {
  name: string;
  regex: string;
  ignore_case: boolean;
  context_keywords: readonly string[];
  validator?: ValidatorName | undefined;
}

/**
 * A detector from the config: every match of `regex` that passes the optional check-digit
 * `validator` and, when `context_keywords` are given, has one of them in the attribute key or
 * shortly before it.
 */
export function customDetector(spec: CustomDetectorSpec): Detector {
  const pattern = new RegExp(spec.regex, spec.ignore_case ? 'gi' : 'g');
  const context = spec.context_keywords.length ? keywordPattern(spec.context_keywords) : undefined;
  const validate = spec.validator ? VALIDATORS[spec.validator] : undefined;
  return {
    entity: spec.name,
    minLength: 1,
    mightMatch: () => true,
    scan(text, key, found) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
        const start = match.index;
        const end = start + match[0].length;
        if (end === start) {
          pattern.lastIndex++; // an empty match would never advance
          continue;
        }
        if (validate && !validate(match[0])) continue;
        if (context && !hasContext(text, start, key, context)) continue;
        found(start, end);
      }
    },
  };
}

/**
 * What is wrong with a custom pattern, or undefined. Checks that it compiles, that it cannot
 * match the empty string, and — cheaply, by reading the source — that no group holding an
 * unbounded quantifier is itself repeated without bound (`(a+)+`, `(\w+\s?)*`), the shape
 * behind catastrophic backtracking. Overlapping alternatives (`(a|a)+`) are not caught.
 */
export function patternProblem(source: string): string | undefined {
  try {
    new RegExp(source);
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
  if (new RegExp(`^(?:${source})$`).test('')) return 'the pattern matches the empty string';
  if (nestedUnboundedQuantifier(source)) {
    return 'a repeated group holds an unbounded quantifier (like (a+)+), which can backtrack catastrophically; rewrite it without the nesting';
  }
  return undefined;
}

/** Reads the pattern's groups and quantifiers; true for a repeated group with `*`, `+` or `{n,}` inside. */
function nestedUnboundedQuantifier(source: string): boolean {
  const innerUnbounded: boolean[] = [false];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
    } else if (ch === '(') {
      innerUnbounded.push(false);
    } else if (ch === ')') {
      const inner = innerUnbounded.pop() ?? false;
      const quantifier = quantifierAt(source, i + 1);
      if (inner && quantifier === 'unbounded') return true;
      const top = innerUnbounded.length - 1;
      if (top >= 0)
        innerUnbounded[top] = innerUnbounded[top]! || inner || quantifier === 'unbounded';
    } else if (quantifierAt(source, i) === 'unbounded') {
      innerUnbounded[innerUnbounded.length - 1] = true;
    }
  }
  return false;
}

/** `*`, `+`, `{n,}` and wide `{n,m}` repeat without a useful bound. */
function quantifierAt(source: string, index: number): 'unbounded' | 'bounded' | 'none' {
  const ch = source[index];
  if (ch === '*' || ch === '+') return 'unbounded';
  if (ch === '?') return 'bounded';
  if (ch !== '{') return 'none';
  const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(index));
  if (!match) return 'none';
  if (match[2] === undefined) return 'bounded';
  if (match[3] === '') return 'unbounded';
  return Number(match[3]) - Number(match[1]) > 10 ? 'unbounded' : 'bounded';
}
