import { describe, expect, it } from 'vitest';
import { keptSlice } from '../../src/model/text.js';
import { flatText, heldBytes } from '../helpers/heap.js';

describe('keptSlice', () => {
  it('is the slice of the text', () => {
    const text = flatText(1, 10_000);
    expect(keptSlice(text, 0, 256)).toBe(text.slice(0, 256));
    expect(keptSlice(text, 5000, 5100)).toBe(text.slice(5000, 5100));
    expect(keptSlice('short text', 0, 5)).toBe('short');
    expect(keptSlice('abc', 0, 10)).toBe('abc');
  });

  it('keeps only the slice alive, not the long text it was cut from', async () => {
    const count = 200;
    const { bytes } = await heldBytes(() =>
      Array.from({ length: count }, (_, i) => keptSlice(flatText(i, 100_000), 1000, 1256)),
    );
    // A view of each text would keep 100 KB alive; the slice itself is ~300 bytes.
    expect(bytes / count).toBeLessThan(2048);
  });

  it('copies a short slice of most of the text, so a preview does not keep its message', async () => {
    const count = 500;
    const { bytes } = await heldBytes(() =>
      Array.from({ length: count }, (_, i) => keptSlice(flatText(i, 1000), 0, 600)),
    );
    // A view would keep each 1,000-character text; the copy is ~600 bytes.
    expect(bytes / count).toBeLessThan(800);
  });
});
