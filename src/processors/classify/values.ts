import { attributeToText, type AttributeValue } from '../../model/index.js';

/**
 * How conditions and templates read a value, whatever its type: attributes hold strings,
 * numbers, int64 bigints, booleans, arrays and kvlists; span and step fields hold strings,
 * numbers and string arrays. `undefined` is a key that is absent.
 */
export type Value = AttributeValue | undefined;

/** Present and not empty: '' and [] count as absent (step fields use '' for "unknown"). */
export function isPresent(value: Value): boolean {
  if (value === undefined || value === '') return false;
  return !Array.isArray(value) || value.length > 0;
}

/** True when `test` holds for the value, or for any element of an array value. */
export function someScalar(value: Value, test: (scalar: AttributeValue) => boolean): boolean {
  if (value === undefined) return false;
  if (!Array.isArray(value)) return test(value);
  for (const element of value) if (test(element)) return true;
  return false;
}

/** The value as a number: numbers, int64s and numeric strings; NaN for anything else. */
export function numberOf(value: AttributeValue): number {
  switch (typeof value) {
    case 'number':
      return value;
    case 'bigint':
      return Number(value);
    case 'string':
      return value.trim() === '' ? Number.NaN : Number(value);
    default:
      return Number.NaN;
  }
}

/** The value as text, as stored in ClickHouse maps (arrays as their elements, joined). */
export function textOf(value: Value): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((element) => attributeToText(element)).join(', ');
  return attributeToText(value);
}
