import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TraceDocument } from '../../src/model/trace-document.js';
import { sendOneTrace, only, startAgentDaemon } from '../helpers/agent-traces.js';
import type { AgentTraceRow, FailureRow, StepRow } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * The Vercel AI SDK's built-in telemetry (`experimental_telemetry`) with the SDK's mock language
 * model: generateText runs a tool loop of three model calls and two tool calls, one of which
 * throws. The SDK traces through the globally registered tracer provider; spans go over
 * OTLP/HTTP protobuf to a daemon that prices the model.
 */

const SERVICE = 'ai-sdk-travel';
const MODEL = 'gpt-4o-mini';
const PRICES = `    prices:
      ${MODEL}: { input: 0.15, output: 0.60 }
`;
const HOTEL_ERROR = 'No rooms left in Lisbon for 2 nights';

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
});

async function runTravelAgent(): Promise<void> {
  const model = new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: MODEL,
    doGenerate: [
      {
        content: [
          {
            type: 'tool-call',
            toolCallId: 'call-1',
            toolName: 'weather',
            input: JSON.stringify({ city: 'Lisbon' }),
          },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: usage(50, 12),
        warnings: [],
      },
      {
        content: [
          {
            type: 'tool-call',
            toolCallId: 'call-2',
            toolName: 'book_hotel',
            input: JSON.stringify({ city: 'Lisbon', nights: 2 }),
          },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: usage(70, 10),
        warnings: [],
      },
      {
        content: [{ type: 'text', text: 'Sunny, 24°C, but no hotel rooms are left.' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(80, 6),
        warnings: [],
      },
    ],
  });
  await generateText({
    model,
    prompt: 'Plan two nights in Lisbon.',
    tools: {
      weather: tool({
        description: 'Weather forecast for a city',
        inputSchema: z.object({ city: z.string() }),
        execute: ({ city }) => Promise.resolve({ city, forecast: 'sunny', celsius: 24 }),
      }),
      book_hotel: tool({
        description: 'Book a hotel room',
        inputSchema: z.object({ city: z.string(), nights: z.number() }),
        execute: (): Promise<string> => Promise.reject(new Error(HOTEL_ERROR)),
      }),
    },
    stopWhen: stepCountIs(5),
    experimental_telemetry: { isEnabled: true, functionId: 'travel-agent' },
  });
}

describe('Vercel AI SDK telemetry from generateText with a mock model and tools', () => {
  let daemon: DaemonHandle;
  let traceId: string;
  let steps: StepRow[];
  let traces: AgentTraceRow[];
  let failures: FailureRow[];
  let document: TraceDocument;

  beforeAll(async () => {
    daemon = await startAgentDaemon(PRICES);
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    // What an application's telemetry set-up does (NodeSDK / NodeTracerProvider.register()).
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    await runTravelAgent();
    ({ traceId, traces, steps, failures, document } = await sendOneTrace(
      daemon,
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
      memory.getFinishedSpans(),
    ));
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  const modelCalls = (): StepRow[] =>
    steps.filter((s) => s.SpanName === 'ai.generateText.doGenerate');

  it('stores the call, its three model calls and two tool calls under the tracer "ai"', () => {
    expect(steps.map((s) => s.SpanName).sort()).toEqual([
      'ai.generateText',
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.generateText.doGenerate',
      'ai.toolCall',
      'ai.toolCall',
    ]);
    expect(new Set(steps.map((s) => s.ScopeName))).toEqual(new Set(['ai']));
  });

  it('types the generateText call (ai.operationId ai.generateText) as the agent at the root', () => {
    const root = only(steps, (s) => s.SpanName === 'ai.generateText', 'generateText span');
    expect([root.StepType, root.Operation, root.ParentSpanId]).toEqual([
      'agent',
      'ai.generateText',
      '',
    ]);
  });

  it('types each doGenerate as llm_call with the model, provider and ai.usage tokens', () => {
    const calls = modelCalls();
    expect(calls.map((s) => s.StepType)).toEqual(['llm_call', 'llm_call', 'llm_call']);
    expect(calls.map((s) => [s.RequestModel, s.Model])).toEqual([
      [MODEL, MODEL],
      [MODEL, MODEL],
      [MODEL, MODEL],
    ]);
    // The SDK names the provider with its API (ai.model.provider `openai.chat`): the provider is
    // the part before the dot, as in the SDK's own GenAI mapping.
    expect(new Set(calls.map((s) => s.Provider))).toEqual(new Set(['openai']));
    expect(calls.map((s) => [s.InputTokens, s.OutputTokens, s.TotalTokens])).toEqual([
      [50, 12, 62],
      [70, 10, 80],
      [80, 6, 86],
    ]);
    expect(calls.map((s) => s.FinishReasons)).toEqual([['tool-calls'], ['tool-calls'], ['stop']]);
  });

  it('prices each model call from the configured table', () => {
    expect(modelCalls().map((s) => s.CostUsd)).toEqual([
      expect.closeTo((50 * 0.15 + 12 * 0.6) / 1e6, 12),
      expect.closeTo((70 * 0.15 + 10 * 0.6) / 1e6, 12),
      expect.closeTo((80 * 0.15 + 6 * 0.6) / 1e6, 12),
    ]);
  });

  it('types ai.toolCall spans as tool_call named after the tool', () => {
    const tools = steps.filter((s) => s.SpanName === 'ai.toolCall');
    expect(tools.map((s) => [s.StepType, s.ToolName, s.StatusCode])).toEqual([
      ['tool_call', 'weather', 'Unset'],
      ['tool_call', 'book_hotel', 'Error'],
    ]);
  });

  it('classifies the tool that threw as tool_error, and nothing else as failed', () => {
    // The SDK records a throwing tool as an ERROR status and an `exception` event on the
    // ai.toolCall span, then hands the error to the model as a tool result, so the call itself
    // succeeds. The specific class for a failed tool step is tool_error.
    const hotel = only(steps, (s) => s.ToolName === 'book_hotel', 'book_hotel span');
    expect(hotel.FailureClass).toBe('tool_error');
    expect(steps.filter((s) => s.FailureClass !== '').map((s) => s.SpanId)).toEqual([hotel.SpanId]);
    const failure = only(failures, (f) => f.Class === 'tool_error', 'tool_error failure');
    expect([failure.SpanId, failure.StepType, failure.Status]).toEqual([
      hotel.SpanId,
      'tool_call',
      'new',
    ]);
    expect(failure.Message).toContain(HOTEL_ERROR);
  });

  it('assembles one agent trace with its status, agent, step counts and cost', () => {
    expect(traces).toHaveLength(1);
    const hotel = only(steps, (s) => s.ToolName === 'book_hotel', 'book_hotel span');
    expect(traces[0]).toMatchObject({
      TraceId: traceId,
      RootName: 'ai.generateText',
      ServiceName: SERVICE,
      // telemetry.functionId names the function, here the agent.
      AgentName: 'travel-agent',
      Status: 'failed',
      SpanCount: 6,
      StepCounts: { agent: 1, llm_call: 3, tool_call: 2 },
      LlmCalls: 3,
      ToolCalls: 2,
      ErrorCount: 1,
      FailureClasses: ['tool_error'],
      RootCauseSpanId: hotel.SpanId,
      Models: [MODEL],
      SchemaVersion: 1,
    });
    // Only model calls are priced: the agent's ai.usage repeats theirs.
    expect(traces[0]!.CostUsd).toBeCloseTo((200 * 0.15 + 28 * 0.6) / 1e6, 12);
  });

  it('counts each model call once in the token totals of the trace', () => {
    // ai.generateText repeats the sum of its model calls' usage in its own ai.usage.*
    // attributes; the totals must not count those tokens twice.
    expect(traces[0]).toMatchObject({ InputTokens: 200, OutputTokens: 28, TotalTokens: 228 });
    expect(document.usage).toMatchObject({
      input_tokens: 200,
      output_tokens: 28,
      total_tokens: 228,
    });
  });

  it('serves the trace document with model and tool calls under the agent', () => {
    expect(document).toMatchObject({
      schema_version: 1,
      trace_id: traceId,
      status: 'failed',
      root_name: 'ai.generateText',
      llm_calls: 3,
      tool_calls: 2,
      agent_name: 'travel-agent',
      failure_classes: ['tool_error'],
    });
    expect(document.steps.map((s) => [s.name, s.type])).toEqual([['ai.generateText', 'agent']]);
    expect(document.steps[0]!.children.map((s) => [s.type, s.tool_name || s.model])).toEqual([
      ['llm_call', MODEL],
      ['tool_call', 'weather'],
      ['llm_call', MODEL],
      ['tool_call', 'book_hotel'],
      ['llm_call', MODEL],
    ]);
    const hotel = document.steps[0]!.children[3]!;
    expect(hotel.status.code).toBe('error');
    expect(hotel.failures.map((f) => f.class)).toEqual(['tool_error']);
  });
});
