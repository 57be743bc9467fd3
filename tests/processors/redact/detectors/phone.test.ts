import { describe, expect, it } from 'vitest';
import { phoneDetector } from '../../../../src/processors/redact/detectors/phone.js';
import { found } from '../helpers.js';

describe('phoneDetector', () => {
  it.each([
    // International, E.164 and written out.
    '+14155550132',
    '+1 415-555-0132',
    '+1 (415) 555-0132',
    '+1.415.555.0132',
    '+44 20 7946 0958',
    '+44 7700 900123',
    '+44 (0)20 7946 0958',
    '+447700900123',
    '+33 1 23 45 67 89',
    '+49 30 1234567',
    '+49 151 23456789',
    '+39 347 555 0199',
    '+91 98765 43210',
    '+61 2 9876 5432',
    '+81 3-1234-5678',
    '+86 138 0013 8000',
    '+55 11 91234-5678',
    '+7 495 123-45-67',
    '0044 20 7946 0958',
    // National.
    '(415) 555-0132',
    '(415)555-0132',
    '415-555-0132',
    '415.555.0132',
    '415 555 0132',
    '1-800-555-0199',
    '020 7946 0958',
    '07700 900123',
    '01 23 45 67 89',
    '030 1234567',
    '030/1234567',
    '0151 23456789',
    '(02) 9876 5432',
    '8 (495) 123-45-67',
  ])('finds %s in running text', (number) => {
    expect(found(phoneDetector, `please call ${number} today`)).toEqual([number]);
    expect(found(phoneDetector, `{"phone":"${number}"}`)).toEqual([number]);
  });

  it('finds a bare number next to a phone keyword, or in an attribute named so', () => {
    expect(found(phoneDetector, 'my phone is 4155550132')).toEqual(['4155550132']);
    expect(found(phoneDetector, 'tel 07700900123')).toEqual(['07700900123']);
    expect(found(phoneDetector, '4155550132', 'user.phone')).toEqual(['4155550132']);
  });

  it('ends a number where a second one starts', () => {
    expect(found(phoneDetector, 'call 415 555 0132 2024 or 212-555-0147')).toEqual([
      '415 555 0132',
      '212-555-0147',
    ]);
  });

  it.each([
    ['a bare number without a keyword', 'order 4155550132 shipped'],
    ['an area code starting with 1', '123-456-7890'],
    ['seven digits', '555-1234'],
    ['an ISO date and time', '2024-01-15 10:30:45'],
    ['a US date', 'on 01/15/2024 at noon'],
    ['a European date with a time', '05 06 2024 10 30'],
    ['an ISBN', '978-3-16-148410-0'],
    ['a ZIP+4 code', '94107-1234'],
    ['a Windows build', '10.0.19045.3803'],
    ['a decimal', '"score":0.0434974564705044'],
    ['a 13-digit timestamp', 'ts=1700000000123'],
    ['a 19-digit timestamp', 'ts 1700000000123456789'],
    ['a UUID', '123e4567-e89b-12d3-a456-426614174000'],
    ['a trace id', '0af7651916cd43dd8448eb211c80319c'],
    ['a model name', 'gpt-4o-2024-08-06 and claude-sonnet-4-20250514'],
    ['a list of digits', '+1 2 3 4 5 6 7 8'],
    ['an IBAN printed in groups', 'NO55 0212 5698 511 and DK77 0725 0779 0000 35'],
    ['a number grouped evenly in fours', 'ref 0295 6317 2916 9645 2627'],
    ['a money amount', 'EUR 1.234.567,89'],
    ['a token count and duration', 'used 128000 tokens in 4155 ms'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(phoneDetector, text)).toEqual([]);
  });
});
