/** The decoder's table of short strings: one string per distinct bytes, never a wrong one. */
import { describe, expect, it } from 'vitest';
import { InternTable } from '../../src/receivers/otlp/intern.js';

/** Looks `text` up at an offset inside a larger buffer, as the decoder does. */
function lookUp(table: InternTable, text: string, decoded: string[] = []): string {
  const buf = Buffer.concat([Buffer.from('<<'), Buffer.from(text, 'utf8'), Buffer.from('>>')]);
  const to = buf.length - 2;
  return table.get(buf, 2, to, (from, end) => {
    const made = buf.toString('utf8', from, end);
    decoded.push(made);
    return made;
  });
}

describe('the intern table', () => {
  it('hands out one string for the same bytes, decoded once', () => {
    const table = new InternTable(32, 64);
    const decoded: string[] = [];
    const first = lookUp(table, 'gpt-4o-mini', decoded);
    const second = lookUp(table, 'gpt-4o-mini', decoded);
    expect(second).toBe('gpt-4o-mini');
    expect(decoded).toEqual(['gpt-4o-mini']);
    expect(Object.is(first, second)).toBe(true);
  });

  it('returns each text itself when many share few slots', () => {
    const table = new InternTable(32, 8);
    const texts = ['', 'a', 'ab', 'abc', 'ba', 'é', 'e\u0301', '\u{1F600}'];
    for (let i = 0; i < 500; i++) texts.push(`value-${i}`, `value-${i}x`);
    for (let round = 0; round < 3; round++) {
      for (const text of texts) expect(lookUp(table, text)).toBe(text);
    }
  });

  it('keeps nothing when decoding fails, and decodes those bytes again', () => {
    const table = new InternTable(32, 64);
    const buf = Buffer.from([0x61, 0xff, 0x62]);
    let attempts = 0;
    const refuse = (): string => {
      attempts++;
      throw new Error('invalid UTF-8');
    };
    expect(() => table.get(buf, 0, 3, refuse)).toThrow('invalid UTF-8');
    expect(() => table.get(buf, 0, 3, refuse)).toThrow('invalid UTF-8');
    expect(attempts).toBe(2);
    expect(lookUp(table, 'after')).toBe('after');
  });

  it('refuses sizes it cannot keep: lengths past a byte, slots not a power of two', () => {
    expect(() => new InternTable(255, 64)).toThrow(RangeError);
    expect(() => new InternTable(32, 48)).toThrow(RangeError);
    expect(() => new InternTable(32, 64)).not.toThrow();
  });
});
