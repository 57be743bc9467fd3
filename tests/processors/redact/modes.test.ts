import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mask, rewriteFor, tokenFor } from '../../../src/processors/redact/modes.js';
import { isPseudonym } from '../../../src/model/index.js';
import { Pseudonymizer } from '../../../src/processors/redact/pseudonym.js';

const KEY = 'a-test-key-of-32-characters-long';

describe('modes', () => {
  it('replace writes the entity token', () => {
    expect(rewriteFor('replace', 'email', undefined)('jane@example.com')).toBe('<EMAIL>');
    expect(tokenFor('credit_card')).toBe('<CREDIT_CARD>');
    expect(tokenFor('blocked_key')).toBe('<REDACTED>');
  });

  it('mask keeps the last four letters and digits and the separators', () => {
    expect(mask('4111 1111 1111 1111')).toBe('**** **** **** 1111');
    expect(mask('jane.doe@example.com')).toBe('****.***@******e.com');
    expect(mask('+1 (415) 555-0132')).toBe('+* (***) ***-0132');
  });

  it('mask stars short values entirely', () => {
    expect(mask('hunter2')).toBe('*******');
  });

  it('hash writes the pseudonym and drop writes nothing', () => {
    const pseudonyms = new Pseudonymizer(KEY);
    expect(rewriteFor('hash', 'email', pseudonyms)('jane@example.com')).toBe(
      pseudonyms.of('jane@example.com'),
    );
    expect(rewriteFor('drop', 'email', undefined)('jane@example.com')).toBe('');
  });
});

describe('Pseudonymizer', () => {
  it('is the first 32 lower-case hex characters of HMAC-SHA256(key, value)', () => {
    const expected = createHmac('sha256', KEY).update('user-42', 'utf8').digest('hex').slice(0, 32);
    expect(new Pseudonymizer(KEY).of('user-42')).toBe(expected);
    expect(isPseudonym(expected)).toBe(true);
  });

  it('maps equal values to equal pseudonyms under one key, and differs under another', () => {
    const one = new Pseudonymizer(KEY);
    expect(one.of('user-42')).toBe(one.of('user-42'));
    expect(one.of('user-42')).not.toBe(one.of('user-43'));
    expect(new Pseudonymizer(`${KEY}!`).of('user-42')).not.toBe(one.of('user-42'));
  });
});
