import { describe, expect, it } from 'vitest';
import { emailDetector } from '../../../../src/processors/redact/detectors/email.js';
import { found } from '../helpers.js';

describe('emailDetector', () => {
  it.each([
    ['jane.doe@example.com', 'jane.doe@example.com'],
    ['contact: <JANE.DOE@EXAMPLE.COM>', 'JANE.DOE@EXAMPLE.COM'],
    ['mailto:li+billing@mail.example.net?subject=hi', 'li+billing@mail.example.net'],
    ['"customer_email":"o\'brien_7@corp.example.co.uk"', "o'brien_7@corp.example.co.uk"],
    ['write to ops-team@my-company.example.', 'ops-team@my-company.example'],
    ['josé.garcía@exemplo.com.br wrote', 'josé.garcía@exemplo.com.br'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
  ])('finds the address in %j', (text, address) => {
    expect(found(emailDetector, text)).toEqual([address]);
  });

  it('finds every address in a text', () => {
    expect(found(emailDetector, 'a.b@example.com, c.d@example.org; e@example.io')).toEqual([
      'a.b@example.com',
      'c.d@example.org',
      'e@example.io',
    ]);
  });

  it.each([
    '@opentelemetry/api',
    'lodash@4.17.21',
    'icon@2x.png and logo@3x.webp',
    'ghcr.io/acme/agent@sha256:abcdef0123456789',
    'user@localhost',
    '@decorator.property',
    'jane@example.c',
    'jane@example.com123',
    'no at sign here',
  ])('leaves %j alone', (text) => {
    expect(found(emailDetector, text)).toEqual([]);
  });

  it('gives up on a local part longer than an address allows', () => {
    expect(found(emailDetector, `${'a'.repeat(70)}@example.com`)).toEqual([]);
  });

  it('scans from each @, so a long run of word characters cannot make it backtrack', () => {
    // Quadratic work here would take minutes and hit the test timeout.
    expect(found(emailDetector, `${'a'.repeat(200_000)}@ ${'b.'.repeat(100_000)}`)).toEqual([]);
  });
});
