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
 * Receivers process a request where its body completes, in the I/O phase of the loop, and the
 * loop goes on only once every request completed in that phase is processed. Under load that
 * was ~64 requests, and the loop turned every 350–760 ms. Every I/O completion waited that
 * long: the durable queue's insert files and the engine's answers. An insert the engine ran in
 * 40–300 ms took ~1 s, storage fell behind the acknowledged spans, and the backlog took 6–9 s
 * to drain after the load. Queued here, requests are processed after the I/O phase, a budget
 * at a time, and the loop turns every few tens of milliseconds.
 *
 * What waits here is bounded by the receivers' admission bound on request bytes in flight.
 */
export class TurnBudget {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly budgetMs: number = TURN_BUDGET_MS) {}

  /** Runs `work` once the items queued before it ran; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        work().then(resolve, reject);
      });
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
