import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { StepDocument, TraceDocument } from '../../src/model/trace-document.js';
import { startDaemon } from './daemon.js';
import type { DaemonHandle } from './daemon.js';

/**
 * Shared by the instrumentation tests: spans recorded by a real library are sent with a real
 * OTLP exporter, then read back as Faultline's step columns, assembled agent traces, failures
 * and the trace document the API serves.
 */

/**
 * A daemon whose pipeline assembles and classifies, deciding a trace 500ms after its last span
 * (the default 10s would only slow the tests). `assembleYaml` adds keys to the assemble
 * processor's section, indented by four spaces (e.g. a price table).
 */
export function startAgentDaemon(assembleYaml = ''): Promise<DaemonHandle> {
  return startDaemon({
    processorsYaml: `  assemble:\n    decision_wait: 500ms\n${assembleYaml}  classify: {}\n`,
    pipelineProcessors: ['assemble', 'classify'],
  });
}

/** Exports spans in one OTLP request; rejects unless the daemon acknowledged them. */
export async function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  if (result.code !== ExportResultCode.SUCCESS)
    throw result.error ?? new Error(`export failed with code ${result.code}`);
}

/** The trace ids of recorded spans, in the order their first span ended. */
export function traceIdsOf(spans: ReadableSpan[]): string[] {
  return [...new Set(spans.map((span) => span.spanContext().traceId))];
}

/** One span as `otel_traces` stores it, with Faultline's step columns. */
export interface StepRow {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  ScopeName: string;
  StatusCode: string;
  StatusMessage: string;
  StepType: string;
  Operation: string;
  AgentName: string;
  Model: string;
  RequestModel: string;
  Provider: string;
  InputTokens: number;
  OutputTokens: number;
  TotalTokens: number;
  CacheReadTokens: number;
  CostUsd: number;
  ToolName: string;
  SessionId: string;
  UserHash: string;
  FinishReasons: string[];
  FailureClass: string;
  FailureClasses: string[];
}

/** One row of `agent_traces FINAL`. */
export interface AgentTraceRow {
  TraceId: string;
  RootName: string;
  ServiceName: string;
  AgentName: string;
  SessionId: string;
  UserHash: string;
  Status: string;
  SpanCount: number;
  StepCounts: Record<string, number>;
  LlmCalls: number;
  ToolCalls: number;
  InputTokens: number;
  OutputTokens: number;
  TotalTokens: number;
  CostUsd: number;
  ErrorCount: number;
  FailureClasses: string[];
  RootCauseSpanId: string;
  Models: string[];
  SchemaVersion: number;
}

/** One row of `failures FINAL`. */
export interface FailureRow {
  TraceId: string;
  SpanId: string;
  SpanName: string;
  StepType: string;
  Class: string;
  Severity: string;
  Signature: string;
  Message: string;
  Status: string;
}

const quoted = (ids: string[]): string => ids.map((id) => `'${id}'`).join(', ');

// ClickHouse writes 64-bit integers as JSON strings; the casts keep every number a number.
const STEP_COLUMNS = `TraceId, SpanId, ParentSpanId, SpanName, ScopeName, StatusCode, StatusMessage,
  StepType, Operation, AgentName, Model, RequestModel, Provider,
  toUInt32(InputTokens) AS InputTokens, toUInt32(OutputTokens) AS OutputTokens,
  toUInt32(TotalTokens) AS TotalTokens, toUInt32(CacheReadTokens) AS CacheReadTokens, CostUsd,
  ToolName, SessionId, UserHash, FinishReasons, FailureClass, FailureClasses`;

/** The stored spans of these traces, oldest first. Export acknowledges storage: no waiting. */
export function stepRows(daemon: DaemonHandle, traceIds: string[]): Promise<StepRow[]> {
  return daemon.query<StepRow>(
    `SELECT ${STEP_COLUMNS} FROM faultline.otel_traces
     WHERE TraceId IN (${quoted(traceIds)}) ORDER BY Timestamp, SpanName`,
  );
}

