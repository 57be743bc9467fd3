import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentDaemon } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * The tracer helper as users run it: the example agent, a separate process with the OTel SDK
 * and `faultline/tracer` (the package's export, from the build), sending to a spawned daemon;
 * the stored steps are read back.
 */
const EXAMPLE = fileURLToPath(new URL('../../examples/support-agent.mjs', import.meta.url));

interface Row {
  SpanName: string;
  StepType: string;
  ParentOk: number;
  StatusCode: string;
  CostUsd: number;
  ToolName: string;
  Events: string[];
}

describe('faultline/tracer', () => {
  let daemon: DaemonHandle;
  let rows: Row[];

  beforeAll(async () => {
    daemon = await startAgentDaemon();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [EXAMPLE], {
        env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${daemon.httpPort}` },
        stdio: 'inherit',
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    rows = await daemon.queryUntil<Row>(
      `SELECT SpanName, StepType, StatusCode, CostUsd, ToolName, Events.Name AS Events,
              ParentSpanId != '' OR SpanName LIKE 'invoke_agent%' AS ParentOk
       FROM faultline.otel_traces WHERE ServiceName = 'support-agent' ORDER BY Timestamp`,
      (found) => found.length === 11,
    );
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('stores every step type the example produces, nested under the run', () => {
    // Steps a microsecond apart may share a timestamp: compared as a set.
    const steps = rows.map((r) => `${r.StepType}: ${r.SpanName}`).sort();
    const expected = [
      'agent: invoke_agent support-agent',
      'user_input: user_input',
      'memory_read: search_memory customer-notes',
      'retrieval: retrieval policies',
      'llm_call: chat gpt-4o-mini',
      'tool_call: execute_tool lookup_order',
      'interrupt: interrupt approve refund',
      'tool_call: execute_tool issue_refund',
      'state_change: state_change ticket',
      'memory_write: update_memory customer-notes',
      'final_output: final_output',
    ];
    expect(steps).toEqual(expected.sort());
    expect(rows.every((r) => r.ParentOk === 1)).toBe(true);
  });

  it('prices the model call and records a failed tool as an exception', () => {
    const chat = rows.find((r) => r.StepType === 'llm_call')!;
    expect(chat.CostUsd).toBeCloseTo(((420 - 128) * 0.15 + 128 * 0.075 + 60 * 0.6) / 1e6, 12);
    const refund = rows.find((r) => r.SpanName === 'execute_tool issue_refund')!;
    expect(refund).toMatchObject({ StatusCode: 'Error', ToolName: 'issue_refund' });
    expect(refund.Events).toEqual(['exception']);
  });
});
