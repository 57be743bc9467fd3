import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BearerAuth, authenticator, bearerTokensSchema } from '../../src/net/auth.js';

const A = 'a'.repeat(20);
const B = 'b'.repeat(40);

describe('BearerAuth.check', () => {
  const auth = new BearerAuth([
    { name: 'one', token: A },
    { name: 'two', token: B },
  ]);

  it('names the token that matched', () => {
    expect(auth.check(`Bearer ${A}`)).toEqual({ ok: true, name: 'one' });
    expect(auth.check(`bearer  ${B} `)).toEqual({ ok: true, name: 'two' });
  });

  it('tells a missing, a malformed and an unknown token apart', () => {
    expect(auth.check(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check('')).toEqual({ ok: false, reason: 'missing' });
    expect(auth.check(`Basic ${A}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(auth.check(`Bearer ${A} extra`)).toEqual({ ok: false, reason: 'malformed' });
    expect(auth.check(`Bearer`)).toEqual({ ok: false, reason: 'malformed' });
    expect(auth.check(`Bearer ${A.slice(1)}`)).toEqual({ ok: false, reason: 'unknown_token' });
    expect(auth.check(`Bearer ${A}a`)).toEqual({ ok: false, reason: 'unknown_token' });
  });
});

describe('authenticator', () => {
  it('is absent when no token is configured', () => {
    expect(authenticator([], new Registry(), 'x')).toBeUndefined();
  });

  it('counts refusals by listener and reason, never by token', async () => {
    const registry = new Registry();
    const check = authenticator([{ name: 'one', token: A }], registry, 'otlp/http')!;
    check(undefined);
    check(`Bearer ${B}`);
    check(`Bearer ${A}`);
    const text = await registry.metrics();
    expect(text).toContain(
      'faultline_auth_refused_requests_total{listener="otlp/http",reason="missing"} 1',
    );
    expect(text).toContain(
      'faultline_auth_refused_requests_total{listener="otlp/http",reason="unknown_token"} 1',
    );
    expect(text).not.toContain(A);
    expect(text).not.toContain(B);
  });
});

describe('bearerTokensSchema', () => {
  it('refuses short, blank-containing and duplicate tokens without repeating them', () => {
    const result = bearerTokensSchema.safeParse([
      { name: 'short', token: 'tooShort-1234' },
      { name: 'spaced', token: 'has a space in it, long enough' },
    ]);
    expect(result.success).toBe(false);
    const messages = JSON.stringify(result.error!.issues.map((i) => [i.path, i.message]));
    expect(messages).toContain('at least 16 characters');
    expect(messages).toContain('whitespace');
    expect(messages).not.toContain('tooShort-1234');
    expect(messages).not.toContain('has a space');
    expect(
      bearerTokensSchema.safeParse([
        { name: 'same', token: A },
        { name: 'same', token: B },
      ]).success,
    ).toBe(false);
  });
});
