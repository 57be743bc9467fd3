import type { Metric, Registry } from 'prom-client';
import { OTHER_LABEL_VALUE, type LabelLimiter } from './label-limit.js';

/**
 * Metric families for the per-span hot path. prom-client hashes the label object of every
 * observation (sorting and joining its values) and builds a value object per new series; at
 * several observations per span that dominates the exporter's cost. Here a series is found
 * through one `Map` per label, keyed by the value itself, so recording allocates nothing once
 * a series exists. The families register into the same prom-client `Registry` as every other
 * metric and expose the value shape its text renderer reads (`getForPromString`), so one
 * `/metrics` serves both.
 */

export type Labels = Record<string, string>;

export interface SeriesIndexOptions<S> {
  labelNames: readonly string[];
  /** One entry per label; undefined for labels whose values are a fixed set. */
  limiters: readonly (LabelLimiter | undefined)[];
  create: (labels: Labels) => S;
  /**
   * Series at most. Per-label limits bound each label, but not their product (1,000
   * services × 1,000 span names); beyond this, new label sets share the series whose limited
   * labels are all `__other__`.
   */
  maxSeries: number;
  /** Called for every observation diverted by `maxSeries`. */
  onSeriesOverflow: () => void;
}

/** Label values → series, one map level per label; limited labels collapse to `__other__`. */
export class SeriesIndex<S> {
  private readonly root = new Map<string, unknown>();
  /** Every series, in creation order (for rendering). */
  readonly all: S[] = [];
  readonly labelNames: readonly string[];
  /** The values the series being looked up ends up with (collapsed where limited). */
  private readonly chosen: string[];
  /** Scratch values for the series an observation beyond `maxSeries` goes to. */
  private readonly collapsed: string[];
  /** True while looking up such a series, which may be created beyond `maxSeries`. */
  private overflowing = false;

  constructor(private readonly options: SeriesIndexOptions<S>) {
    this.labelNames = options.labelNames;
    this.chosen = this.labelNames.map(() => '');
    this.collapsed = this.labelNames.map(() => '');
  }

  /** The series for `values` (one per label name, in order), created on first use. */
  get(values: readonly string[]): S {
    const last = this.labelNames.length - 1;
    let node = this.root;
    for (let i = 0; ; i++) {
      let value = values[i]!;
      let next = node.get(value);
      if (next === undefined) {
        const limiter = this.options.limiters[i];
        if (limiter && value !== OTHER_LABEL_VALUE) {
          value = limiter.value(value);
          next = node.get(value);
        }
        if (next === undefined) {
          if (!this.overflowing && this.all.length >= this.options.maxSeries) {
            return this.overflow(values);
          }
          this.chosen[i] = value;
          next = i === last ? this.add() : new Map<string, unknown>();
          node.set(value, next);
        }
      }
      this.chosen[i] = value;
      if (i === last) return next as S;
      node = next as Map<string, unknown>;
    }
  }

  clear(): void {
    this.root.clear();
    this.all.length = 0;
  }

  private overflow(values: readonly string[]): S {
    this.options.onSeriesOverflow();
    for (let i = 0; i < values.length; i++) {
      this.collapsed[i] = this.options.limiters[i] ? OTHER_LABEL_VALUE : values[i]!;
    }
    this.overflowing = true;
    try {
      return this.get(this.collapsed);
    } finally {
      this.overflowing = false;
    }
  }

  private add(): S {
    const labels: Labels = {};
    this.labelNames.forEach((name, i) => (labels[name] = this.chosen[i]!));
    const series = this.options.create(labels);
    this.all.push(series);
    return series;
  }
}

/** The latest observation per bucket that carried a trace, for OpenMetrics exemplars. */
class ExemplarSlots {
  readonly traceIds: string[];
  readonly spanIds: string[];
  readonly values: Float64Array;
  /** Seconds since the epoch; 0 while a bucket has none. */
  readonly times: Float64Array;

  constructor(buckets: number) {
    this.traceIds = new Array<string>(buckets).fill('');
    this.spanIds = new Array<string>(buckets).fill('');
    this.values = new Float64Array(buckets);
    this.times = new Float64Array(buckets);
  }
}

