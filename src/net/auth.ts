import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { perRegistry } from '../telemetry/per-registry.js';

/** Shortest token accepted: a guessable token is worse than none, because it looks safe. */
export const MIN_TOKEN_LENGTH = 16;

const tokenValue = z
  .string()
  .min(MIN_TOKEN_LENGTH, `a token must be at least ${MIN_TOKEN_LENGTH} characters`)
  .refine((value) => !/\s/.test(value), 'a token must not contain whitespace');

/** A single token that may be left empty (no authentication). */
export const optionalTokenValue = z
  .string()
  .default('')
  .refine(
    (value) => value === '' || tokenValue.safeParse(value).success,
    `a token must be at least ${MIN_TOKEN_LENGTH} characters without whitespace (or empty for none)`,
  );

/**
 * Named bearer tokens. Values belong in the environment (`${env:NAME}`); names label metrics
 * and logs, values never do. Error messages here never repeat a value.
 */
export const bearerTokensSchema = z
  .array(
    z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a token name is 1-64 letters, digits, . _ or -'),
        token: tokenValue,
      })
      .strict(),
  )
  .default([])
  .refine((tokens) => new Set(tokens.map((t) => t.name)).size === tokens.length, {
    message: 'token names must be unique',
  });

export type BearerTokens = z.infer<typeof bearerTokensSchema>;

/** Why a request was refused; the `reason` label of faultline_auth_refused_requests_total. */
export type AuthRefusal = 'missing' | 'malformed' | 'unknown_token';

export type AuthResult = { ok: true; name: string } | { ok: false; reason: AuthRefusal };

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against a list of named tokens. Every configured
 * token is compared, in constant time over fixed-length digests, so neither the position of
 * a match nor a token's length shows in the response time.
 */
export class BearerAuth {
  private readonly tokens: { name: string; digest: Buffer }[];

  constructor(tokens: BearerTokens) {
    this.tokens = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  }

  /** False when no token is configured: every request is let through. */
  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  check(authorization: string | undefined): AuthResult {
    if (!this.enabled) return { ok: true, name: '' };
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) return { ok: false, reason: 'malformed' };
    const given = digest(match[1]!);
    let found = '';
    for (const token of this.tokens) {
      if (timingSafeEqual(given, token.digest) && !found) found = token.name;
    }
    return found ? { ok: true, name: found } : { ok: false, reason: 'unknown_token' };
  }
}

/** Refused requests of every authenticated listener (OTLP gRPC, OTLP HTTP, admin). */
export class AuthMetrics {
  readonly refused: Counter<'listener' | 'reason'>;

  static readonly for = perRegistry((registry) => new AuthMetrics(registry));

  private constructor(registry: Registry) {
    this.refused = new Counter({
      name: 'faultline_auth_refused_requests_total',
      help: 'Requests refused for a missing, malformed or unknown bearer token, by listener.',
      labelNames: ['listener', 'reason'],
      registers: [registry],
    });
  }
}

/** The one sentence every listener answers a refused request with (never echoing the header). */
export function authRefusalMessage(reason: AuthRefusal): string {
  switch (reason) {
    case 'missing':
      return 'authentication required: send Authorization: Bearer <token>';
    case 'malformed':
      return 'malformed Authorization header: expected Bearer <token>';
    case 'unknown_token':
      return 'the bearer token is not valid';
  }
}

/** Checks one request's Authorization header and counts a refusal under `listener`. */
export type Authenticate = (authorization: string | undefined) => AuthResult;

/** The check a listener runs per request; undefined (nothing to run) when no token is configured. */
export function authenticator(
  tokens: BearerTokens,
  registry: Registry,
  listener: string,
): Authenticate | undefined {
  if (tokens.length === 0) return undefined;
  const auth = new BearerAuth(tokens);
  const refused = AuthMetrics.for(registry).refused;
  return (authorization) => {
    const result = auth.check(authorization);
    if (!result.ok) refused.inc({ listener, reason: result.reason });
    return result;
  };
}
