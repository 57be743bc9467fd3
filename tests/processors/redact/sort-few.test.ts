/** sortFew orders as Array#sort does, stable, for a few items and for many. */
import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/prng.mjs';
import { sortFew } from '../../../src/processors/redact/sort-few.js';

interface Item {
  key: number;
  arrival: number;
}

const byKey = (a: Item, b: Item): number => a.key - b.key;

describe('sortFew', () => {
  it('gives the order of Array#sort, equal keys in arrival order, at every size', () => {
    const next = prng(7);
    for (let size = 0; size <= 40; size++) {
      for (let round = 0; round < 20; round++) {
        const items = Array.from({ length: size }, (_, arrival) => ({
          key: Math.floor(next() * 5),
          arrival,
        }));
        const expected = [...items].sort(byKey);
        expect(sortFew(items, byKey)).toEqual(expected);
      }
    }
  });

  it('sorts strings as Array#sort does by default', () => {
    const names = ['phone', 'email', 'Zeta', 'é', 'e', 'api_key', 'email'];
    expect(sortFew([...names], (a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual([...names].sort());
  });
});
