import { describe, expect, it } from 'vitest';
import { usSsnDetector } from '../../../../src/processors/redact/detectors/us-ssn.js';
import { found } from '../helpers.js';

describe('usSsnDetector', () => {
  it.each(['123-45-6789', '123 45 6789', '001-01-0001', '899-99-9999', '665-12-3456'])(
    'finds %s without context',
    (ssn) => {
      expect(found(usSsnDetector, `record ${ssn} updated`)).toEqual([ssn]);
    },
  );

  it('finds nine bare digits next to an SSN keyword, or in an attribute named so', () => {
    expect(found(usSsnDetector, 'SSN: 234567890')).toEqual(['234567890']);
    expect(found(usSsnDetector, 'my social security number is 234567890')).toEqual(['234567890']);
    expect(found(usSsnDetector, '234567890', 'customer.ssn')).toEqual(['234567890']);
    expect(found(usSsnDetector, 'SSN 234.56.7890')).toEqual(['234.56.7890']);
  });

  it.each([
    ['area 000', '000-12-3456'],
    ['area 666', '666-12-3456'],
    ['area 9xx', '912-34-5678'],
    ['group 00', '123-00-4567'],
    ['serial 0000', '123-45-0000'],
    ['the Woolworth wallet number', '078-05-1120'],
    ['mixed separators', '123-45 6789'],
    ['nine bare digits without a keyword', 'latency_ns=234567890'],
    ['dotted digits without a keyword', 'build 234.56.7890'],
    ['a phone number', '415-555-0132'],
    ['a date', '2024-01-15'],
    ['a longer number', '1234-56-78901'],
    ['a UUID fragment', 'a456-123-45-6789b'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(usSsnDetector, text)).toEqual([]);
  });
});
