import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { PSEUDONYM_LENGTH } from '../../model/index.js';

/**
 * Pseudonyms in the model's format (`src/model/pseudonym.ts`): HMAC-SHA256(key, value as
 * UTF-8), cut to its length. Equal values give equal pseudonyms under one key; without the key
 * a pseudonym cannot be tied back to its value by trying candidates.
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
