import { LogSketch } from './sketch.js';

/** What one slot of a window holds: exact counts and sums, and latencies when asked for. */
interface Slot {
  start: number;
  count: number;
  errors: number;
  sum: number;
  sketch: LogSketch | undefined;
}

export interface WindowSummary {
  count: number;
  errors: number;
  sum: number;
  /** Latencies of the whole window merged (only for windows that keep them). */
  sketch: LogSketch | undefined;
}

/**
 * A sliding window as a ring of fixed slots (e.g. one per second): counts and sums are exact
 * per slot, so the window's totals are exact to the slot, and memory is fixed by the number
 * of slots whatever the traffic. A slot is reused (cleared) once it has slid out.
 */
export class SlidingWindow {
  private readonly slots: Slot[];
  lastEventAt = 0;

  constructor(
    private readonly windowMs: number,
    private readonly slotMs: number,
    keepLatencies: boolean,
  ) {
    const n = Math.ceil(windowMs / slotMs) + 1;
    this.slots = Array.from({ length: n }, () => ({
      start: -1,
      count: 0,
      errors: 0,
      sum: 0,
      sketch: keepLatencies ? new LogSketch() : undefined,
    }));
  }

  record(now: number, error: boolean, value: number): void {
    const start = now - (now % this.slotMs);
    const slot = this.slots[Math.floor(now / this.slotMs) % this.slots.length]!;
    if (slot.start !== start) {
      slot.start = start;
      slot.count = slot.errors = slot.sum = 0;
      slot.sketch?.clear();
    }
    slot.count++;
    if (error) slot.errors++;
    if (slot.sketch) slot.sketch.add(value);
    else slot.sum += value;
    this.lastEventAt = now;
  }

  /**
   * Totals over the slots that start in (now − window, now]: left-open like Prometheus's range
   * selectors, so an event exactly one window old no longer counts.
   */
  summary(now: number): WindowSummary {
    const from = now - this.windowMs;
    const total: WindowSummary = { count: 0, errors: 0, sum: 0, sketch: undefined };
    for (const slot of this.slots) {
      if (slot.start < 0 || slot.start <= from || slot.start > now) continue;
      total.count += slot.count;
      total.errors += slot.errors;
      total.sum += slot.sum;
      if (slot.sketch) (total.sketch ??= new LogSketch()).merge(slot.sketch);
    }
    return total;
  }
}

/** Slots of a second for windows up to 5 minutes; at most 300 slots for longer ones. */
export function slotLength(windowMs: number): number {
  return Math.max(Math.min(1000, Math.ceil(windowMs / 10)), Math.ceil(windowMs / 300));
}
