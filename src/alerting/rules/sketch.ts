/**
 * A mergeable quantile sketch over positive values with a relative-error guarantee: values are
 * counted in logarithmic buckets whose bounds grow by `gamma`, so any quantile it returns is
 * within `accuracy` (1%) of a value of that rank. Values are clamped to [1 µs, 10⁶ s], which
 * bounds a sketch to about 1,400 buckets whatever the traffic.
 */
const ACCURACY = 0.01;
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
const MIN_VALUE = 1e-6;
const MAX_VALUE = 1e6;

export class LogSketch {
  private readonly buckets = new Map<number, number>();
  /** Values at or below MIN_VALUE (zero-length spans). */
  private zeros = 0;
  count = 0;

  add(value: number, times = 1): void {
    this.count += times;
    if (!(value > MIN_VALUE)) {
      this.zeros += times;
      return;
    }
    const index = Math.ceil(Math.log(Math.min(value, MAX_VALUE)) / LOG_GAMMA);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + times);
  }

  merge(other: LogSketch): void {
    this.count += other.count;
    this.zeros += other.zeros;
    for (const [index, n] of other.buckets)
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
  }

  clear(): void {
    this.buckets.clear();
    this.zeros = 0;
    this.count = 0;
  }

  /** The value at quantile `q` (0..1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.floor(q * (this.count - 1));
    if (rank < this.zeros) return 0;
    let seen = this.zeros;
    const indexes = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      seen += this.buckets.get(index)!;
      if (seen > rank) return (2 * GAMMA ** index) / (GAMMA + 1);
    }
    return (2 * GAMMA ** indexes[indexes.length - 1]!) / (GAMMA + 1);
  }
}
