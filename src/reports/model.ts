import type { ArchivedFile } from '../storage/lifecycle/archive.js';
import type { TableUsage } from '../storage/lifecycle/usage.js';

/**
 * The report, as `GET /api/v1/reports` and `faultline report --format json` give it. Stable:
 * fields are only ever added (docs/reports.md describes each). Times are RFC 3339 strings,
 * durations milliseconds, money US dollars, rates fractions from 0 to 1.
 */
export const REPORT_SCHEMA = 'faultline.report/v1' as const;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  period: ReportPeriod;
  performance: {
    operations: LatencyRow[];
    models: LatencyRow[];
    tools: LatencyRow[];
  };
  usage: {
    models: ModelUsageRow[];
    agents: UsageRow[];
    services: UsageRow[];
  };
  health: {
    traces: { total: number; failed: number; incomplete: number; failureRate: number };
    spans: { total: number; errors: number; errorRate: number };
    failureClasses: FailureClassRow[];
    topSignatures: SignatureRow[];
    regressions: RegressionRow[];
    alerts: AlertRow[];
    incidents: IncidentRow[];
  };
  trends: {
    figures: TrendFigure[];
    daily: DailyRow[];
  };
  storage: {
    tables: TableUsage[];
    archive: ArchivedFile[];
  };
  recommendations: Recommendation[];
}

export interface ReportPeriod {
  /** The length asked for, e.g. `7d`. */
  since: string;
  from: string;
  to: string;
  /** Start of the previous period of the same length, which ends at `from`. */
  previousFrom: string;
}

export interface LatencyRow {
  name: string;
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** p95 in the previous period; null when it had no calls. */
  previousP95Ms: number | null;
}

export interface UsageRow {
  name: string;
  spans: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface ModelUsageRow extends UsageRow {
  /** Cost of the model's calls in traces that ended `ok`, per such trace; null without any. */
  costPerSuccessfulTraceUsd: number | null;
}

export interface FailureClassRow {
  class: string;
  failures: number;
  traces: number;
  /** Share of the period's traces with a failure of this class. */
  traceRate: number;
}

export interface SignatureRow {
  signature: string;
  class: string;
  severity: string;
  service: string;
  message: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  exampleTraceId: string;
  /** Most of its occurrences are root causes, not symptoms of a failure below them. */
  rootCause: boolean;
}

/** A signature reviewed as exported or ignored that failed again afterwards. */
export interface RegressionRow {
  signature: string;
  class: string;
  recurrences: number;
  lastSeen: string;
}

export interface AlertRow {
  alertName: string;
  severity: string;
  firings: number;
  lastTransition: string;
}

export interface IncidentRow {
  id: string;
  title: string;
  severity: string;
  status: string;
  openedAt: string;
}

export interface TrendFigure {
  name:
    | 'traces'
    | 'trace_failure_rate'
    | 'spans'
    | 'span_error_rate'
    | 'failures'
    | 'tokens'
    | 'cost_usd'
    | 'p95_ms';
  current: number;
  previous: number;
  /** (current − previous) / previous; 0 when both are 0, null when only previous is. */
  change: number | null;
}

export interface DailyRow {
  day: string;
  spans: number;
  errors: number;
  costUsd: number;
}

export interface Recommendation {
  message: string;
  /** The figure it was drawn from, as a path into this report, e.g. `performance.tools[search].p95Ms`. */
  source: string;
}
