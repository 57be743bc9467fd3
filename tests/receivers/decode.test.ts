import { describe, expect, it } from 'vitest';
import { decodeJsonRequest, quoteLongIntegers } from '../../src/receivers/otlp/decode.js';

describe('quoteLongIntegers', () => {
  it('quotes integer literals of 16 or more digits, negative ones too', () => {
    expect(quoteLongIntegers('{"a":1700000000123456789,"b":[-9223372036854775808, 7]}')).toBe(
      '{"a":"1700000000123456789","b":["-9223372036854775808", 7]}',
    );
  });

  it('leaves strings, escaped quotes, short integers and non-integers alone', () => {
    const text =
      '{"s":"x\\":1700000000123456789","n":123456789012345,"d":1.5e300,"f":12345678901234567.5}';
    expect(quoteLongIntegers(text)).toBe(text);
  });
});

describe('decodeJsonRequest', () => {
  it('keeps a 64-bit integer written as a JSON number exact', () => {
    const decoded = decodeJsonRequest(Buffer.from('{"t":1700000000123456789}')) as { t: string };
    expect(BigInt(decoded.t)).toBe(1_700_000_000_123_456_789n);
  });
});
