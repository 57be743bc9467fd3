/**
 * A series' own baseline, for anomaly rules: each evaluation's value is compared with the
 * baseline built from the values before it, then added to it.
 * - `ewma`: exponentially weighted mean and deviation (weight `alpha` on the newest value).
 * - `mad`: median and median absolute deviation (scaled by 1.4826 to estimate σ) of the last
 *   `history` values; robust to the outliers it is looking for.
 */
export interface AnomalyOptions {
  method: 'ewma' | 'mad';
  /** Deviations from the baseline at which the rule's condition holds. */
  k: number;
  direction: 'above' | 'below' | 'both';
  /** Evaluations that only feed the baseline before the first decision. */
  warmup: number;
  alpha: number;
  history: number;
  /** A floor for the deviation, so a perfectly flat series does not alarm on any change. */
  min_deviation: number;
}

export interface Baseline {
  /** Values seen so far. */
  readonly samples: number;
  /** The centre and the deviation before the newest value; undefined until there is one. */
  centre(): number;
  deviation(): number;
  add(value: number): void;
}

class EwmaBaseline implements Baseline {
  samples = 0;
  private mean = 0;
  private variance = 0;
  constructor(private readonly alpha: number) {}
  centre(): number {
    return this.mean;
  }
  deviation(): number {
    return Math.sqrt(this.variance);
  }
  add(value: number): void {
    if (this.samples++ === 0) {
      this.mean = value;
      return;
    }
    const diff = value - this.mean;
    const step = this.alpha * diff;
    this.mean += step;
    this.variance = (1 - this.alpha) * (this.variance + diff * step);
  }
}

const MAD_TO_SIGMA = 1.4826;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

class MadBaseline implements Baseline {
  private readonly values: number[] = [];
  samples = 0;
  constructor(private readonly history: number) {}
  centre(): number {
    return median(this.values);
  }
  deviation(): number {
    const centre = this.centre();
    return MAD_TO_SIGMA * median(this.values.map((value) => Math.abs(value - centre)));
  }
  add(value: number): void {
    this.samples++;
    this.values.push(value);
    if (this.values.length > this.history) this.values.shift();
  }
}

export const createBaseline = (options: AnomalyOptions): Baseline =>
  options.method === 'ewma' ? new EwmaBaseline(options.alpha) : new MadBaseline(options.history);

export interface AnomalyVerdict {
  /** True when the value is `k` deviations away in the watched direction (after warm-up). */
  anomalous: boolean;
  /** Signed deviations from the centre; NaN during warm-up. */
  score: number;
  centre: number;
}

/** Judges `value` against the baseline so far, then adds it to the baseline. */
export function judge(baseline: Baseline, options: AnomalyOptions, value: number): AnomalyVerdict {
  let verdict: AnomalyVerdict = { anomalous: false, score: NaN, centre: NaN };
  if (baseline.samples >= options.warmup && baseline.samples > 0) {
    const centre = baseline.centre();
    const deviation = Math.max(baseline.deviation(), options.min_deviation);
    const diff = value - centre;
    const score = deviation > 0 ? diff / deviation : diff === 0 ? 0 : Math.sign(diff) * Infinity;
    const far =
      options.direction === 'above'
        ? score >= options.k
        : options.direction === 'below'
          ? score <= -options.k
          : Math.abs(score) >= options.k;
    verdict = { anomalous: far, score, centre };
  }
  baseline.add(value);
  return verdict;
}
