/** Records whose keys a client chooses inherit nothing, and nothing can be planted in them. */
import { describe, expect, it } from 'vitest';
import { emptyRecord } from '../../src/model/attributes.js';

const OBJECT_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('a client record', () => {
  it('inherits no key', () => {
    const record = emptyRecord<string>();
    for (const key of OBJECT_KEYS) {
      expect(key in record).toBe(false);
      expect(record[key]).toBeUndefined();
    }
    expect(Object.keys(record)).toEqual([]);
  });

  it('keeps keys such as __proto__ and constructor as entries, in the order set', () => {
    const record = emptyRecord<string>();
    for (const key of OBJECT_KEYS) record[key] = `${key}!`;
    const iterated: string[] = [];
    for (const key in record) iterated.push(key);
    expect(iterated).toEqual(OBJECT_KEYS);
    expect(Object.keys(record)).toEqual(OBJECT_KEYS);
    expect(Object.hasOwn(record, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(record))).toEqual(
      Object.fromEntries(OBJECT_KEYS.map((key) => [key, `${key}!`])),
    );
  });

  it('shares a prototype that cannot be changed', () => {
    const shared = Object.getPrototypeOf(emptyRecord()) as Record<string, unknown>;
    expect(() => {
      shared.planted = true;
    }).toThrow(TypeError);
    expect('planted' in emptyRecord()).toBe(false);
  });
});
