import { queryRows, sqlMillis } from '../storage/sql.js';
import type { Store } from '../storage/store.js';
import type {
  AlertRow,
  DailyRow,
  FailureClassRow,
  IncidentRow,
  LatencyRow,
  RegressionRow,
  SignatureRow,
  UsageRow,
} from './model.js';
import {
  AGENT_TRACES,
  ALERTS,
  FAILURES,
  INCIDENTS,
  OTEL_TRACES,
  OTEL_TRACES_1M,
} from '../storage/tables.js';

/**
 * The report's SQL, one function per figure, over the tables the daemon writes. Each takes
 * a time range in epoch milliseconds ([from, to)); rows come back typed and in numbers.
 */
export interface Range {
  fromMs: number;
  toMs: number;
}

type Row = Record<string, unknown>;

const ROW_LIMIT = 20;

export class ReportQueries {
  constructor(
    private readonly store: Store,
    private readonly database: string,
  ) {}

  /** Latency percentiles of spans grouped by `dimension`, the busiest first. */
  async latency(dimension: 'SpanName' | 'Model' | 'ToolName', range: Range): Promise<LatencyRow[]> {
    const filter = dimension === 'SpanName' ? '' : `AND ${dimension} != ''`;
    const rows = await this.rows(
      `SELECT ${dimension} AS name, count() AS calls, countIf(StatusCode = 'Error') AS errors,
       quantiles(0.5, 0.95, 0.99)(Duration) AS q
FROM ${OTEL_TRACES.in(this.database)}
WHERE ${within('Timestamp', range)} ${filter}
GROUP BY name
ORDER BY calls DESC, name
LIMIT ${ROW_LIMIT}`,
    );
    return rows.map((row) => {
      const q = (row['q'] as number[]).map(nsToMs);
      return {
        name: String(row['name']),
        calls: num(row['calls']),
        errors: num(row['errors']),
        p50Ms: q[0] ?? 0,
        p95Ms: q[1] ?? 0,
        p99Ms: q[2] ?? 0,
        previousP95Ms: null,
      };
    });
  }

  /** Calls, tokens and cost grouped by `dimension`, the costliest first. */
  async usage(dimension: 'Model' | 'AgentName' | 'ServiceName', range: Range): Promise<UsageRow[]> {
    const rows = await this.rows(
      `SELECT ${dimension} AS name, count() AS spans, countIf(StepType = 'llm_call') AS llmCalls,
       sum(InputTokens) AS inputTokens, sum(OutputTokens) AS outputTokens, sum(CostUsd) AS costUsd
FROM ${OTEL_TRACES.in(this.database)}
WHERE ${within('Timestamp', range)} AND ${dimension} != ''
GROUP BY name
ORDER BY costUsd DESC, spans DESC, name
LIMIT ${ROW_LIMIT}`,
    );
    return rows.map((row) => ({
      name: String(row['name']),
      spans: num(row['spans']),
      llmCalls: num(row['llmCalls']),
      inputTokens: num(row['inputTokens']),
      outputTokens: num(row['outputTokens']),
      costUsd: num(row['costUsd']),
    }));
  }

  /** Per model: its cost in traces that ended ok, divided by the number of those traces. */
  async costPerSuccessfulTrace(range: Range): Promise<Map<string, number>> {
    const rows = await this.rows(
      `SELECT Model AS name, sum(CostUsd) / uniqExact(TraceId) AS perTrace
FROM ${OTEL_TRACES.in(this.database)}
WHERE ${within('Timestamp', range)} AND Model != ''
  AND TraceId IN (
    SELECT TraceId FROM ${AGENT_TRACES.in(this.database)} FINAL
    WHERE Status = 'ok' AND ${within('Start', range)})
GROUP BY name`,
    );
    return new Map(rows.map((row) => [String(row['name']), num(row['perTrace'])]));
  }

  async traceCounts(range: Range): Promise<{ total: number; failed: number; incomplete: number }> {
    const [row] = await this.rows(
      `SELECT count() AS total, countIf(Status = 'failed') AS failed,
       countIf(Status = 'incomplete') AS incomplete
FROM ${AGENT_TRACES.in(this.database)} FINAL
WHERE ${within('Start', range)}`,
    );
    return {
      total: num(row?.['total']),
      failed: num(row?.['failed']),
      incomplete: num(row?.['incomplete']),
    };
  }

  /** Span totals of a period, for health and trends. */
  async spanTotals(range: Range): Promise<{
    spans: number;
    errors: number;
    tokens: number;
    costUsd: number;
    p95Ms: number;
  }> {
    const [row] = await this.rows(
      `SELECT count() AS spans, countIf(StatusCode = 'Error') AS errors,
       sum(InputTokens) + sum(OutputTokens) AS tokens, sum(CostUsd) AS costUsd,
       quantile(0.95)(Duration) AS p95
FROM ${OTEL_TRACES.in(this.database)}
WHERE ${within('Timestamp', range)}`,
    );
    return {
      spans: num(row?.['spans']),
      errors: num(row?.['errors']),
      tokens: num(row?.['tokens']),
      costUsd: num(row?.['costUsd']),
      p95Ms: nsToMs(num(row?.['p95'])),
    };
  }

  async failureClasses(range: Range, traces: number): Promise<FailureClassRow[]> {
    const rows = await this.rows(
      `SELECT Class AS class, count() AS failures, uniqExact(TraceId) AS traces
FROM ${FAILURES.in(this.database)} FINAL
WHERE ${within('Timestamp', range)}
GROUP BY class
ORDER BY failures DESC, class`,
    );
    return rows.map((row) => ({
      class: String(row['class']),
      failures: num(row['failures']),
      traces: num(row['traces']),
      traceRate: ratio(num(row['traces']), traces),
    }));
  }

