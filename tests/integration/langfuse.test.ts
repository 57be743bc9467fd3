import {
  propagateAttributes,
  setLangfuseTracerProvider,
  startActiveObservation,
  startObservation,
} from '@langfuse/tracing';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDocument } from '../../src/model/trace-document.js';
import { sendOneTrace, only, startAgentDaemon } from '../helpers/agent-traces.js';
import type { AgentTraceRow, FailureRow, StepRow } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * Langfuse's JS tracing SDK (@langfuse/tracing) records an agent observation with generations
 * and tools. The SDK traces through any OpenTelemetry tracer provider: it is given one whose
 * only processor records in memory, so nothing goes to a Langfuse server (@langfuse/otel, the
 * processor that would export there, is not used). Spans go over OTLP/gRPC to a daemon.
 */

const SERVICE = 'langfuse-support';
const MODEL = 'gpt-4o';
const PRICES = `    prices:
      ${MODEL}: { input: 2.50, output: 10.00 }
`;
const REFUND_ERROR = 'Refund API rejected order A-1001: already refunded';

/** The order service the agent's tools call, standing in for a real one. */
const orders = {
  find: (id: string) => Promise.resolve({ order: id, status: 'refunded' }),
};

async function runSupportAgent(): Promise<void> {
  await startActiveObservation(
    'support-agent',
    async (agent) => {
      await propagateAttributes({ sessionId: 'session-lf-7', userId: 'user-42' }, async () => {
        agent.update({ input: { question: 'Please refund order A-1001' } });

        const plan = startObservation(
          'plan',
          { model: MODEL, input: [{ role: 'user', content: 'Please refund order A-1001' }] },
          { asType: 'generation' },
        );
        plan.update({
          output: { role: 'assistant', content: 'call lookup_order, then issue_refund' },
          usageDetails: { input: 300, output: 40, total: 340 },
        });
        plan.end();

        const lookup = startObservation(
          'lookup_order',
          { input: { order: 'A-1001' } },
          { asType: 'tool' },
        );
        lookup.update({ output: await orders.find('A-1001') });
        lookup.end();

        const refund = startObservation(
          'issue_refund',
          { input: { order: 'A-1001' } },
          { asType: 'tool' },
        );
        // How Langfuse marks a failed observation: level ERROR and a status message.
        refund.update({ level: 'ERROR', statusMessage: REFUND_ERROR });
        refund.end();

        // A generation whose cost the client computed itself.
        const answer = startObservation(
          'answer',
          { model: MODEL, input: [{ role: 'user', content: 'Summarise for the customer' }] },
          { asType: 'generation' },
        );
        answer.update({
          output: { role: 'assistant', content: 'Order A-1001 was already refunded.' },
          usageDetails: { input: 240, output: 60 },
          costDetails: { input: 0.0006, output: 0.0004 },
        });
        answer.end();

        agent.update({ output: 'Order A-1001 was already refunded.' });
      });
    },
    { asType: 'agent' },
  );
}

