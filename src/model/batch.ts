import type { Failure } from './failure.js';
import type { LogRecord } from './log-record.js';
import type { Span } from './span.js';
import type { AgentTrace } from './trace.js';

/** The OTLP signals Faultline receives. */
export type Signal = 'traces' | 'logs';

/**
 * What flows through the pipeline: spans and log records from receivers, assembled traces from
 * the assemble processor, failures from the classify processor. Components add to a batch and
 * hand it on.
 */
export interface TelemetryBatch {
  spans: Span[];
  traces: AgentTrace[];
  failures: Failure[];
  /** OTLP log records (GenAI events among them); absent when the batch carries none. */
  logs?: LogRecord[];
  /**
   * Failures captured earlier whose root cause was decided once their trace was assembled
   * (SPEC §5.3): stored again with a higher revision, not counted again.
   */
  revisedFailures?: Failure[];
}

export const spansBatch = (spans: Span[]): TelemetryBatch => ({ spans, traces: [], failures: [] });

export const logsBatch = (logs: LogRecord[]): TelemetryBatch => ({
  spans: [],
  traces: [],
  failures: [],
  logs,
});

export const batchSize = (batch: TelemetryBatch): number =>
  batch.spans.length + batch.traces.length + batch.failures.length + (batch.logs?.length ?? 0);
