import type { Recommendation, Report } from './model.js';

/** A p95 rise worth a recommendation: at least this much, over at least this many calls. */
const P95_RISE = 0.25;
const MIN_CALLS = 5;
const CLASS_RATE = 0.05;
const ERROR_RATE_RISE = 0.5;

type Figures = Omit<Report, 'recommendations'>;

/**
 * Recommendations drawn from the report's own figures; each names the figure it came from,
 * so a reader can check it. Ordered as the figures are: latency, cost, failures, alerts.
 */
export function recommend(report: Figures): Recommendation[] {
  const out: Recommendation[] = [];
  const pct = (x: number): string => `${Math.round(x * 100)}%`;

  const risen = report.performance.tools
    .filter((t) => t.calls >= MIN_CALLS && t.previousP95Ms !== null && t.previousP95Ms > 0)
    .map((t) => ({ tool: t, rise: t.p95Ms / t.previousP95Ms! - 1 }))
    .filter(({ rise }) => rise >= P95_RISE)
    .sort((a, b) => b.rise - a.rise);
  for (const { tool, rise } of risen.slice(0, 3)) {
    out.push({
      message: `Tool "${tool.name}" got slower: p95 ${tool.previousP95Ms} ms → ${tool.p95Ms} ms (+${pct(rise)}). Check its backend or add a timeout and cache.`,
      source: `performance.tools[${tool.name}].p95Ms`,
    });
  }

  const priced = report.usage.models.filter((m) => (m.costPerSuccessfulTraceUsd ?? 0) > 0);
  const costliest = [...priced].sort(
    (a, b) => b.costPerSuccessfulTraceUsd! - a.costPerSuccessfulTraceUsd!,
  )[0];
  if (costliest && priced.length > 1) {
    out.push({
      message: `Model "${costliest.name}" costs the most per successful trace ($${costliest.costPerSuccessfulTraceUsd!.toFixed(4)}). Try a cheaper model for its steps where quality allows.`,
      source: `usage.models[${costliest.name}].costPerSuccessfulTraceUsd`,
    });
  }

  // Signatures come root causes first: a symptom goes away with its cause.
  const top = report.health.topSignatures[0];
  if (top && top.count > 1) {
    out.push({
      message: `The most recurring ${top.rootCause ? 'root cause' : 'failure'} (${top.class}, ${top.count} times) is signature ${top.signature}: fix it first or add a guardrail.`,
      source: 'health.topSignatures[0].count',
    });
  }

  const errorRate = report.trends.figures.find((f) => f.name === 'span_error_rate');
  if (
    errorRate &&
    errorRate.change !== null &&
    errorRate.change >= ERROR_RATE_RISE &&
    errorRate.current >= 0.01
  ) {
    out.push({
      message: `The span error rate rose from ${pct(errorRate.previous)} to ${pct(errorRate.current)} against the previous period.`,
      source: 'trends.figures[span_error_rate]',
    });
  }

  for (const cls of report.health.failureClasses
    .filter((c) => c.traceRate >= CLASS_RATE)
    .slice(0, 2)) {
    out.push({
      message: `${pct(cls.traceRate)} of traces had a ${cls.class} failure.`,
      source: `health.failureClasses[${cls.class}].traceRate`,
    });
  }

  if (report.health.regressions.length > 0) {
    out.push({
      message: `${report.health.regressions.length} reviewed failure signature(s) failed again; reopen them in the review queue.`,
      source: 'health.regressions',
    });
  }
  return out;
}
