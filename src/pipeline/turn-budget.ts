import { setImmediate as afterIo } from 'node:timers';

/**
 * Work run per turn of the event loop, at most, before the loop goes on to its timers and I/O.
 * About two requests of 200 spans.
 */
export const TURN_BUDGET_MS = 20;

/**
 * An item's processing goes on in microtasks (its promise chain) after the item returns. Letting
 * the microtask queue turn this many times before reading the clock again lets most of it run,
 * so that the budget counts it.
 */
const SETTLE_TURNS = 8;

/**
 * Runs work in arrival order, at most `budgetMs` of it per turn of the event loop.
 *
 * Processed where its body completed, in the loop's I/O phase, a request kept the loop there
 * until every request completed in that phase was processed: under load ~64 of them, and the
 * loop turned every 350–760 ms. Every I/O completion waited that long, the durable queue's
 * insert files and the engine's answers among them: an insert the engine ran in 40–300 ms took
 * ~1 s, storage fell behind the acknowledged spans, and the backlog took 6–9 s to drain after
 * the load. Queued here, requests are processed after the I/O phase, a budget at a time, and
 * the loop turns every few tens of milliseconds.
 *
 * What waits here is what was in flight before: admitted requests, bounded in bytes by the
 * admission gate when the memory limiter sets its bound.
 */
export class TurnBudget {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly budgetMs: number = TURN_BUDGET_MS) {}

  /** Runs `work` once the items queued before it ran; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // A `work` that throws rejects as one that fails; the items after it still run.
      this.waiting.push(
        () => void new Promise<T>((settle) => settle(work())).then(resolve, reject),
      );
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    afterIo(() => void this.runTurn());
  }

  private async runTurn(): Promise<void> {
    const started = performance.now();
    while (this.waiting.length > 0 && performance.now() - started < this.budgetMs) {
      this.waiting.shift()!();
      for (let turn = 0; turn < SETTLE_TURNS; turn++) await Promise.resolve();
    }
    this.scheduled = false;
    if (this.waiting.length > 0) this.schedule();
  }
}
