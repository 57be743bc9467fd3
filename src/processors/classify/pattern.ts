/**
 * Regular expressions in rules are JavaScript syntax. A leading `(?i)` makes one
 * case-insensitive, as Go and Prometheus configs write it, since YAML has no `/…/i` literal.
 */
const CASE_INSENSITIVE = '(?i)';

/**
 * Rules are compiled once per step type (see span-conditions.ts); a pattern is compiled once
 * and shared, which is safe because none has the stateful `g` or `y` flag.
 */
const compiled = new Map<string, RegExp>();

/** Compiles a rule's pattern; throws a SyntaxError saying what is wrong with it. */
export function compilePattern(source: string): RegExp {
  let regex = compiled.get(source);
  if (!regex) {
    regex = source.startsWith(CASE_INSENSITIVE)
      ? new RegExp(source.slice(CASE_INSENSITIVE.length), 'i')
      : new RegExp(source);
    compiled.set(source, regex);
  }
  return regex;
}

/** Why `source` does not compile, or undefined when it does. */
export function patternProblem(source: string): string | undefined {
  try {
    compilePattern(source);
    return undefined;
  } catch (error) {
    // V8 says `Invalid regular expression: /<source>/<flags>: <reason>`; the reason is enough.
    const text = error instanceof Error ? error.message : String(error);
    return `invalid regex ${JSON.stringify(source)}: ${text.slice(text.lastIndexOf(': ') + 2)}`;
  }
}
