/** The Native byte sink's 64-bit integers: little-endian, wrapped to 64 bits, across growth. */
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../../../src/exporters/clickhouse/native/sink.js';

describe('the Native byte sink', () => {
  it('writes 64-bit integers wrapped as ClickHouse stores them', () => {
    const sink = new ByteSink(0);
    sink.bigUInt64(-1n);
    sink.bigUInt64(2n ** 64n + 5n);
    sink.bigInt64(2n ** 63n);
    sink.bigInt64(-2n);
    expect(sink.finish().toString('hex')).toBe(
      'ffffffffffffffff' + '0500000000000000' + '0000000000000080' + 'feffffffffffffff',
    );
  });

  it('keeps writing the right bytes after its buffer grows', () => {
    const sink = new ByteSink(0);
    const expected = Buffer.alloc(17 * 100);
    for (let i = 0; i < 100; i++) {
      sink.uint8(i);
      const value = BigInt(i) * 0x0102_0304_0506_0708n;
      sink.bigUInt64(value);
      sink.bigInt64(-value);
      expected.writeUInt8(i, 17 * i);
      expected.writeBigUInt64LE(BigInt.asUintN(64, value), 17 * i + 1);
      expected.writeBigInt64LE(BigInt.asIntN(64, -value), 17 * i + 9);
    }
    expect(sink.finish().equals(expected)).toBe(true);
  });
});
