/** The `agent_traces` Native block: every trace gets its row, however deep its step tree. */
import { describe, expect, it } from 'vitest';
import { traceBlockEncoder } from '../../../src/exporters/clickhouse/native/trace-columns.js';
import {
  STEP_SCHEMA_VERSION,
  summarizeTrace,
  traceDocumentJson,
  type AgentTrace,
} from '../../../src/model/index.js';
import { readNativeRows } from '../../helpers/native-reader.js';
import { stepChain } from '../../helpers/spans.js';

/** A trace whose step tree is `length` deep. */
const chainTrace = (length: number, traceId: string): AgentTrace => ({
  traceId,
  steps: stepChain(length),
  incomplete: false,
  droppedSteps: 0,
  failures: [],
  version: 1,
});

describe('the agent_traces block', () => {
  it('writes the row of a trace as deep as max_steps_per_trace, once dead-lettered', () => {
    // 5,000 is max_steps_per_trace's default; the document's JSON.stringify ran out of stack.
    const traces = [chainTrace(3, 'a'.repeat(32)), chainTrace(5000, 'b'.repeat(32))];
    const rows = readNativeRows(traceBlockEncoder().encode(traces));
    expect(rows.map((row) => [row['TraceId'], row['SchemaVersion']])).toEqual([
      ['a'.repeat(32), STEP_SCHEMA_VERSION],
      ['b'.repeat(32), STEP_SCHEMA_VERSION],
    ]);
    expect(rows[1]!['Document']).toBe(traceDocumentJson(traces[1]!, summarizeTrace(traces[1]!)));
    expect(rows[1]!['SpanCount']).toBe(5000);
  });
});
