import { describe, expect, it } from 'vitest';
import { TurnBudget } from '../../src/pipeline/turn-budget.js';

/** Holds the thread for `ms`, as a request's processing does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('TurnBudget', () => {
  it('runs work in arrival order and settles each as its work does', async () => {
    const turns = new TurnBudget(5);
    const ran: number[] = [];
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((n) =>
        turns.run(() => {
          ran.push(n);
          if (n === 2) throw new Error('bad request 2');
          return n === 3 ? Promise.reject(new Error('bad request 3')) : Promise.resolve(n * 10);
        }),
      ),
    );
    expect(ran).toEqual([1, 2, 3, 4]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad request 2') },
      { status: 'rejected', reason: new Error('bad request 3') },
      { status: 'fulfilled', value: 40 },
    ]);
  });

  it('lets the event loop turn between budgets, counting the work the items continue in microtasks', async () => {
    const turns = new TurnBudget(10);
    let done = 0;
    let doneWhenTimerRan = -1;
    // Each item does half its work synchronously and half in the promise chain that follows.
    // The first sets a timer: due at once, it runs at the loop's next turn.
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        turns.run(async () => {
          if (index === 0) setTimeout(() => (doneWhenTimerRan = done), 0);
          busy(2);
          await Promise.resolve();
          busy(2);
          done++;
        }),
      ),
    );
    expect(done).toBe(40);
    // Run in one go, the 40 items would hold the loop ~160 ms before the timer's turn. A 10 ms
    // budget takes three 4 ms items; five if only their synchronous halves were counted.
    expect(doneWhenTimerRan).toBeGreaterThan(0);
    expect(doneWhenTimerRan).toBeLessThanOrEqual(3);
  });
});
