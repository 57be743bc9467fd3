import { describe, expect, it } from 'vitest';
import { emptyRecord, type AttributeValue } from '../../../src/model/attributes.js';
import { RedactionTally, writeAudit } from '../../../src/processors/redact/tally.js';

const entries = (tally: RedactionTally) => [...tally.byEntity];

describe('RedactionTally', () => {
  it('counts per entity and adds other tallies', () => {
    const span = new RedactionTally();
    span.add('email');
    span.add('phone');
    span.add('email');
    const total = new RedactionTally();
    total.add('phone');
    total.addAll(span);
    total.addAll(new RedactionTally());
    expect(total.count).toBe(4);
    expect(entries(total)).toEqual([
      ['phone', 2],
      ['email', 2],
    ]);
  });

  it('starts over after a reset, whether or not it held anything', () => {
    const tally = new RedactionTally();
    tally.reset();
    tally.add('iban');
    tally.reset();
    expect(tally.count).toBe(0);
    expect(entries(tally)).toEqual([]);
    tally.add('jwt');
    expect(entries(tally)).toEqual([['jwt', 1]]);
  });

  it("writes no audit for an empty tally and removes a client's", () => {
    const attributes = emptyRecord<AttributeValue>();
    attributes['redaction.count'] = 7n;
    attributes['redaction.entities'] = ['made', 'up'];
    const tally = new RedactionTally();
    tally.add('email');
    tally.reset();
    writeAudit(attributes, tally);
    expect(Object.keys(attributes)).toEqual([]);
  });
});
