import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { JsonLinesEncoder } from '../../src/exporters/helper/encoder.js';

const MiB = 1024 * 1024;

describe('JsonLinesEncoder', () => {
  it('cuts rows into chunks of at most max bytes, a larger row alone, rows intact', async () => {
    const encoder = new JsonLinesEncoder<string>({
      row: (text) => JSON.stringify({ text }),
      key: (text) => ({ text }),
      maxChunkBytes: 40,
      sliceMs: 10,
    });
    const items = ['a'.repeat(5), 'b'.repeat(5), 'c'.repeat(5), 'd'.repeat(60), 'e'];
    const { chunks, unencodable } = await encoder.encode(items);
    expect(unencodable).toEqual([]);
    const rows = chunks.flatMap((chunk) => chunk.payload.toString().split('\n'));
    expect(rows.map((row) => (JSON.parse(row) as { text: string }).text)).toEqual(items);
    expect(chunks.map((chunk) => chunk.rows)).toEqual([2, 1, 1, 1]);
    for (const chunk of chunks.filter((c) => c.rows > 1))
      expect(chunk.payload.length).toBeLessThanOrEqual(40);
  });

  it('reports a row it cannot serialise with the reason, and encodes the others', async () => {
    const encoder = new JsonLinesEncoder<number>({
      row: (n) => {
        if (n === 2) throw new RangeError('Invalid string length');
        return JSON.stringify({ n });
      },
      key: (n) => ({ n: String(n) }),
      maxChunkBytes: MiB,
      sliceMs: 10,
    });
    const { chunks, unencodable } = await encoder.encode([1, 2, 3]);
    expect(chunks.map((c) => c.payload.toString())).toEqual(['{"n":1}\n{"n":3}']);
    expect(unencodable).toEqual([
      { reason: 'unserializable: Invalid string length', key: { n: '2' } },
    ]);
  });

  it('encodes a batch larger than the longest string V8 can build, in chunks, yielding between slices', async () => {
    // One 1 MiB row, reused: the batch's rows add up to more than a string can hold, so
    // joining them into one string, as a single payload would, throws "Invalid string length".
    const row = `{"x":"${'x'.repeat(MiB - 8)}"}`;
    const count = Math.ceil(constants.MAX_STRING_LENGTH / row.length) + 1;
    expect(() => Array.from({ length: count }, () => row).join('\n')).toThrow(RangeError);
    let yields = 0;
    const ticker = setInterval(() => yields++, 0);
    const encoder = new JsonLinesEncoder<number>({
      row: () => row,
      key: (n) => ({ n: String(n) }),
      maxChunkBytes: 32 * MiB,
      sliceMs: 10,
    });
    const items = Array.from({ length: count }, (_, i) => i);
    const { chunks, unencodable } = await encoder.encode(items);
    clearInterval(ticker);
    expect(unencodable).toEqual([]);
    expect(chunks.reduce((sum, chunk) => sum + chunk.rows, 0)).toBe(count);
    expect(chunks.reduce((sum, chunk) => sum + chunk.payload.length, 0)).toBeGreaterThan(
      constants.MAX_STRING_LENGTH,
    );
    for (const chunk of chunks) expect(chunk.payload.length).toBeLessThanOrEqual(32 * MiB);
    // Timers ran while it encoded: the event loop was not held for the whole batch.
    expect(yields).toBeGreaterThan(0);
  }, 60_000);
});
