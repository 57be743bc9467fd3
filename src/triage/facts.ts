import type { Store } from '../storage/store.js';
import { remediationFor } from '../alerting/incidents/remediation.js';
import { markdownText } from './escape.js';
import { epochMillis, queryRows, sqlString } from '../storage/sql.js';

import { FAILURES, OTEL_TRACES } from '../storage/tables.js';

/** What the stored (redacted) span of one occurrence says: the facts a remediation can use. */
export interface OccurrenceFacts {
  failureId: string;
  traceId: string;
  spanId: string;
  signature: string;
  failureClass: string;
  message: string;
  timeMs: number;
  durationNs: number;
  model: string;
  tool: string;
  toolArguments: string;
  statusCode: string;
  errorType: string;
  inputPreview: string;
  outputPreview: string;
}

/**
 * Up to `perSignature` newest root-cause occurrences of each signature with their span's
 * stored columns. Everything comes from storage, after redaction: never the original text.
 */
export async function occurrenceFacts(
  store: Store,
  signatures: string[],
  perSignature: number,
): Promise<OccurrenceFacts[]> {
  if (signatures.length === 0) return [];
  const db = store.database;
  const wanted = signatures.map(sqlString).join(', ');
  const rows = await queryRows(
    store,
    `SELECT f.FailureId, f.TraceId, f.SpanId, f.Signature, f.Class, f.Message,
    ${epochMillis('f.Timestamp')} AS TimeMs, t.Duration, t.Model, t.ToolName,
    t.SpanAttributes['gen_ai.tool.call.arguments'] AS ToolArguments,
    coalesce(nullIf(t.SpanAttributes['http.response.status_code'], ''),
        nullIf(t.SpanAttributes['http.status_code'], ''),
        nullIf(t.SpanAttributes['ai.response.statusCode'], ''), '') AS StatusCode,
    coalesce(nullIf(t.SpanAttributes['error.type'], ''),
        arrayFirst(x -> x != '', arrayMap(a -> a['exception.type'], t.\`Events.Attributes\`)),
        '') AS ErrorType,
    t.InputPreview, t.OutputPreview
FROM
(
    SELECT * FROM ${FAILURES.in(db)} FINAL
    WHERE Signature IN (${wanted}) AND CausedBy = ''
    ORDER BY Timestamp DESC LIMIT ${perSignature} BY Signature
) AS f
LEFT JOIN
(
    SELECT TraceId, SpanId, Duration, Model, ToolName, SpanAttributes, \`Events.Attributes\`,
        InputPreview, OutputPreview
    FROM ${OTEL_TRACES.in(db)}
    WHERE TraceId IN (SELECT TraceId FROM ${FAILURES.in(db)} WHERE Signature IN (${wanted}))
) AS t ON t.TraceId = f.TraceId AND t.SpanId = f.SpanId
ORDER BY f.Signature, f.Timestamp DESC`,
  );
  return rows.map((row) => ({
    failureId: String(row.FailureId),
    traceId: String(row.TraceId),
    spanId: String(row.SpanId),
    signature: String(row.Signature),
    failureClass: String(row.Class),
    message: String(row.Message),
    timeMs: Number(row.TimeMs),
    durationNs: Number(row.Duration),
    model: String(row.Model),
    tool: String(row.ToolName),
    toolArguments: String(row.ToolArguments),
    statusCode: String(row.StatusCode),
    errorType: String(row.ErrorType),
    inputPreview: String(row.InputPreview),
    outputPreview: String(row.OutputPreview),
  }));
}

/**
 * A remediation: the class's general advice, then what this signature's own facts point at
 * (tool, model, status code, error type). `text` escapes client-written values for the
 * document it goes into (Markdown); plain by default (JSON).
 */
export function remediation(
  failureClass: string,
  facts: OccurrenceFacts | undefined,
  text: (value: string) => string = (value) => value,
): string {
  const specifics: string[] = [];
  if (facts?.tool) specifics.push(`the tool "${text(facts.tool)}"`);
  if (facts?.model) specifics.push(`the model "${text(facts.model)}"`);
  if (facts?.statusCode) specifics.push(`status code ${text(facts.statusCode)}`);
  if (facts?.errorType) specifics.push(`error type "${text(facts.errorType)}"`);
  const advice = text(remediationFor(failureClass));
  return specifics.length ? `${advice} Look first at ${specifics.join(', ')}.` : advice;
}

/** The same, escaped for Markdown. */
export const remediationMarkdown = (failureClass: string, facts: OccurrenceFacts | undefined) =>
  remediation(failureClass, facts, markdownText);
