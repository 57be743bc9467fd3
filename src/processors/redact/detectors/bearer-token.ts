import type { Detector } from './detector.js';

/**
 * `Bearer <token>` anywhere, and the credentials of an `Authorization` header in any scheme
 * (`Authorization: Basic dXNlcjpwYXNz`, `authorization=Token abc…`). Group 1 is the credential;
 * the scheme stays readable: `Authorization: Bearer <BEARER_TOKEN>`.
 */
const PATTERN =
  /(?:\bbearer\s+|\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:basic|bearer|token|apikey|api-key|key|sso-key|negotiate)\s+)?)([A-Za-z0-9\-._~+/]+=*)/gi;

/**
 * Credentials in HTTP authorization: a bearer token, or what follows `Authorization:`. A token
 * must look like one — eight characters or more, with a digit or a symbol or mixed case — so
 * prose such as "bearer authentication failed" is left alone.
 */
export const bearerTokenDetector: Detector = {
  entity: 'bearer_token',
  minLength: 14,
  mightMatch: (probe) => MIGHT_MATCH.test(probe.text),
  scan(text, _key, found) {
    PATTERN.lastIndex = 0;
    for (let match = PATTERN.exec(text); match; match = PATTERN.exec(text)) {
      const token = match[1]!;
      if (!looksLikeToken(token)) continue;
      const end = match.index + match[0].length;
      found(end - token.length, end);
    }
  },
};

const MIGHT_MATCH = /bearer|authorization/i;

function looksLikeToken(token: string): boolean {
  if (token.length < 8) return false;
  return /[0-9\-._~+/=]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token));
}
