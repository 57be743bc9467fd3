import type { Failure } from './failure.js';
import type { Span } from './span.js';
import type { AgentTrace } from './trace.js';

/**
 * What flows through the pipeline: spans from receivers, assembled traces from the assemble
 * processor, failures from the classify processor. Components add to a batch and hand it on.
 */
export interface TelemetryBatch {
  spans: Span[];
  traces: AgentTrace[];
  failures: Failure[];
  /**
   * Failures captured earlier whose root cause was decided once their trace was assembled
   * (SPEC §5.3): stored again with a higher revision, not counted again.
   */
  revisedFailures?: Failure[];
}

export const spansBatch = (spans: Span[]): TelemetryBatch => ({ spans, traces: [], failures: [] });

export const batchSize = (batch: TelemetryBatch): number =>
  batch.spans.length + batch.traces.length + batch.failures.length;
