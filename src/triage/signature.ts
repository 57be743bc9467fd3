import type { Store } from '../storage/store.js';
import { ApiError } from '../api/respond.js';
import { groupBySignature } from './queue.js';
import { statusHistory } from './status.js';
import { epochMillis, queryRows, sqlString } from '../storage/sql.js';
import { iso, type Row } from './sql.js';
import { FAILURES, FAILURE_SIGNATURES_1H } from '../storage/tables.js';

/** One captured occurrence of a signature, with the symptoms it caused. */
interface Occurrence {
  failure_id: string;
  timestamp: string | null;
  trace_id: string;
  span_id: string;
  agent: string;
  span_name: string;
  message: string;
  caused_by: string;
  symptoms: { failure_id: string; class: string; span_name: string; signature: string }[];
}

/** Occurrences are paged newest first by (time in ns, failure id). */
function occurrenceCursor(text: string): { ns: string; id: string } {
  const [ns, id] = Buffer.from(text, 'base64url').toString('utf8').split(':', 2);
  if (!ns || !/^\d{1,20}$/.test(ns) || !id || !/^[0-9a-f]+$/.test(id))
    throw new ApiError(400, 'invalid_cursor', 'cursor: not a cursor this API returned');
  return { ns, id };
}

/**
 * `GET /api/v1/failures/{signature}`: the group, a page of occurrences, the per-hour
 * histogram (from the roll-up) and the audit history.
 */
export async function signatureDetail(
  store: Store,
  signature: string,
  limit: number,
  cursor: string | undefined,
) {
  const group = await groupBySignature(store, signature);
  if (!group)
    throw new ApiError(404, 'signature_not_found', `no failures with signature ${signature}`);
  const db = store.database;
  const after = cursor ? occurrenceCursor(cursor) : undefined;
  const [found, histogram, history] = await Promise.all([
    queryRows(
      store,
      `SELECT FailureId, toString(toUnixTimestamp64Nano(Timestamp)) AS Ns, TraceId, SpanId, AgentName,
    SpanName, Message, CausedBy
FROM ${FAILURES.in(db)} FINAL
WHERE Signature = ${sqlString(signature)}
${after ? `AND (toUnixTimestamp64Nano(Timestamp), FailureId) < (toInt64(${after.ns}), ${sqlString(after.id)})` : ''}
ORDER BY Timestamp DESC, FailureId DESC LIMIT ${limit + 1}`,
    ),
    queryRows(
      store,
      `SELECT ${epochMillis('toDateTime64(Hour, 3)')} AS HourMs, sum(Occurrences) AS Count
FROM ${FAILURE_SIGNATURES_1H.in(db)} WHERE Signature = ${sqlString(signature)}
GROUP BY Hour ORDER BY Hour`,
    ),
    statusHistory(store, signature),
  ]);
  const page = found.slice(0, limit);
  const symptoms = await symptomsOf(store, page);
  const last = page[page.length - 1];
  return {
    group,
    occurrences: page.map((row): Occurrence => ({
      failure_id: String(row.FailureId),
      timestamp: iso(Number(BigInt(String(row.Ns)) / 1_000_000n)),
      trace_id: String(row.TraceId),
      span_id: String(row.SpanId),
      agent: String(row.AgentName),
      span_name: String(row.SpanName),
      message: String(row.Message),
      caused_by: String(row.CausedBy),
      symptoms: symptoms.get(String(row.FailureId)) ?? [],
    })),
    next_cursor:
      found.length > limit && last
        ? Buffer.from(`${String(last.Ns)}:${String(last.FailureId)}`).toString('base64url')
        : null,
    histogram: histogram.map((row) => ({ hour: iso(row.HourMs), count: Number(row.Count) })),
    history,
  };
}

/** The symptom failures caused by the given occurrences (they share their trace). */
async function symptomsOf(store: Store, page: Row[]): Promise<Map<string, Occurrence['symptoms']>> {
  const bySymptom = new Map<string, Occurrence['symptoms']>();
  if (page.length === 0) return bySymptom;
  const traces = [...new Set(page.map((row) => String(row.TraceId)))].map(sqlString).join(', ');
  const ids = page.map((row) => sqlString(String(row.FailureId))).join(', ');
  const found = await queryRows(
    store,
    `SELECT CausedBy, FailureId, Class, SpanName, Signature FROM ${FAILURES.in(store.database)} FINAL
WHERE TraceId IN (${traces}) AND CausedBy IN (${ids}) ORDER BY Timestamp`,
  );
  for (const row of found) {
    const list = bySymptom.get(String(row.CausedBy)) ?? [];
    list.push({
      failure_id: String(row.FailureId),
      class: String(row.Class),
      span_name: String(row.SpanName),
      signature: String(row.Signature),
    });
    bySymptom.set(String(row.CausedBy), list);
  }
  return bySymptom;
}
