import type { OccurrenceFacts } from '../facts.js';

/**
 * An eval dataset, one JSON line per occurrence: the stored (redacted) input, no expected
 * answer (a reviewer writes it), the actual output or, when there was none, the error.
 */
export function evalDataset(occurrences: OccurrenceFacts[]): string {
  return occurrences
    .map((o) =>
      JSON.stringify({
        input: o.inputPreview,
        expected: '',
        actual: o.outputPreview || o.message,
        metadata: {
          trace_id: o.traceId,
          span_id: o.spanId,
          failure_id: o.failureId,
          signature: o.signature,
          class: o.failureClass,
          model: o.model,
          tool: o.tool,
        },
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}
