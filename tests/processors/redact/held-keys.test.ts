import { describe, expect, it } from 'vitest';
import { redactConfigSchema } from '../../../src/processors/redact/config.js';
import { KeyRules, MAX_REMEMBERED_KEY_LENGTH } from '../../../src/processors/redact/key-rules.js';
import { compileRedaction } from '../../../src/processors/redact/redaction.js';
import { RedactionTally } from '../../../src/processors/redact/tally.js';
import { flatText, heldBytes } from '../../helpers/heap.js';

/**
 * Receivers bound attribute values, not keys: what redaction remembers per key must not grow
 * with keys a client makes long. A thousand distinct 16 KiB keys are 16 MiB of text.
 */
const KEYS = 1000;
const LONG_KEY = 16 * 1024;
const longKey = (seed: number, word = ''): string => `${word}${flatText(seed, LONG_KEY)}`;

describe('what redaction remembers per key', () => {
  it('keeps no long attribute key or member name in the key rules, and still decides them', async () => {
    const { bytes, held: rules } = await heldBytes(() => {
      const rules = new KeyRules({ blocked: ['*password*'], hashed: [], allowed: [], ignored: [] });
      for (let seed = 0; seed < KEYS; seed++) {
        expect(rules.attribute(longKey(seed))).toBe('scan');
        expect(rules.member(longKey(seed, 'password'))).toBe('block');
      }
      return rules;
    });
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(rules.member('x'.repeat(MAX_REMEMBERED_KEY_LENGTH + 1) + 'password')).toBe('block');
  });

  it('keeps no long key in the memo of clean strings or the secret detector', async () => {
    const { strings } = compileRedaction(
      redactConfigSchema.parse({ hmac_key: 'a-test-key-of-32-characters-long' }),
    );
    const { bytes } = await heldBytes(() => {
      for (let seed = 0; seed < KEYS; seed++) {
        expect(strings.redact('a clean short text', longKey(seed), new RedactionTally())).toBe(
          'a clean short text',
        );
      }
      return strings;
    });
    expect(bytes).toBeLessThan(1024 * 1024);
  });
});