/** One histogram series: counts per bucket (not cumulative; the last is +Inf), sum, count. */
export class HistogramSeries {
  count = 0;
  sum = 0;
  readonly counts: Float64Array;
  readonly exemplars: ExemplarSlots | undefined;
  /** `name="value",…`, escaped: written once, reused by every scrape. */
  readonly labelText: string;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
    exemplars: boolean,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.exemplars = exemplars ? new ExemplarSlots(bounds.length + 1) : undefined;
    this.labelText = labelPairs(labels);
  }

  observe(value: number): number {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.count++;
    this.sum += value;
    return bucket;
  }

  /** Observes `value` and keeps it as its bucket's exemplar. */
  observeTraced(value: number, traceId: string, spanId: string, nowSec: number): void {
    const bucket = this.observe(value);
    const slots = this.exemplars;
    if (!slots) return;
    slots.traceIds[bucket] = traceId;
    slots.spanIds[bucket] = spanId;
    slots.values[bucket] = value;
    slots.times[bucket] = nowSec;
  }
}

/** One counter series. */
export class CounterSeries {
  value = 0;
  readonly labelText: string;
  constructor(readonly labels: Labels) {
    this.labelText = labelPairs(labels);
  }
}

/** Text exposition formats a family renders itself in. */
export type TextFormat = 'text' | 'openmetrics';

/** `a="x",b="y"` with label values escaped as both text formats require. */
export function labelPairs(labels: Readonly<Record<string, string | number>>): string {
  const out: string[] = [];
  for (const name in labels) out.push(`${name}="${escapeLabelValue(String(labels[name]))}"`);
  return out.join(',');
}

export const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** HELP text: the text format escapes backslash and newline, OpenMetrics double quotes too. */
export const escapeHelp = (help: string, format: TextFormat): string => {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
};

/** `# HELP` and `# TYPE` lines (in the order each format's reference output uses). */
function header(family: string, type: string, help: string, format: TextFormat): string {
  return format === 'openmetrics'
    ? `# TYPE ${family} ${type}\n# HELP ${family} ${escapeHelp(help, format)}`
    : `# HELP ${family} ${escapeHelp(help, format)}\n# TYPE ${family} ${type}`;
}

/** What prom-client's text renderer reads from a metric (`getForPromString`). */
interface ExposedValue {
  value: number;
  labels: Labels;
  /** Labels of the whole series, kept as one object so renderers can cache their text. */
  sharedLabels?: Labels;
  metricName?: string;
  exemplar?: { labelSet: Labels; value: number; timestamp: number } | null;
}

export interface ExposedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: ExposedValue[];
  aggregator: 'sum';
}

/** Histogram series per slice of output: 250 series are about 5,000 lines, under 1 MiB. */
const SERIES_PER_SLICE = 250;

abstract class Family {
  abstract readonly type: 'counter' | 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** Adds this family to `registry`, beside its prom-client metrics. */
  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract values(): ExposedValue[];

  /**
   * The family in `format` as slices of lines (joined by newlines, none trailing), a slice per
   * `SERIES_PER_SLICE` series. What `/metrics` serves: one string per line from cached label
   * text, rather than an object per sample for a generic renderer (at 10,000 histogram series
   * that is 200,000 samples per scrape); the slices let the response be written, and other
   * requests served, while the rest is rendered.
   */
  abstract renderSlices(format: TextFormat): Generator<string>;

  getForPromString(): Promise<ExposedMetric> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.values(),
      aggregator: 'sum',
    });
  }

  /** As prom-client's `get()`: each value's labels complete (for JSON consumers). */
  async get(): Promise<ExposedMetric> {
    const metric = await this.getForPromString();
    for (const value of metric.values) {
      value.labels = { ...value.sharedLabels, ...value.labels };
      delete value.sharedLabels;
    }
    return metric;
  }
}

