import type { Store } from '../storage/store.js';
import { listArchive } from '../storage/lifecycle/archive.js';
import { storageUsage } from '../storage/lifecycle/usage.js';
import { REPORT_SCHEMA, type LatencyRow, type Report, type TrendFigure } from './model.js';
import type { PeriodBounds } from './period.js';
import { ReportQueries, ratio, type Range } from './queries.js';
import { recommend } from './recommend.js';

export interface ReportScope {
  database: string;
  cluster?: string;
  /** The archive directory (`storage.archive.path`); empty when archival is off. */
  archivePath: string;
}

/** Called before each section is queried: its 1-based number, how many there are, its name. */
export type ReportProgress = (step: number, steps: number, section: string) => void;

const SECTIONS = ['performance', 'usage', 'health', 'trends', 'storage'] as const;

/** Queries the stored data of a period, section by section, into a report. */
export async function buildReport(
  store: Store,
  scope: ReportScope,
  bounds: PeriodBounds,
  progress: ReportProgress = () => {},
): Promise<Report> {
  const queries = new ReportQueries(store, scope.database);
  const current: Range = { fromMs: bounds.fromMs, toMs: bounds.toMs };
  const previous: Range = { fromMs: bounds.previousFromMs, toMs: bounds.fromMs };
  const step = (section: (typeof SECTIONS)[number]): void =>
    progress(SECTIONS.indexOf(section) + 1, SECTIONS.length, section);

  step('performance');
  const latency = async (dimension: 'SpanName' | 'Model' | 'ToolName'): Promise<LatencyRow[]> => {
    const [now, before] = [
      await queries.latency(dimension, current),
      await queries.latency(dimension, previous),
    ];
    const p95Before = new Map(before.map((row) => [row.name, row.p95Ms]));
    return now.map((row) => ({ ...row, previousP95Ms: p95Before.get(row.name) ?? null }));
  };
  const performance = {
    operations: await latency('SpanName'),
    models: await latency('Model'),
    tools: await latency('ToolName'),
  };

  step('usage');
  const perTrace = await queries.costPerSuccessfulTrace(current);
  const usage = {
    models: (await queries.usage('Model', current)).map((row) => ({
      ...row,
      costPerSuccessfulTraceUsd: perTrace.get(row.name) ?? null,
    })),
    agents: await queries.usage('AgentName', current),
    services: await queries.usage('ServiceName', current),
  };

  step('health');
  const traces = await queries.traceCounts(current);
  const spans = await queries.spanTotals(current);
  const health = {
    traces: { ...traces, failureRate: ratio(traces.failed, traces.total) },
    spans: {
      total: spans.spans,
      errors: spans.errors,
      errorRate: ratio(spans.errors, spans.spans),
    },
    failureClasses: await queries.failureClasses(current, traces.total),
    topSignatures: await queries.topSignatures(current),
    regressions: await queries.regressions(current),
    alerts: await queries.alerts(current),
    incidents: await queries.incidents(current),
  };

  step('trends');
  const tracesBefore = await queries.traceCounts(previous);
  const spansBefore = await queries.spanTotals(previous);
  const figure = (name: TrendFigure['name'], now: number, before: number): TrendFigure => ({
    name,
    current: now,
    previous: before,
    change:
      before > 0 ? Math.round(((now - before) / before) * 10_000) / 10_000 : now === 0 ? 0 : null,
  });
  const trends = {
    figures: [
      figure('traces', traces.total, tracesBefore.total),
      figure(
        'trace_failure_rate',
        ratio(traces.failed, traces.total),
        ratio(tracesBefore.failed, tracesBefore.total),
      ),
      figure('spans', spans.spans, spansBefore.spans),
      figure(
        'span_error_rate',
        ratio(spans.errors, spans.spans),
        ratio(spansBefore.errors, spansBefore.spans),
      ),
      figure('failures', await queries.failureCount(current), await queries.failureCount(previous)),
      figure('tokens', spans.tokens, spansBefore.tokens),
      figure('cost_usd', spans.costUsd, spansBefore.costUsd),
      figure('p95_ms', spans.p95Ms, spansBefore.p95Ms),
    ],
    daily: await queries.daily(current),
  };

  step('storage');
  const storage = {
    tables: await storageUsage(store, { database: scope.database, cluster: scope.cluster }),
    archive: listArchive(scope.archivePath),
  };

  const figures = {
    schema: REPORT_SCHEMA,
    generatedAt: new Date(bounds.toMs).toISOString(),
    period: bounds.period,
    performance,
    usage,
    health,
    trends,
    storage,
  };
  return { ...figures, recommendations: recommend(figures) };
}
