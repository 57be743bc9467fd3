import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/net/rate-limit.js';

function limiter(perSecond: number, burst: number, maxClients = 10_000) {
  const clock = { now: 0 };
  return { clock, limiter: new RateLimiter(perSecond, burst, maxClients, () => clock.now) };
}

describe('RateLimiter.take', () => {
  it('lets a burst through, then asks to wait until a token has refilled', () => {
    const { clock, limiter: rl } = limiter(2, 3);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(1); // half a second to the next token, rounded up
    clock.now += 500;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1);
  });

  it('says how many seconds a slow refill needs', () => {
    const { limiter: rl } = limiter(0.1, 1);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(10);
  });

  it('keeps clients apart', () => {
    const { limiter: rl } = limiter(1, 1);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
  });

  it('never refills beyond the burst', () => {
    const { clock, limiter: rl } = limiter(10, 2);
    clock.now += 60_000;
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 1]);
  });

  it('bounds the client table, forgetting idle clients first', () => {
    const { clock, limiter: rl } = limiter(1, 1, 2);
    rl.take('idle');
    clock.now += 5_000;
    rl.take('busy');
    rl.take('new'); // the table is full: 'idle' has refilled and is forgotten
    expect(rl.take('busy')).toBe(1); // still remembered and still limited
  });
});
