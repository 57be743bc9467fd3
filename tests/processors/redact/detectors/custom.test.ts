import { describe, expect, it } from 'vitest';
import { luhn, mod97, verhoeff } from '../../../../src/processors/redact/detectors/checksums.js';
import {
  customDetector,
  patternProblem,
} from '../../../../src/processors/redact/detectors/custom.js';
import { found } from '../helpers.js';

describe('checksums', () => {
  it('luhn accepts valid card numbers whatever their separators', () => {
    expect(luhn('4111 1111 1111 1111')).toBe(true);
    expect(luhn('4111-1111-1111-1112')).toBe(false);
  });

  it('mod97 checks ISO 7064 over letters and digits', () => {
    // An IBAN with its first four characters moved to the end.
    expect(mod97('370400440532013000DE89')).toBe(true);
    expect(mod97('370400440532013000DE88')).toBe(false);
  });

  it('verhoeff accepts numbers with a valid check digit', () => {
    expect(verhoeff('2363')).toBe(true);
    expect(verhoeff('2364')).toBe(false);
  });
});

describe('customDetector', () => {
  const spec = {
    name: 'employee_id',
    regex: 'EMP-\\d{6}',
    ignore_case: false,
    context_keywords: [],
  };

  it('reports every match of its pattern', () => {
    expect(found(customDetector(spec), 'EMP-123456 and EMP-654321')).toEqual([
      'EMP-123456',
      'EMP-654321',
    ]);
  });

  it('ignores case when asked', () => {
    expect(found(customDetector({ ...spec, ignore_case: true }), 'emp-123456')).toEqual([
      'emp-123456',
    ]);
    expect(found(customDetector(spec), 'emp-123456')).toEqual([]);
  });

  it('keeps only matches that pass the validator', () => {
    const detector = customDetector({
      ...spec,
      name: 'account',
      regex: '\\b\\d{16}\\b',
      validator: 'luhn',
    });
    expect(found(detector, '4111111111111111 4111111111111112')).toEqual(['4111111111111111']);
  });

  it('needs a context keyword nearby or in the key when keywords are given', () => {
    const detector = customDetector({
      ...spec,
      name: 'member',
      regex: '\\b\\d{8}\\b',
      context_keywords: ['member'],
    });
    expect(found(detector, 'member number 12345678')).toEqual(['12345678']);
    expect(found(detector, 'order number 12345678')).toEqual([]);
    expect(found(detector, '12345678', 'loyalty.member_no')).toEqual(['12345678']);
  });
});

describe('patternProblem', () => {
  it.each([
    ['EMP-\\d{6}', undefined],
    ['(?:\\d{3}-){2}\\d{4}', undefined],
    ['[A-Z]{2}\\d+', undefined],
  ])('accepts %s', (pattern, problem) => {
    expect(patternProblem(pattern)).toBe(problem);
  });

  it.each([
    ['(unclosed', /invalid regular expression/],
    ['a*', /matches the empty string/],
    ['(a+)+$', /catastrophically/],
    ['(\\w+\\s?)*x', /catastrophically/],
    ['(?:[a-z]+,){2,}', /catastrophically/],
  ])('refuses %s', (pattern, problem) => {
    expect(patternProblem(pattern)).toMatch(problem);
  });
});
