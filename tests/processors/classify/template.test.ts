import { describe, expect, it } from 'vitest';
import { finishMessage } from '../../../src/processors/classify/template.js';
import { flatText, heldBytes } from '../../helpers/heap.js';

describe('finishMessage', () => {
  it('cuts a long message to maxLength characters, ending with an ellipsis', () => {
    const message = finishMessage(`tool failed: ${flatText(1, 10_000)}`, 200);
    expect(message).toHaveLength(200);
    expect(message.startsWith('tool failed: 1 a line of output')).toBe(true);
    expect(message.endsWith('…')).toBe(true);
  });

  it('keeps only the message alive, not a long field it was cut from', async () => {
    const count = 200;
    const { bytes } = await heldBytes(() =>
      Array.from({ length: count }, (_, i) => [
        finishMessage(flatText(i, 100_000), 200),
        // Dangling separators are cut too: a short message from a long field.
        finishMessage(`tool ${i} failed: ${'-'.repeat(100_000)}`, 200),
      ]),
    );
    expect(bytes / count).toBeLessThan(4096);
  });
});
