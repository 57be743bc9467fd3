import { CleanMemo } from './clean-memo.js';
import type { KeyRules } from './key-rules.js';
import { RedactionTally } from './tally.js';
import type { TextRedactor } from './text-redactor.js';
import type { WholeValueRules } from './whole-value.js';

/**
 * JSON text held in a JSON string (a tool call's arguments inside a message list) is followed
 * this many levels down; deeper, strings are scanned as text.
 */
const MAX_JSON_DEPTH = 4;
/** Arrays and objects nested deeper than this are scanned as text, which bounds the recursion. */
const MAX_JSON_NESTING = 64;
/** Integers this large (seven digits and more) may be phone or card numbers written as numbers. */
const LONG_NUMBER = 1_000_000;

class TooDeep extends Error {}

/**
 * Redacts a client's string. Text that is a JSON object or array (`input.value`,
 * `gen_ai.input.messages`, tool arguments and results, …) is parsed; its strings are redacted
 * one by one (their member names give context), key rules apply to its members, and the value
 * is re-serialised. Text that is not JSON, or too deeply nested, is scanned as text.
 */
export class StringRedactor {
  /**
   * One memo per JSON depth: at the deepest level JSON-looking text is scanned as text, so the
   * same string may be clean there and not at the top (an escaped `\u0040` only parsing sees).
   */
  private readonly memos = Array.from({ length: MAX_JSON_DEPTH + 1 }, () => new CleanMemo());

  constructor(
    private readonly text: TextRedactor,
    private readonly keys: KeyRules,
    private readonly whole: WholeValueRules,
  ) {}

  /** The redacted string; the same string when nothing was found. */
  redact(value: string, key: string, tally: RedactionTally, depth = 0): string {
    const memo = this.memos[Math.min(depth, MAX_JSON_DEPTH)]!;
    const memorable = value.length <= memo.maxLength;
    if (memorable && memo.has(key, value)) return value;
    const redacted = this.redactUnseen(value, key, tally, depth);
    if (memorable && redacted === value) memo.add(key, value);
    return redacted;
  }

  private redactUnseen(value: string, key: string, tally: RedactionTally, depth: number): string {
    if (depth < MAX_JSON_DEPTH && looksLikeJson(value)) {
      const redacted = this.redactJson(value, key, tally, depth);
      if (redacted !== undefined) return redacted;
    }
    return this.text.redact(value, key, tally);
  }

  /** An integer long enough to be a phone or card number is scanned as digits. */
  redactNumber<N extends number | bigint>(
    value: N,
    key: string,
    tally: RedactionTally,
  ): N | string {
    const long =
      typeof value === 'bigint'
        ? value >= LONG_NUMBER || value <= -LONG_NUMBER
        : Number.isInteger(value) && Math.abs(value) >= LONG_NUMBER;
    if (!long) return value;
    const digits = value.toString();
    const redacted = this.text.redact(digits, key, tally);
    return redacted === digits ? value : redacted;
  }

  /**
   * Undefined when the text is not JSON after all. Parsing is skipped when the raw text shows
   * nothing to redact: no detector finds anything in it, no member name is one a key rule
   * applies to, and it has no escapes (behind which `\u0040` could hide an `@`, or `\"` a
   * member name). Unchanged JSON is returned as it came, never re-serialised.
   */
  private redactJson(
    value: string,
    key: string,
    tally: RedactionTally,
    depth: number,
  ): string | undefined {
    if (
      !value.includes('\\') &&
      !this.keys.namesRuledMember(value) &&
      !this.text.finds(value, key)
    ) {
      return value;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
    const found = new RedactionTally();
    let redacted: unknown;
    try {
      redacted = this.jsonValue(parsed, key, found, depth, 0);
    } catch (error) {
      if (error instanceof TooDeep) return undefined;
      throw error;
    }
    if (found.count === 0) return value;
    tally.addAll(found);
    return JSON.stringify(redacted);
  }

  /** Redacts a parsed JSON value in place (the parse is ours); returns the value to keep. */
  private jsonValue(
    value: unknown,
    key: string,
    tally: RedactionTally,
    depth: number,
    nesting: number,
  ): unknown {
    if (typeof value === 'string') return this.redact(value, key, tally, depth + 1);
    if (typeof value === 'number') return this.redactNumber(value, key, tally);
    if (typeof value !== 'object' || value === null) return value;
    if (nesting >= MAX_JSON_NESTING) throw new TooDeep();
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        value[i] = this.jsonValue(value[i], key, tally, depth, nesting + 1);
      }
      return value;
    }
    // JSON.parse makes `__proto__` an own data property, so assigning and deleting it below
    // touch that property, never the prototype.
    const members = value as Record<string, unknown>;
    for (const name of Object.keys(members)) {
      const action = this.keys.member(name);
      if (action === 'block' || action === 'hash') {
        const member = members[name];
        const text = typeof member === 'string' ? member : JSON.stringify(member);
        const kept = this.whole.apply(action, text, tally);
        if (kept === undefined) delete members[name];
        else members[name] = kept;
      } else {
        members[name] = this.jsonValue(members[name], name, tally, depth, nesting + 1);
      }
    }
    return members;
  }
}

/** Starts with `{` or `[` and ends with `}` or `]`, white space aside: worth trying to parse. */
function looksLikeJson(value: string): boolean {
  let first = 0;
  while (first < value.length && value.charCodeAt(first) <= 32) first++;
  let last = value.length - 1;
  while (last > first && value.charCodeAt(last) <= 32) last--;
  const open = value.charCodeAt(first);
  const close = value.charCodeAt(last);
  return (open === 123 && close === 125) || (open === 91 && close === 93);
}
