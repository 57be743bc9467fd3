import { describe, expect, it } from 'vitest';
import { KeyRules, keyMatcher } from '../../../src/processors/redact/key-rules.js';

describe('keyMatcher', () => {
  it('matches exact names and globs, ignoring case', () => {
    const matches = keyMatcher(['user.id', '*password*', 'http.request.header.?-api-key']);
    expect(matches('user.id')).toBe(true);
    expect(matches('user.identity')).toBe(false);
    expect(matches('db.password.hash')).toBe(true);
    expect(matches('http.request.header.x-api-key')).toBe(true);
    expect(matches('http.request.header.xx-api-key')).toBe(false);
  });

  it('treats regex characters in patterns literally', () => {
    const matches = keyMatcher(['a.b', 'c+d*']);
    expect(matches('axb')).toBe(false);
    expect(matches('c+dee')).toBe(true);
  });

  it('matches nothing for an empty list', () => {
    expect(keyMatcher([])('anything')).toBe(false);
  });
});

describe('KeyRules', () => {
  const rules = new KeyRules({
    blocked: ['*password*', 'authorization'],
    hashed: ['user.id'],
    allowed: [],
    ignored: ['debug.*', 'db.password.policy'],
  });

  it('applies ignored, blocked, hashed, then scan — ignored first, as in the Collector', () => {
    expect(rules.attribute('debug.raw')).toBe('ignore');
    expect(rules.attribute('db.password.policy')).toBe('ignore');
    expect(rules.attribute('db.password')).toBe('block');
    expect(rules.attribute('Authorization')).toBe('block');
    expect(rules.attribute('user.id')).toBe('hash');
    expect(rules.attribute('gen_ai.prompt')).toBe('scan');
  });

  it('fails closed in allow-list mode: keys not allowed are denied, allowed ones still scanned', () => {
    const allowList = new KeyRules({
      blocked: ['*secret*'],
      hashed: [],
      allowed: ['service.*', 'http.*'],
      ignored: [],
    });
    expect(allowList.attribute('service.name')).toBe('scan');
    expect(allowList.attribute('http.client_secret')).toBe('block');
    expect(allowList.attribute('user.email')).toBe('deny');
    expect(allowList.attribute('__proto__')).toBe('deny');
  });

  it('applies only blocked and hashed rules to nested members', () => {
    expect(rules.member('debug.raw')).toBe('scan');
    expect(rules.member('password')).toBe('block');
    expect(rules.member('user.id')).toBe('hash');
  });

  it('reads JSON member names without parsing, to decide whether to parse', () => {
    expect(rules.namesRuledMember('{"role":"user","content":"hi"}')).toBe(false);
    expect(rules.namesRuledMember('{"username":"li","password":"x"}')).toBe(true);
    expect(rules.namesRuledMember('{"user.id" : 42}')).toBe(true);
  });

  it('reads a member name followed by any white space JSON allows before its colon', () => {
    for (const gap of ['  ', '\t', '\n', '\r\n', ' \n\t ']) {
      expect(rules.namesRuledMember(`{"role":"user","user.id"${gap}: 42}`)).toBe(true);
      expect(rules.namesRuledMember(`{"role"${gap}:"user"}`)).toBe(false);
    }
    // A colon inside a value, or one that follows no quote, names nothing.
    expect(rules.namesRuledMember('{"url":"https://x.test/password:1"}')).toBe(false);
    expect(rules.namesRuledMember(':"password":')).toBe(true);
    expect(rules.namesRuledMember(': x')).toBe(false);
  });
});
