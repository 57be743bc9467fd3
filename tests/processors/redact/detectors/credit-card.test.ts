import { describe, expect, it } from 'vitest';
import { creditCardDetector } from '../../../../src/processors/redact/detectors/credit-card.js';
import { found } from '../helpers.js';

describe('creditCardDetector', () => {
  it.each([
    ['Visa', '4111111111111111'],
    ['Visa in fours', '4111 1111 1111 1111'],
    ['Visa with dashes', '4111-1111-1111-1111'],
    ['Visa with dots', '4111.1111.1111.1111'],
    ['Visa, 19 digits', '4111 1111 1111 1111 003'],
    ['Mastercard', '5555 5555 5555 4444'],
    ['Mastercard 2-series', '2223 0031 2200 3222'],
    ['American Express 4-6-5', '3782 822463 10005'],
    ['American Express', '371449635398431'],
    ['Discover', '6011 1111 1111 1117'],
    ['JCB', '3530 1113 3330 0000'],
    ['Diners Club 4-6-4', '3056 930902 5904'],
    ['UnionPay', '6200000000000005'],
  ])('finds a %s number', (_issuer, number) => {
    expect(found(creditCardDetector, `card=${number};`)).toEqual([number]);
    expect(found(creditCardDetector, `charged ${number} for $12.50`)).toEqual([number]);
  });

  it('finds the card in a run that goes on (a card, then an expiry year or a code)', () => {
    expect(found(creditCardDetector, 'card 4111 1111 1111 1111 2027')).toEqual([
      '4111 1111 1111 1111',
    ]);
    expect(found(creditCardDetector, 'card 4111111111111111 123')).toEqual(['4111111111111111']);
    expect(found(creditCardDetector, 'amex 378282246310005 1')).toEqual(['378282246310005']);
  });

  it.each([
    ['a number failing Luhn', '4111 1111 1111 1112'],
    ['a bare number failing Luhn', '5555555555554445'],
    ['an unknown issuer', '1234 5678 9012 3452'],
    ['a Luhn-valid number of a length its issuer does not use', '411111111111116'],
    ['all zeros', '0000 0000 0000 0000'],
    ['a 13-digit number starting with 4 (Visa no longer issues 13 digits)', '4222222222222'],
    ['a 13-digit ms timestamp', '1700000000123'],
    ['a 16-digit µs timestamp', '1700000000123456'],
    ['a 19-digit ns timestamp', '1700000000123456789'],
    ['a snowflake id', '1140000000000000004'],
    ['mixed separators', '4111 1111-1111 1111'],
    ['odd grouping', '41 1111 1111 1111 11'],
    ['digits inside a hex token', 'deadbeef4111111111111111cafe'],
    ['an IBAN printed in groups', 'CH83 5191 0377 5862 2203 2'],
    ['a decimal', '0.4111111111111111'],
    ['a decimal with a card-like integer part', '4111111111111111.25'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(creditCardDetector, text)).toEqual([]);
  });
});
