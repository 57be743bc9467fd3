import type { FailureStatus } from '../model/index.js';
import type { Store } from '../storage/store.js';
import { ApiError } from '../api/respond.js';
import type { QueueQuery } from './params.js';
import { epochMillis, queryRows, sqlMillis, sqlString } from '../storage/sql.js';
import { iso, type Row } from './sql.js';
import {
  type Table,
  FAILURES,
  FAILURE_SIGNATURES,
  FAILURE_SIGNATURES_1H,
  FAILURE_SYMPTOMS_1H,
  SIGNATURE_STATUS,
} from '../storage/tables.js';

/** One review-queue group: every occurrence of one signature (SPEC §10). */
export interface FailureGroup {
  signature: string;
  class: string;
  severity: string;
  status: FailureStatus;
  service: string;
  agent: string;
  step_type: string;
  span_name: string;
  message: string;
  count: number;
  first_seen: string | null;
  last_seen: string | null;
  example_trace_id: string;
  /** Most of its occurrences are root causes (not symptoms of a failure below them). */
  root_cause: boolean;
  regressed: boolean;
  /** Occurrences since the signature was last exported (0 unless regressed). */
  regressions: number;
  /** Symptom failures whose root cause has this signature. */
  symptoms: number;
}

export interface QueuePage {
  groups: FailureGroup[];
  next_cursor: string | null;
}

/** Severity as a number, so `sort=severity` puts critical first. */
const SEVERITY_RANK = `multiIf(severity = 'critical', 4, severity = 'high', 3, severity = 'medium', 2, 1)`;

/** Each sort is descending over (k1, k2, signature); the cursor carries the last row's keys. */
const SORT_KEYS: Record<QueueQuery['sort'], [string, string]> = {
  last_seen: [`toUInt64(${epochMillis('last_seen')})`, 'toUInt64(0)'],
  first_seen: [`toUInt64(${epochMillis('first_seen')})`, 'toUInt64(0)'],
  count: ['toUInt64(count)', `toUInt64(${epochMillis('last_seen')})`],
  severity: [`toUInt64(${SEVERITY_RANK})`, `toUInt64(${epochMillis('last_seen')})`],
};

interface Cursor {
  k1: string;
  k2: string;
  signature: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (
      [value.k1, value.k2].every((k) => /^\d{1,20}$/.test(k)) &&
      typeof value.signature === 'string'
    )
      return value;
  } catch {
    // fall through to the refusal
  }
  throw new ApiError(400, 'invalid_cursor', 'cursor: not a cursor this API returned');
}

/**
 * The groups of the signatures that match, before the per-group filters. Service, class and
 * step type are part of the signature, so they filter the per-signature roll-up; time bounds
 * count from the hourly roll-up and select whole hours (its grain).
 */
export function groupsSql(store: Store, filter: Partial<QueueQuery>, signature?: string): string {
  const db = store.database;
  const hours: string[] = [];
  if (filter.since !== undefined) hours.push(`Hour >= toStartOfHour(${sqlMillis(filter.since)})`);
  if (filter.until !== undefined) hours.push(`Hour <= ${sqlMillis(filter.until)}`);
  const what: string[] = [];
  if (signature !== undefined) what.push(`Signature = ${sqlString(signature)}`);
  if (filter.service) what.push(`ServiceName = ${sqlString(filter.service)}`);
  if (filter.class) what.push(`Class = ${sqlString(filter.class)}`);
  if (filter.step_type) what.push(`StepType = ${sqlString(filter.step_type)}`);
  const where = (parts: string[]) => (parts.length ? `WHERE ${parts.join(' AND ')}` : '');
  const counts = (table: Table, parts: string[]) => `SELECT Signature, min(FirstSeen) AS first_seen,
        max(LastSeen) AS last_seen, sum(Occurrences) AS count,
        sum(SymptomOccurrences) AS symptom_count
    FROM ${table.in(db)} ${where(parts)} GROUP BY Signature`;
  const timed = hours.length > 0;
  return `SELECT
    d.Signature AS signature, d.class, d.severity, d.service, d.agent, d.step_type, d.span_name,
    d.message, d.example_trace_id, c.count, c.first_seen, c.last_seen,
    c.symptom_count * 2 < c.count AS root_cause,
    if(s.Status = '', 'new', s.Status) AS stored_status,
    s.ExportedAt AS exported_at,
    s.ExportedAt > toDateTime64(0, 3) AND c.last_seen > s.ExportedAt AS regressed,
    if(stored_status = 'exported' AND regressed, 'new', stored_status) AS status,
    sym.symptoms AS symptoms
FROM
(
    SELECT Signature, anyLast(Class) AS class, anyLast(Severity) AS severity,
        anyLast(ServiceName) AS service, anyLast(AgentName) AS agent,
        anyLast(StepType) AS step_type, anyLast(SpanName) AS span_name,
        anyLast(Message) AS message, anyLast(ExampleTraceId) AS example_trace_id
    FROM ${FAILURE_SIGNATURES.in(db)} ${where(what)} GROUP BY Signature
) AS d
INNER JOIN
(
    ${timed ? counts(FAILURE_SIGNATURES_1H, [...hours, ...(signature !== undefined ? [what[0]!] : [])]) : counts(FAILURE_SIGNATURES, what)}
) AS c ON c.Signature = d.Signature
LEFT JOIN
(
    SELECT Signature, argMax(Status, Version) AS Status, argMax(ExportedAt, Version) AS ExportedAt
    FROM ${SIGNATURE_STATUS.in(db)} GROUP BY Signature
) AS s ON s.Signature = d.Signature
LEFT JOIN
(
    SELECT CauseSignature, sum(Symptoms) AS symptoms
    FROM ${FAILURE_SYMPTOMS_1H.in(db)} ${where(hours)} GROUP BY CauseSignature
) AS sym ON sym.CauseSignature = d.Signature`;
}

