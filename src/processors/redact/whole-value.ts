import { BLOCKED_KEY, HASHED_KEY } from './config.js';
import type { Rewrite } from './modes.js';
import type { Pseudonymizer } from './pseudonym.js';
import type { RedactionTally } from './tally.js';

/**
 * What a blocked or hashed key's value becomes, whatever it holds: the value's text rewritten
 * by the `blocked_key` mode, or its pseudonym; undefined when it is dropped. Without a key
 * there are no pseudonyms, and a hashed key's value is dropped: a placeholder such as
 * `<REDACTED>` would reach the assemble processor as one user shared by everyone.
 */
export class WholeValueRules {
  constructor(
    /** Undefined when blocked values are dropped. */
    private readonly blocked: Rewrite | undefined,
    private readonly pseudonyms: Pseudonymizer | undefined,
  ) {}

  apply(action: 'block' | 'hash', text: string, tally: RedactionTally): string | undefined {
    if (action === 'block') {
      tally.add(BLOCKED_KEY);
      return this.blocked?.(text);
    }
    tally.add(HASHED_KEY);
    return this.pseudonyms?.of(text);
  }
}