/** A histogram family whose series live in a `SeriesIndex`. */
export class HistogramFamily extends Family {
  readonly type = 'histogram';
  private readonly le: Labels[];

  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[],
    private readonly index: SeriesIndex<HistogramSeries>,
  ) {
    super(name, help);
    this.le = [...bounds.map(String), '+Inf'].map((le) => ({ le }));
  }

  reset(): void {
    this.index.clear();
  }

  *renderSlices(format: TextFormat): Generator<string> {
    let lines = [header(this.name, 'histogram', this.help, format)];
    const buckets = this.le.map(({ le }) => `${this.name}_bucket{le="${le}"`);
    const withExemplars = format === 'openmetrics';
    let rendered = 0;
    for (const series of this.index.all) {
      if (++rendered % SERIES_PER_SLICE === 0) {
        yield lines.join('\n');
        lines = [];
      }
      const rest = series.labelText ? `,${series.labelText}} ` : '} ';
      let cumulative = 0;
      for (let i = 0; i < buckets.length; i++) {
        cumulative += series.counts[i]!;
        let line = buckets[i]! + rest + cumulative;
        const slots = series.exemplars;
        if (withExemplars && slots && slots.times[i] !== 0) {
          line += ` # {trace_id="${slots.traceIds[i]!}",span_id="${slots.spanIds[i]!}"} ${slots.values[i]!} ${slots.times[i]!}`;
        }
        lines.push(line);
      }
      const labels = series.labelText ? `{${series.labelText}} ` : ' ';
      lines.push(
        `${this.name}_sum${labels}${series.sum}`,
        `${this.name}_count${labels}${series.count}`,
      );
    }
    if (lines.length > 0) yield lines.join('\n');
  }

  protected values(): ExposedValue[] {
    const out: ExposedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const series of this.index.all) {
      let cumulative = 0;
      for (let i = 0; i < this.le.length; i++) {
        cumulative += series.counts[i]!;
        out.push({
          value: cumulative,
          labels: this.le[i]!,
          sharedLabels: series.labels,
          metricName: bucketName,
          exemplar: exemplarOf(series, i),
        });
      }
      out.push(
        {
          value: series.sum,
          labels: {},
          sharedLabels: series.labels,
          metricName: `${this.name}_sum`,
        },
        {
          value: series.count,
          labels: {},
          sharedLabels: series.labels,
          metricName: `${this.name}_count`,
        },
      );
    }
    return out;
  }
}

/** A counter family reading each series' value through `read`. */
export class CounterFamily<S extends { labels: Labels; labelText: string }> extends Family {
  readonly type = 'counter';

  constructor(
    name: string,
    help: string,
    private readonly index: SeriesIndex<S>,
    private readonly read: (series: S) => number,
  ) {
    super(name, help);
  }

  reset(): void {
    this.index.clear();
  }

  *renderSlices(format: TextFormat): Generator<string> {
    // An OpenMetrics counter family is named without `_total`; its samples keep it.
    const family = format === 'openmetrics' ? this.name.replace(/_total$/, '') : this.name;
    const sample = format === 'openmetrics' ? `${family}_total` : this.name;
    let lines = [header(family, 'counter', this.help, format)];
    let rendered = 0;
    for (const series of this.index.all) {
      // A counter series is one line, a histogram series twenty: slices of similar size.
      if (++rendered % (SERIES_PER_SLICE * 20) === 0) {
        yield lines.join('\n');
        lines = [];
      }
      const labels = series.labelText ? `{${series.labelText}} ` : ' ';
      lines.push(`${sample}${labels}${this.read(series)}`);
    }
    if (lines.length > 0) yield lines.join('\n');
  }

  protected values(): ExposedValue[] {
    return this.index.all.map((series) => ({
      value: this.read(series),
      labels: {},
      sharedLabels: series.labels,
    }));
  }
}

function exemplarOf(series: HistogramSeries, bucket: number): ExposedValue['exemplar'] {
  const slots = series.exemplars;
  if (!slots || slots.times[bucket] === 0) return null;
  return {
    labelSet: { trace_id: slots.traceIds[bucket]!, span_id: slots.spanIds[bucket]! },
    value: slots.values[bucket]!,
    timestamp: slots.times[bucket]!,
  };
}
