import type { Registry } from 'prom-client';
import { LabelLimiter, seriesOverflowCounter } from '../../telemetry/label-limit.js';
import {
  CounterFamily,
  CounterSeries,
  HistogramFamily,
  HistogramSeries,
  SeriesIndex,
} from '../../telemetry/series.js';
import { limitsOf, type PrometheusExporterConfig, type RecordedMetric } from './config.js';

/**
 * Bucket bounds of the span-metrics duration histogram: the spanmetrics connector's defaults
 * (2 ms … 15 s), in seconds.
 */
export const SPAN_DURATION_BUCKETS = [
  0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15,
];
/** The GenAI semantic conventions' advisory bounds for gen_ai.client.token.usage. */
export const TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** The GenAI semantic conventions' advisory bounds for gen_ai.client.operation.duration (s). */
export const OPERATION_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

const SPAN_LABELS = ['service_name', 'span_name', 'span_kind', 'status_code'] as const;
const TOKEN_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'gen_ai_token_type',
] as const;
const DURATION_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'error_type',
] as const;
const COST_LABELS = ['gen_ai_request_model', 'gen_ai_provider_name'] as const;

/** Registries that already hold this exporter's families: one exporter per daemon. */
const claimed = new WeakSet<Registry>();

/**
 * The series the prometheus exporter records into, declared in one place: span metrics as the
 * Collector's spanmetrics connector names them, GenAI client metrics as the semantic
 * conventions name them, and LLM cost. `calls_total` and `duration_seconds` are two views of
 * one series per label set, so a span is looked up once.
 */
export class PrometheusExporterMetrics {
  readonly spans: SeriesIndex<HistogramSeries>;
  readonly tokens: SeriesIndex<HistogramSeries>;
  readonly durations: SeriesIndex<HistogramSeries>;
  readonly cost: SeriesIndex<CounterSeries>;

  constructor(registry: Registry, config: PrometheusExporterConfig) {
    if (claimed.has(registry)) {
      throw new Error(
        'only one prometheus exporter can be configured: its metrics are served once, on the admin port',
      );
    }
    claimed.add(registry);
    /** An index for `metric` whose labels, except the `fixed` ones, are limited. */
    const index = <S>(
      metric: RecordedMetric,
      labelNames: readonly string[],
      fixed: readonly string[],
      create: (labels: Record<string, string>) => S,
    ) => {
      const { maxLabelValues, maxSeries } = limitsOf(config, metric);
      const seriesOverflow = seriesOverflowCounter(registry, metric);
      return new SeriesIndex<S>({
        labelNames,
        limiters: labelNames.map((label) =>
          fixed.includes(label)
            ? undefined
            : new LabelLimiter(registry, metric, label, maxLabelValues),
        ),
        create,
        maxSeries,
        onSeriesOverflow: () => seriesOverflow.inc(),
      });
    };
    const histograms = (bounds: readonly number[]) => (labels: Record<string, string>) =>
      new HistogramSeries(labels, bounds, config.exemplars);

    this.spans = index(
      'traces_span_metrics_calls_total',
      SPAN_LABELS,
      ['span_kind', 'status_code'],
      histograms(SPAN_DURATION_BUCKETS),
    );
    this.tokens = index(
      'gen_ai_client_token_usage',
      TOKEN_LABELS,
      ['gen_ai_token_type'],
      histograms(TOKEN_USAGE_BUCKETS),
    );
    this.durations = index(
      'gen_ai_client_operation_duration_seconds',
      DURATION_LABELS,
      [],
      histograms(OPERATION_DURATION_BUCKETS),
    );
    this.cost = index(
      'faultline_llm_cost_usd_total',
      COST_LABELS,
      [],
      (labels) => new CounterSeries(labels),
    );

    new CounterFamily(
      'traces_span_metrics_calls_total',
      'Spans received, by service, span name, kind and status (as the spanmetrics connector counts calls).',
      this.spans,
      (series) => series.count,
    ).register(registry);
    new HistogramFamily(
      'traces_span_metrics_duration_seconds',
      'Span durations, by the labels of traces_span_metrics_calls_total (spanmetrics connector buckets).',
      SPAN_DURATION_BUCKETS,
      this.spans,
    ).register(registry);
    new HistogramFamily(
      'gen_ai_client_token_usage',
      'Input and output tokens of model calls (LLM and embedding steps), per call.',
      TOKEN_USAGE_BUCKETS,
      this.tokens,
    ).register(registry);
    new HistogramFamily(
      'gen_ai_client_operation_duration_seconds',
      'Duration of model calls (LLM and embedding steps); error_type is set when the call failed.',
      OPERATION_DURATION_BUCKETS,
      this.durations,
    ).register(registry);
    new CounterFamily(
      'faultline_llm_cost_usd_total',
      'Cost of model calls in US dollars, as the client reported it or from the price table.',
      this.cost,
      (series) => series.value,
    ).register(registry);
  }
}
