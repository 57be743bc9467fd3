import { z } from 'zod';

/** The metrics this exporter records, by their Prometheus names (keys of `metric_overrides`). */
export const RECORDED_METRICS = [
  'traces_span_metrics_calls_total',
  'gen_ai_client_token_usage',
  'gen_ai_client_operation_duration_seconds',
  'faultline_llm_cost_usd_total',
] as const;
export type RecordedMetric = (typeof RECORDED_METRICS)[number];

const labelLimit = z.number().int().min(1).max(1_000_000);
const seriesLimit = z.number().int().min(1).max(10_000_000);

export const prometheusExporterSchema = z
  .object({
    /**
     * Distinct values each label of a metric may take (service, span name, model, …); later
     * values are recorded as `__other__` and counted in faultline_metric_label_overflow_total.
     */
    max_label_values: labelLimit.default(1000),
    /**
     * Series per metric at most (label limits bound each label, not their product); beyond
     * it, new label sets are recorded with every limited label `__other__` and counted in
     * faultline_metric_series_overflow_total.
     */
    max_series: seriesLimit.default(20_000),
    /** Per-metric `max_label_values` and `max_series`, by metric name. */
    metric_overrides: z
      .partialRecord(
        z.enum(RECORDED_METRICS),
        z
          .object({ max_label_values: labelLimit.optional(), max_series: seriesLimit.optional() })
          .strict(),
      )
      .default({}),
    /** Keep the trace and span id of one observation per histogram bucket (OpenMetrics exemplars). */
    exemplars: z.boolean().default(true),
  })
  .strict();

export type PrometheusExporterConfig = z.infer<typeof prometheusExporterSchema>;

/** The limits that apply to `metric`: its override where it has one, else the exporter's. */
export const limitsOf = (
  config: PrometheusExporterConfig,
  metric: RecordedMetric,
): { maxLabelValues: number; maxSeries: number } => ({
  maxLabelValues: config.metric_overrides[metric]?.max_label_values ?? config.max_label_values,
  maxSeries: config.metric_overrides[metric]?.max_series ?? config.max_series,
});
