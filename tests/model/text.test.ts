import { describe, expect, it } from 'vitest';
import { keptPrefix } from '../../src/model/text.js';
import { flatText, heldBytes } from '../helpers/heap.js';

describe('keptPrefix', () => {
  it('is the first characters of the text', () => {
    const text = flatText(1, 10_000);
    expect(keptPrefix(text, 256)).toBe(text.slice(0, 256));
    expect(keptPrefix('short text', 5)).toBe('short');
    expect(keptPrefix('abc', 10)).toBe('abc');
  });

  it('keeps only the cut alive, not the long text it was cut from', async () => {
    const count = 200;
    const { bytes } = await heldBytes(() =>
      Array.from({ length: count }, (_, i) => keptPrefix(flatText(i, 100_000), 256)),
    );
    // A view of each text would keep 100 KB alive; the cut itself is ~300 bytes.
    expect(bytes / count).toBeLessThan(2048);
  });
});
