import type { Mode } from './config.js';
import type { Pseudonymizer } from './pseudonym.js';

/** Turns a matched value into what is stored instead ('' removes it). */
export type Rewrite = (original: string) => string;

/** `email` → `<EMAIL>`; values of blocked keys become `<REDACTED>`. */
export function tokenFor(entity: string): string {
  return entity === 'blocked_key' ? '<REDACTED>' : `<${entity.toUpperCase()}>`;
}

/**
 * The rewrite for one entity's mode, built once at start-up. `hash` needs a pseudonymizer;
 * the config refuses a hash mode without a key, so one is always there when asked for.
 */
export function rewriteFor(
  mode: Mode,
  entity: string,
  pseudonyms: Pseudonymizer | undefined,
): Rewrite {
  switch (mode) {
    case 'replace': {
      const token = tokenFor(entity);
      return () => token;
    }
    case 'mask':
      return mask;
    case 'hash':
      if (!pseudonyms) throw new Error(`mode "hash" for ${entity} needs an HMAC key`);
      return (original) => pseudonyms.of(original);
    case 'drop':
      return () => '';
  }
}

/** Letters and digits kept at the end by `mask`, and how many a value needs before any are kept. */
const KEEP = 4;
const KEEP_FROM = 8;

/**
 * Stars every letter and digit but the last four, keeping separators so the shape stays
 * readable: `4111 1111 1111 1111` → `**** **** **** 1111`, `jane@example.com` →
 * `****@******e.com`. Values with fewer than eight letters and digits are starred entirely,
 * since their last four would be most of them.
 */
export function mask(original: string): string {
  let alphanumerics = 0;
  for (let i = 0; i < original.length; i++) {
    if (isAlphanumeric(original.charCodeAt(i))) alphanumerics++;
  }
  const starred = alphanumerics >= KEEP_FROM ? alphanumerics - KEEP : alphanumerics;
  let seen = 0;
  let out = '';
  for (let i = 0; i < original.length; i++) {
    if (isAlphanumeric(original.charCodeAt(i)) && seen++ < starred) out += '*';
    else out += original[i];
  }
  return out;
}

function isAlphanumeric(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code >= 0x80
  );
}