/**
 * Waits (bounded) until every one of these traces is assembled — its root ended and no span
 * arrived for the assemble processor's decision_wait — and returns their rows.
 */
export async function waitForAgentTraces(
  daemon: DaemonHandle,
  traceIds: string[],
): Promise<AgentTraceRow[]> {
  const sql = `SELECT TraceId, RootName, ServiceName, AgentName, SessionId, UserHash, Status,
      SpanCount, StepCounts, LlmCalls, ToolCalls,
      toUInt32(InputTokens) AS InputTokens, toUInt32(OutputTokens) AS OutputTokens,
      toUInt32(TotalTokens) AS TotalTokens, CostUsd, ErrorCount, FailureClasses,
      RootCauseSpanId, Models, SchemaVersion
    FROM faultline.agent_traces FINAL WHERE TraceId IN (${quoted(traceIds)})`;
  let rows: AgentTraceRow[] = [];
  for (let attempt = 0; attempt < 300; attempt++) {
    rows = await daemon.query<AgentTraceRow>(sql);
    if (rows.length >= traceIds.length) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${traceIds.length - rows.length} of ${traceIds.length} traces were not assembled in time:\n` +
      daemon.logs().slice(-4000),
  );
}

export function failureRows(daemon: DaemonHandle, traceIds: string[]): Promise<FailureRow[]> {
  return daemon.query<FailureRow>(
    `SELECT TraceId, SpanId, SpanName, StepType, Class, Severity, Signature, Message, Status
     FROM faultline.failures FINAL WHERE TraceId IN (${quoted(traceIds)}) ORDER BY Class`,
  );
}

/** `GET /api/v1/traces/{traceId}`: the assembled trace document. */
export async function traceDocument(daemon: DaemonHandle, traceId: string): Promise<TraceDocument> {
  const response = await fetch(`${daemon.adminUrl}/api/v1/traces/${traceId}`);
  const body = await response.text();
  if (!response.ok) throw new Error(`GET trace ${traceId}: ${response.status} ${body}`);
  return JSON.parse(body) as TraceDocument;
}

/** The steps of a document's tree, depth first, each with the names of its ancestors. */
export function flattenSteps(
  steps: StepDocument[],
  ancestors: string[] = [],
): (StepDocument & { path: string[] })[] {
  return steps.flatMap((step) => [
    { ...step, path: ancestors },
    ...flattenSteps(step.children, [...ancestors, step.name]),
  ]);
}

/** The one row matching, or an error that lists what there was. */
export function only<T extends { SpanName?: string; RootName?: string }>(
  rows: T[],
  predicate: (row: T) => boolean,
  what: string,
): T {
  const found = rows.filter(predicate);
  if (found.length !== 1) {
    const names = rows.map((r) => r.SpanName ?? r.RootName).join(', ');
    throw new Error(`expected exactly one ${what}, found ${found.length} among: ${names}`);
  }
  return found[0]!;
}

/** Everything Faultline stored of one trace. */
export interface StoredTrace {
  traceId: string;
  traces: AgentTraceRow[];
  steps: StepRow[];
  failures: FailureRow[];
  document: TraceDocument;
}

/** Exports the spans of one recorded trace and reads back everything stored of it. */
export async function sendOneTrace(
  daemon: DaemonHandle,
  exporter: SpanExporter,
  spans: ReadableSpan[],
): Promise<StoredTrace> {
  const traceIds = traceIdsOf(spans);
  if (traceIds.length !== 1) throw new Error(`expected one recorded trace, got ${traceIds.length}`);
  const traceId = traceIds[0]!;
  await exportSpans(exporter, spans);
  return {
    traceId,
    traces: await waitForAgentTraces(daemon, [traceId]),
    steps: await stepRows(daemon, [traceId]),
    failures: await failureRows(daemon, [traceId]),
    document: await traceDocument(daemon, traceId),
  };
}
