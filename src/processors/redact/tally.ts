import type { Attributes } from '../../model/index.js';
import { sortFew } from './sort-few.js';

/** The span attributes the processor writes; clients cannot set them (theirs are removed). */
export const AUDIT_COUNT = 'redaction.count';
export const AUDIT_ENTITIES = 'redaction.entities';

/** What was redacted in one place (a span, a resource): how many values, of which entities. */
export class RedactionTally {
  count = 0;
  readonly byEntity = new Map<string, number>();

  add(entity: string): void {
    this.count++;
    this.byEntity.set(entity, (this.byEntity.get(entity) ?? 0) + 1);
  }

  addAll(other: RedactionTally): void {
    // Most tallies are empty; iterating even an empty Map allocates an iterator.
    if (other.count === 0) return;
    this.count += other.count;
    for (const [entity, times] of other.byEntity) {
      this.byEntity.set(entity, (this.byEntity.get(entity) ?? 0) + times);
    }
  }

  /** Empty means `count` 0: V8's `Map#clear` allocates a new table even for an empty map. */
  reset(): void {
    if (this.count === 0) return;
    this.count = 0;
    this.byEntity.clear();
  }
}

/**
 * Writes `redaction.count` (int) and `redaction.entities` (sorted names) when anything was
 * redacted, and removes client-sent values of these keys either way, so the audit trail is
 * only ever the processor's.
 */
export function writeAudit(attributes: Attributes, tally: RedactionTally): void {
  if (tally.count === 0) {
    if (attributes[AUDIT_COUNT] !== undefined) delete attributes[AUDIT_COUNT];
    if (attributes[AUDIT_ENTITIES] !== undefined) delete attributes[AUDIT_ENTITIES];
    return;
  }
  attributes[AUDIT_COUNT] = BigInt(tally.count);
  attributes[AUDIT_ENTITIES] = sortFew([...tally.byEntity.keys()], byCodeUnits);
}

/** The order `Array#sort` gives strings by default. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
