import { describe, expect, it } from 'vitest';
import { ibanDetector } from '../../../../src/processors/redact/detectors/iban.js';
import { found } from '../helpers.js';

describe('ibanDetector', () => {
  it.each([
    'DE89370400440532013000',
    'DE89 3704 0044 0532 0130 00',
    'GB82WEST12345698765432',
    'GB82 WEST 1234 5698 7654 32',
    'FR1420041010050500013M02606',
    'NL91ABNA0417164300',
    'BE68539007547034',
    'NO9386011117947',
    'IT60X0542811101000000123456',
    'CH9300762011623852957',
  ])('finds %s', (iban) => {
    expect(found(ibanDetector, `pay to ${iban}, thanks`)).toEqual([iban]);
    expect(found(ibanDetector, `{"iban":"${iban}"}`)).toEqual([iban]);
  });

  it.each([
    ['a wrong check digit', 'DE88370400440532013000'],
    ['a wrong length for the country', 'DE8937040044053201300'],
    ['an unknown country', 'XX89370400440532013000'],
    ['a longer token', 'DE89370400440532013000123'],
    ['inside a hex digest', 'de89370400440532013000ab'],
    ['a model name', 'GB82 sonnet release'],
  ])('leaves %s alone', (_what, text) => {
    expect(found(ibanDetector, text)).toEqual([]);
  });
});