/** `GET /api/v1/failures`: one page of the review queue. */
export async function listGroups(store: Store, query: QueueQuery): Promise<QueuePage> {
  const having: string[] = [];
  if (query.agent) having.push(`agent = ${sqlString(query.agent)}`);
  if (query.severity) having.push(`severity = ${sqlString(query.severity)}`);
  if (query.status) having.push(`status = ${sqlString(query.status)}`);
  if (query.q) {
    const text = sqlString(query.q);
    having.push(
      `(positionCaseInsensitiveUTF8(message, ${text}) > 0 OR positionCaseInsensitiveUTF8(span_name, ${text}) > 0 OR startsWith(signature, ${text}))`,
    );
  }
  if (!query.include_symptoms) having.push('root_cause');
  const [k1, k2] = SORT_KEYS[query.sort];
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    having.push(
      `(k1, k2, signature) < (toUInt64(${after.k1}), toUInt64(${after.k2}), ${sqlString(after.signature)})`,
    );
  }
  const found = await queryRows(
    store,
    `SELECT *, ${k1} AS k1, ${k2} AS k2,
    ${epochMillis('first_seen')} AS first_ms, ${epochMillis('last_seen')} AS last_ms,
    ${epochMillis('exported_at')} AS exported_ms
FROM (${groupsSql(store, query)})
${having.length ? `WHERE ${having.join(' AND ')}` : ''}
ORDER BY k1 DESC, k2 DESC, signature DESC
LIMIT ${query.limit + 1}`,
  );
  const page = found.slice(0, query.limit);
  const regressions = await regressionCounts(store, page);
  const last = page[page.length - 1];
  return {
    groups: page.map((row) => toGroup(row, regressions.get(String(row.signature)) ?? 0)),
    next_cursor:
      found.length > query.limit && last
        ? encodeCursor({
            k1: String(last.k1),
            k2: String(last.k2),
            signature: String(last.signature),
          })
        : null,
  };
}

/** Exact occurrences since each regressed group's export, read from the failures themselves. */
async function regressionCounts(store: Store, page: Row[]): Promise<Map<string, number>> {
  const regressed = page.filter((row) => Number(row.regressed) === 1);
  if (regressed.length === 0) return new Map();
  const conditions = regressed.map(
    (row) =>
      `(Signature = ${sqlString(String(row.signature))} AND Timestamp > ${sqlMillis(Number(row.exported_ms))})`,
  );
  const counts = await queryRows(
    store,
    `SELECT Signature, uniqExact(FailureId) AS n FROM ${FAILURES.in(store.database)}
WHERE ${conditions.join(' OR ')} GROUP BY Signature`,
  );
  return new Map(counts.map((row) => [String(row.Signature), Number(row.n)]));
}

export function toGroup(row: Row, regressions: number): FailureGroup {
  return {
    signature: String(row.signature),
    class: String(row.class),
    severity: String(row.severity),
    status: String(row.status) as FailureStatus,
    service: String(row.service),
    agent: String(row.agent),
    step_type: String(row.step_type),
    span_name: String(row.span_name),
    message: String(row.message),
    count: Number(row.count),
    first_seen: iso(row.first_ms),
    last_seen: iso(row.last_ms),
    example_trace_id: String(row.example_trace_id),
    root_cause: Number(row.root_cause) === 1,
    regressed: Number(row.regressed) === 1,
    regressions,
    symptoms: Number(row.symptoms),
  };
}

/** One group by signature (over all time), or undefined when nothing was captured for it. */
export async function groupBySignature(
  store: Store,
  signature: string,
): Promise<FailureGroup | undefined> {
  const found = await queryRows(
    store,
    `SELECT *, ${epochMillis('first_seen')} AS first_ms, ${epochMillis('last_seen')} AS last_ms,
    ${epochMillis('exported_at')} AS exported_ms
FROM (${groupsSql(store, {}, signature)})`,
  );
  const row = found[0];
  if (!row) return undefined;
  const regressions = await regressionCounts(store, [row]);
  return toGroup(row, regressions.get(signature) ?? 0);
}