  async failureCount(range: Range): Promise<number> {
    const [row] = await this.rows(
      `SELECT count() AS n FROM ${FAILURES.in(this.database)} FINAL WHERE ${within('Timestamp', range)}`,
    );
    return num(row?.['n']);
  }

  async topSignatures(range: Range): Promise<SignatureRow[]> {
    const rows = await this.rows(
      `SELECT Signature AS signature, any(Class) AS class, any(Severity) AS severity,
       any(ServiceName) AS service, any(Message) AS message, count() AS count,
       min(Timestamp) AS firstSeen, max(Timestamp) AS lastSeen, any(TraceId) AS exampleTraceId,
       countIf(CausedBy = '') * 2 > count() AS rootCause
FROM ${FAILURES.in(this.database)} FINAL
WHERE ${within('Timestamp', range)}
GROUP BY signature
ORDER BY rootCause DESC, count DESC, signature
LIMIT 10`,
    );
    return rows.map((row) => ({
      signature: String(row['signature']),
      class: String(row['class']),
      severity: String(row['severity']),
      service: String(row['service']),
      message: String(row['message']),
      count: num(row['count']),
      firstSeen: isoTime(row['firstSeen']),
      lastSeen: isoTime(row['lastSeen']),
      exampleTraceId: String(row['exampleTraceId']),
      rootCause: num(row['rootCause']) === 1,
    }));
  }

  /**
   * Signatures a reviewer exported or ignored that failed again in the period: captures still
   * `new` that are newer than the newest reviewed one.
   */
  async regressions(range: Range): Promise<RegressionRow[]> {
    const rows = await this.rows(
      `SELECT Signature AS signature, any(Class) AS class,
       countIf(Status = 'new' AND ${within('Timestamp', range)}) AS recurrences,
       maxIf(Timestamp, Status = 'new') AS lastSeen
FROM ${FAILURES.in(this.database)} FINAL
GROUP BY signature
HAVING countIf(Status IN ('exported', 'ignored')) > 0
   AND lastSeen > maxIf(Timestamp, Status IN ('exported', 'ignored'))
   AND recurrences > 0
ORDER BY recurrences DESC, signature
LIMIT ${ROW_LIMIT}`,
    );
    return rows.map((row) => ({
      signature: String(row['signature']),
      class: String(row['class']),
      recurrences: num(row['recurrences']),
      lastSeen: isoTime(row['lastSeen']),
    }));
  }

  async alerts(range: Range): Promise<AlertRow[]> {
    const rows = await this.rows(
      `SELECT AlertName AS alertName, any(Severity) AS severity,
       countIf(State = 'firing') AS firings, max(Timestamp) AS lastTransition
FROM ${ALERTS.in(this.database)}
WHERE ${within('Timestamp', range)}
GROUP BY alertName
ORDER BY firings DESC, alertName
LIMIT ${ROW_LIMIT}`,
    );
    return rows.map((row) => ({
      alertName: String(row['alertName']),
      severity: String(row['severity']),
      firings: num(row['firings']),
      lastTransition: isoTime(row['lastTransition']),
    }));
  }

  async incidents(range: Range): Promise<IncidentRow[]> {
    const rows = await this.rows(
      `SELECT IncidentId AS id, Title AS title, Severity AS severity, Status AS status, OpenedAt AS openedAt
FROM ${INCIDENTS.in(this.database)} FINAL
WHERE ${within('OpenedAt', range)}
ORDER BY OpenedAt DESC
LIMIT ${ROW_LIMIT}`,
    );
    return rows.map((row) => ({
      id: String(row['id']),
      title: String(row['title']),
      severity: String(row['severity']),
      status: String(row['status']),
      openedAt: isoTime(row['openedAt']),
    }));
  }

  /** Spans, errors and cost per day from the minute roll-ups, which outlive the raw spans. */
  async daily(range: Range): Promise<DailyRow[]> {
    const rows = await this.rows(
      `SELECT toString(toDate(Minute)) AS day, sum(Spans) AS spans, sum(Errors) AS errors,
       sum(CostUsd) AS costUsd
FROM ${OTEL_TRACES_1M.in(this.database)}
WHERE ${within('Minute', range)}
GROUP BY day
ORDER BY day`,
    );
    const byDay = new Map(rows.map((row) => [String(row['day']), row]));
    const days: DailyRow[] = [];
    for (let t = range.fromMs - (range.fromMs % 86_400_000); t < range.toMs; t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      const row = byDay.get(day);
      days.push({
        day,
        spans: num(row?.['spans']),
        errors: num(row?.['errors']),
        costUsd: num(row?.['costUsd']),
      });
    }
    return days;
  }

  private rows(sql: string): Promise<Row[]> {
    return queryRows<Row>(this.store, sql);
  }
}

/** A half-open time range on a DateTime/DateTime64 column. */
const within = (column: string, range: Range): string =>
  `${column} >= ${sqlMillis(range.fromMs)} AND ${column} < ${sqlMillis(range.toMs)}`;

/** ClickHouse sends 64-bit integers as strings in JSON. */
const num = (value: unknown): number => {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
};

const nsToMs = (ns: number): number => Math.round(ns / 1000) / 1000;

export const ratio = (part: number, whole: number): number =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;

/** `2026-11-14 10:00:00.123456789` (UTC, as chDB and the server print it) → RFC 3339. */
const isoTime = (value: unknown): string => {
  const text = typeof value === 'string' ? value : '';
  return /^\d{4}-\d{2}-\d{2} /.test(text) ? `${text.replace(' ', 'T')}Z` : text;
};
