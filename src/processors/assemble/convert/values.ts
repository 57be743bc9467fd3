import { KeyValueList, attributeToText, emptyRecord } from '../../../model/attributes.js';
import type { AttributeValue, Attributes } from '../../../model/attributes.js';

/**
 * Readers for attribute values as the conventions write them. Every reader looks keys up
 * directly (no scan of the attribute map) and answers `''` / `undefined` for anything absent or
 * of an unexpected type, so a malformed span never throws.
 */

/** The first non-empty string among `keys`; '' when none. Names are strings in every convention. */
export function firstText(attributes: Attributes, keys: readonly string[]): string {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

/**
 * The first id among `keys` as text: ids are strings in the conventions, but applications set
 * numeric user and session ids too (`user.id: 12345`).
 */
export function firstId(attributes: Attributes, keys: readonly string[]): string {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string') {
      if (value !== '') return value;
    } else if (typeof value === 'bigint' || typeof value === 'number') {
      return String(value);
    }
  }
  return '';
}

/**
 * The first present value among `keys` as text, for values a convention may send structured
 * (GenAI tool arguments are `any`): arrays and kvlists become JSON, as in the stored map columns.
 */
export function firstAnyText(attributes: Attributes, keys: readonly string[]): string {
  for (const key of keys) {
    const value = attributes[key];
    if (value !== undefined && value !== '') return attributeToText(value);
  }
  return '';
}

/**
 * A count or an amount: a non-negative finite number from an int (bigint), a double or a numeric
 * string (SDKs that stringify numbers, JSON details). Anything else is `undefined`.
 */
export function toAmount(value: unknown): number | undefined {
  const number = toNumber(value);
  return number !== undefined && number >= 0 ? number : undefined;
}

/** A finite number, negative ones included (similarity scores may be below 0); booleans as 1/0. */
export function toNumber(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'bigint':
      return Number(value);
    case 'boolean':
      return value ? 1 : 0;
    case 'string': {
      if (value.trim() === '') return undefined;
      const number = Number(value);
      return Number.isFinite(number) ? number : undefined;
    }
    default:
      return undefined;
  }
}

/** The first amount among `keys`. */
export function firstAmount(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const amount = toAmount(attributes[key]);
    if (amount !== undefined) return amount;
  }
  return undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSON-like view of a value that may carry structure: JSON text is parsed, OTLP arrays and
 * kvlists are converted. `undefined` for plain text, scalars, bytes, and JSON that does not parse
 * (for instance cut by the receiver's value-length limit).
 */
export function structured(value: AttributeValue | undefined): unknown {
  if (typeof value === 'string') return parseJson(value);
  if (Array.isArray(value) || value instanceof KeyValueList) return toPlain(value);
  return undefined;
}

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;

/** Parses text that starts like a JSON array, object or string; `undefined` otherwise. */
export function parseJson(text: string): unknown {
  let at = 0;
  while (at < text.length && text.charCodeAt(at) <= 0x20) at++;
  const first = text.charCodeAt(at);
  // Only these can hold structure worth extracting; skipping the rest avoids a throw per span.
  if (first !== OPEN_BRACKET && first !== OPEN_BRACE && first !== QUOTE) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toPlain(value: AttributeValue): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof KeyValueList) {
    // No prototype: a client's `__proto__` key stays an ordinary entry.
    const plain = emptyRecord<unknown>();
    for (const key in value.entries) plain[key] = toPlain(value.entries[key]!);
    return plain;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return undefined;
  return value;
}

/**
 * Keys of a flattened list (`llm.input_messages.3.message.role`), built once per index and
 * reused: the per-span work is then a lookup, not a string concatenation. The cache grows only
 * to the highest index a span actually had, which the receiver's attribute limit bounds.
 */
export class IndexedKey {
  private readonly keys: string[] = [];

  constructor(
    private readonly prefix: string,
    private readonly suffix: string,
  ) {}

  at(index: number): string {
    return (this.keys[index] ??= `${this.prefix}${index}${this.suffix}`);
  }
}

/** The higher of two scores, where NaN means "no score yet" (unlike Math.max, which keeps NaN). */
export const higherScore = (top: number, score: number | undefined): number =>
  score !== undefined && (Number.isNaN(top) || score > top) ? score : top;