describe('Langfuse tracing SDK observations: agent, generations and tools', () => {
  let daemon: DaemonHandle;
  let traceId: string;
  let steps: StepRow[];
  let traces: AgentTraceRow[];
  let failures: FailureRow[];
  let document: TraceDocument;

  const step = (name: string): StepRow => only(steps, (s) => s.SpanName === name, name);

  beforeAll(async () => {
    daemon = await startAgentDaemon(PRICES);
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    setLangfuseTracerProvider(provider);
    await runSupportAgent();
    const spans = memory.getFinishedSpans();
    ({ traceId, traces, steps, failures, document } = await sendOneTrace(
      daemon,
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.grpcPort}` }),
      spans,
    ));
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('stores every observation as a span of the Langfuse tracer', () => {
    expect(steps.map((s) => s.SpanName).sort()).toEqual([
      'answer',
      'issue_refund',
      'lookup_order',
      'plan',
      'support-agent',
    ]);
    expect(new Set(steps.map((s) => s.ScopeName))).toEqual(new Set(['langfuse-sdk']));
  });

  it('types the agent observation as agent, with the session and a hashed user', () => {
    const agent = step('support-agent');
    expect([agent.StepType, agent.Operation, agent.ParentSpanId]).toEqual(['agent', 'agent', '']);
    expect(agent.SessionId).toBe('session-lf-7');
    expect(agent.UserHash).not.toBe('');
    expect(agent.UserHash).not.toContain('user-42');
  });

  it('types generations as llm_call with the model and usage_details tokens', () => {
    expect(['plan', 'answer'].map((name) => step(name))).toMatchObject([
      {
        StepType: 'llm_call',
        Operation: 'generation',
        Model: MODEL,
        InputTokens: 300,
        OutputTokens: 40,
        TotalTokens: 340,
      },
      {
        StepType: 'llm_call',
        Operation: 'generation',
        Model: MODEL,
        InputTokens: 240,
        OutputTokens: 60,
        TotalTokens: 300,
      },
    ]);
  });

  it('takes cost_details when the client sent them, and prices the other generation', () => {
    expect(step('answer').CostUsd).toBeCloseTo(0.001, 12);
    expect(step('plan').CostUsd).toBeCloseTo((300 * 2.5 + 40 * 10) / 1e6, 12);
  });

  it('types tool observations as tool_call named after the observation', () => {
    expect(['lookup_order', 'issue_refund'].map((name) => step(name))).toMatchObject([
      { StepType: 'tool_call', Operation: 'tool', ToolName: 'lookup_order', FailureClass: '' },
      { StepType: 'tool_call', Operation: 'tool', ToolName: 'issue_refund' },
    ]);
  });

  it('classifies the tool observation at level ERROR as tool_error', () => {
    // Langfuse leaves the OpenTelemetry status unset and marks the failure with
    // langfuse.observation.level = ERROR and a status message; on a tool step that is tool_error.
    const refund = step('issue_refund');
    expect(refund.FailureClass).toBe('tool_error');
    expect(steps.filter((s) => s.FailureClass !== '').map((s) => s.SpanName)).toEqual([
      'issue_refund',
    ]);
    const failure = only(failures, (f) => f.SpanId === refund.SpanId, 'refund failure');
    expect([failure.Class, failure.StepType, failure.Status]).toEqual([
      'tool_error',
      'tool_call',
      'new',
    ]);
    expect(failure.Message).toContain(REFUND_ERROR);
    const node = document.steps[0]!.children.find((s) => s.span_id === refund.SpanId)!;
    expect(node.failures.map((f) => f.class)).toEqual(['tool_error']);
  });

  it('assembles one agent trace with its agent, session, step counts, token and cost totals', () => {
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({
      TraceId: traceId,
      RootName: 'support-agent',
      ServiceName: SERVICE,
      AgentName: 'support-agent',
      SessionId: 'session-lf-7',
      UserHash: step('support-agent').UserHash,
      SpanCount: 5,
      StepCounts: { agent: 1, llm_call: 2, tool_call: 2 },
      LlmCalls: 2,
      ToolCalls: 2,
      InputTokens: 540,
      OutputTokens: 100,
      TotalTokens: 640,
      Models: [MODEL],
      SchemaVersion: 1,
    });
    expect(traces[0]!.CostUsd).toBeCloseTo(0.001 + (300 * 2.5 + 40 * 10) / 1e6, 12);
  });

  it('marks the trace failed, with the tool at level ERROR as its root cause', () => {
    expect(traces[0]).toMatchObject({
      Status: 'failed',
      FailureClasses: ['tool_error'],
      RootCauseSpanId: step('issue_refund').SpanId,
    });
    expect(document.status).toBe('failed');
  });

  it('serves the trace document with the observations under the agent', () => {
    expect(document).toMatchObject({
      schema_version: 1,
      trace_id: traceId,
      root_name: 'support-agent',
      agent_name: 'support-agent',
      session_id: 'session-lf-7',
      llm_calls: 2,
      tool_calls: 2,
      usage: { input_tokens: 540, output_tokens: 100, total_tokens: 640 },
    });
    expect(document.steps.map((s) => [s.name, s.type])).toEqual([['support-agent', 'agent']]);
    expect(document.steps[0]!.children.map((s) => [s.name, s.type])).toEqual([
      ['plan', 'llm_call'],
      ['lookup_order', 'tool_call'],
      ['issue_refund', 'tool_call'],
      ['answer', 'llm_call'],
    ]);
    expect(document.steps[0]!.children[0]!).toMatchObject({
      model: MODEL,
      usage: { input_tokens: 300, output_tokens: 40, total_tokens: 340 },
    });
  });
});
