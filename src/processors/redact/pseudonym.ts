import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/** Hex characters of the HMAC kept in a pseudonym: 128 bits, as long as a trace id. */
export const PSEUDONYM_LENGTH = 32;

/**
 * Pseudonyms: the first 32 lower-case hex characters of HMAC-SHA256(key, value as UTF-8).
 * The format is a contract — other components recognise an already-pseudonymised user id by
 * it — so it must not change. Equal values give equal pseudonyms under one key; without the
 * key a pseudonym cannot be tied back to its value by trying candidates.
 */
export class Pseudonymizer {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  of(value: string): string {
    return createHmac('sha256', this.key)
      .update(value, 'utf8')
      .digest('hex')
      .slice(0, PSEUDONYM_LENGTH);
  }
}

/** True for a string in the pseudonym format (it may still be any other 32-hex-digit value). */
export const isPseudonym = (value: string): boolean => /^[0-9a-f]{32}$/.test(value);
