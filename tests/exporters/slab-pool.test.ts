import { describe, expect, it } from 'vitest';
import { SlabPool } from '../../src/exporters/helper/queue/slab-pool.js';

const MiB = 1024 * 1024;
const bytes = (length: number, fill: number) => Buffer.alloc(length, fill);

describe('SlabPool', () => {
  it('copies payloads side by side into one slab', () => {
    const pool = new SlabPool(64 * MiB);
    const first = pool.copy(bytes(3, 1))!;
    const second = pool.copy(bytes(2, 2))!;
    expect([...first.copy, ...second.copy]).toEqual([1, 1, 1, 2, 2]);
    expect(second.copy.buffer).toBe(first.copy.buffer);
    expect(second.copy.byteOffset).toBe(first.copy.byteOffset + 3);
  });

  it('refuses copies beyond its bound until copies are released', () => {
    const pool = new SlabPool(100);
    const first = pool.copy(bytes(60, 1))!;
    expect(pool.copy(bytes(60, 2))).toBeUndefined();
    pool.release(first.slab);
    const again = pool.copy(bytes(60, 3))!;
    expect(again.copy.buffer).toBe(first.copy.buffer);
    expect([...again.copy].every((byte) => byte === 3)).toBe(true);
  });

  it('refuses a payload larger than a slab, and keeps nothing with a bound of 0', () => {
    expect(new SlabPool(10).copy(bytes(11, 0))).toBeUndefined();
    expect(new SlabPool(0).copy(bytes(1, 0))).toBeUndefined();
  });

  it('moves to another slab when one is full and reuses a slab once all its copies are released', () => {
    const pool = new SlabPool(16 * MiB);
    const a = pool.copy(bytes(5 * MiB, 1))!;
    const b = pool.copy(bytes(5 * MiB, 2))!;
    expect(b.copy.buffer).not.toBe(a.copy.buffer);
    // Both slabs hold a copy: the bound of two slabs is reached.
    expect(pool.copy(bytes(5 * MiB, 3))).toBeUndefined();
    pool.release(a.slab);
    const c = pool.copy(bytes(5 * MiB, 4))!;
    expect(c.copy.buffer).toBe(a.copy.buffer);
    expect(b.copy.every((byte) => byte === 2)).toBe(true);
  });
});
