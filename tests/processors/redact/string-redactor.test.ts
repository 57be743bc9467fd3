import { describe, expect, it } from 'vitest';
import { redactConfigSchema } from '../../../src/processors/redact/config.js';
import { compileRedaction } from '../../../src/processors/redact/redaction.js';
import { Pseudonymizer } from '../../../src/processors/redact/pseudonym.js';
import { RedactionTally } from '../../../src/processors/redact/tally.js';

const KEY = 'a-test-key-of-32-characters-long';

function redactor(config: Record<string, unknown> = {}) {
  const { strings } = compileRedaction(redactConfigSchema.parse({ hmac_key: KEY, ...config }));
  return (text: string, key = '') => {
    const tally = new RedactionTally();
    return { out: strings.redact(text, key, tally), tally };
  };
}

describe('StringRedactor on text', () => {
  const redact = redactor();

  it('replaces each finding by its token and counts it', () => {
    const { out, tally } = redact('mail jane@example.com or call (415) 555-0132');
    expect(out).toBe('mail <EMAIL> or call <PHONE>');
    expect(Object.fromEntries(tally.byEntity)).toEqual({ email: 1, phone: 1 });
  });

  it('returns the very same string when nothing is found', () => {
    const text = `trace 0af7651916cd43dd8448eb211c80319c took 1500ms, ${'x'.repeat(20)}`;
    expect(redact(text).out).toBe(text);
    expect(redact(text).out).toBe(text); // and again, from the memo of clean strings
  });
});

describe('StringRedactor on JSON in a string', () => {
  const redact = redactor();

  it('redacts string leaves and re-serialises, keeping the structure', () => {
    const messages = JSON.stringify([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'I am jane@example.com, card 4111 1111 1111 1111' },
    ]);
    const { out } = redact(messages, 'gen_ai.input.messages');
    expect(JSON.parse(out)).toEqual([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'I am <EMAIL>, card <CREDIT_CARD>' },
    ]);
  });

  it('applies key rules to members: blocked values replaced, user ids pseudonymised', () => {
    const { out, tally } = redact('{"username":"li","password":"hunter22","user_id":"u-42","n":1}');
    expect(JSON.parse(out)).toEqual({
      username: 'li',
      password: '<REDACTED>',
      user_id: new Pseudonymizer(KEY).of('u-42'),
      n: 1,
    });
    expect(Object.fromEntries(tally.byEntity)).toEqual({ blocked_key: 1, hashed_key: 1 });
  });

  it('applies key rules whatever white space stands between a member name and its colon', () => {
    for (const gap of ['  ', '\t', '\n', '\r\n ']) {
      const { out, tally } = redact(`{"user_id"${gap}: "u-42", "cvv"${gap}:"123"}`);
      expect(JSON.parse(out)).toEqual({
        user_id: new Pseudonymizer(KEY).of('u-42'),
        cvv: '<REDACTED>',
      });
      expect(Object.fromEntries(tally.byEntity)).toEqual({ blocked_key: 1, hashed_key: 1 });
    }
  });

  it('takes a member named like a secret whole, whatever white space is around its colon', () => {
    const { out } = redact('{"id": 7,\n  "signing_key"\n  :\n  "k9x8c7v6"}');
    expect(JSON.parse(out)).toEqual({ id: 7, signing_key: '<SECRET>' });
  });

  it('finds what JSON escapes hide', () => {
    const { out } = redact('{"c":"write to jane\\u0040example.com\\nor call +44 20 7946 0958"}');
    expect(JSON.parse(out)).toEqual({ c: 'write to <EMAIL>\nor call <PHONE>' });
  });

  it('follows JSON held in a JSON string (tool call arguments inside a message)', () => {
    const inner = JSON.stringify({ email: 'jane@example.com', limit: 5 });
    const { out } = redact(
      JSON.stringify([{ role: 'assistant', tool_calls: [{ arguments: inner }] }]),
    );
    const parsed = JSON.parse(out) as { tool_calls: { arguments: string }[] }[];
    expect(JSON.parse(parsed[0]!.tool_calls[0]!.arguments)).toEqual({ email: '<EMAIL>', limit: 5 });
  });

  it('scans numbers long enough to be phone or card numbers, with the member name as context', () => {
    const { out } = redact(
      '{"phone": 4155550132, "card": 4111111111111111, "created_ms": 1700000000123}',
    );
    expect(JSON.parse(out)).toEqual({
      phone: '<PHONE>',
      card: '<CREDIT_CARD>',
      created_ms: 1700000000123,
    });
  });

  it('returns unchanged JSON as it came, formatting and all', () => {
    const text = '{\n  "role": "user",\n  "content": "hello"\n}';
    expect(redact(text).out).toBe(text);
  });

  it('scans text that only looks like JSON as text', () => {
    const truncated = '{"content": "call me at 415-555-0132 or jane@exam';
    expect(redact(`${truncated}}`).out).toBe('{"content": "call me at <PHONE> or jane@exam}');
  });

  it('scans JSON nested too deeply to walk as text', () => {
    const deep = `${'['.repeat(100)}"jane@example.com"${']'.repeat(100)}`;
    expect(redact(deep).out).toBe(`${'['.repeat(100)}"<EMAIL>"${']'.repeat(100)}`);
  });

  it('does not let a value found clean deep down pass unparsed at the top', () => {
    // Four levels of JSON in JSON strings: at the deepest, JSON-looking text is scanned as text,
    // where the escaped @ is invisible. The same text at the top must still be parsed.
    const inner = '{"c":"jane\\u0040example.com"}';
    let nested = inner;
    for (let level = 0; level < 4; level++) nested = JSON.stringify({ a: nested });
    redact(nested);
    expect(JSON.parse(redact(inner, 'a').out)).toEqual({ c: '<EMAIL>' });
  });

  it('treats a __proto__ member as data', () => {
    const { out } = redact('{"__proto__":{"password":"hunter22","note":"jane@example.com"}}');
    expect(out).toBe('{"__proto__":{"password":"<REDACTED>","note":"<EMAIL>"}}');
    expect(({} as Record<string, unknown>).password).toBeUndefined();
  });

  it('removes a blocked member in drop mode', () => {
    const drop = redactor({ modes: { blocked_key: 'drop' } });
    expect(JSON.parse(drop('{"password":"hunter22","user":"li"}').out)).toEqual({ user: 'li' });
  });

  it('uses the member name as context for the detectors', () => {
    const noKeyRules = redactor({ blocked_keys: [], hash_keys: [] });
    expect(JSON.parse(noKeyRules('{"ssn":"234567890","id":"234567890"}').out)).toEqual({
      ssn: '<US_SSN>',
      id: '234567890',
    });
  });
});
