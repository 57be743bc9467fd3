import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TraceDocument } from '../../src/model/trace-document.js';
import { sendOneTrace, flattenSteps, only, startAgentDaemon } from '../helpers/agent-traces.js';
import type { AgentTraceRow, FailureRow, StepRow } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * OpenInference's LangChain instrumentation, patched into @langchain/core's callback manager,
 * traces a small tool-calling agent: a runnable drives LangChain's fake chat model, which asks
 * for two tools; one of them throws. The spans go over OTLP/HTTP protobuf to a daemon.
 */

const SERVICE = 'langchain-booking';
const MODEL = 'gpt-4o-mini';
const SEAT_MAP_ERROR = 'Seat map for flight TP1353 is not loaded';
// USD per million tokens, as in the assemble processor's `prices`.
const PRICES = `    prices:
      ${MODEL}: { input: 0.15, output: 0.60 }
`;

/**
 * LangChain's fake list chat model, answering from a script of messages. Provider integrations
 * (ChatOpenAI, ChatAnthropic, …) report the model through `invocationParams` and token usage as
 * `usage_metadata` on the message; the fake reports neither, so this subclass does it as they do.
 */
class ScriptedChatModel extends FakeListChatModel {
  private readonly script: AIMessage[];

  constructor(script: AIMessage[]) {
    super({ responses: script.map((message) => message.text) });
    this.script = [...script];
  }

  override invocationParams(): { model: string; temperature: number } {
    return { model: MODEL, temperature: 0 };
  }

  override _generate(): Promise<ChatResult> {
    const message = this.script.shift();
    if (!message) return Promise.reject(new Error('the script has no more replies'));
    return Promise.resolve({ generations: [{ message, text: message.text }] });
  }
}

async function runBookingAgent(provider: BasicTracerProvider): Promise<void> {
  const instrumentation = new LangChainInstrumentation({ tracerProvider: provider });
  instrumentation.manuallyInstrument(CallbackManagerModule);

  const model = new ScriptedChatModel([
    new AIMessage({
      content: '',
      tool_calls: [
        { type: 'tool_call', id: 'call-1', name: 'search_flights', args: { to: 'LIS' } },
        { type: 'tool_call', id: 'call-2', name: 'book_flight', args: { flight: 'TP1353' } },
      ],
      usage_metadata: { input_tokens: 120, output_tokens: 30, total_tokens: 150 },
    }),
    new AIMessage({
      content: 'I found flight TP1353 to Lisbon but could not book it.',
      usage_metadata: { input_tokens: 200, output_tokens: 20, total_tokens: 220 },
    }),
  ]);
  const searchFlights = tool(({ to }) => `TP1353 to ${to} at 09:40`, {
    name: 'search_flights',
    description: 'Find flights to an airport',
    schema: z.object({ to: z.string() }),
  });
  const bookFlight = tool(
    ({ flight }): string => {
      throw new Error(SEAT_MAP_ERROR.replace('TP1353', flight));
    },
    {
      name: 'book_flight',
      description: 'Book a seat on a flight',
      schema: z.object({ flight: z.string() }),
    },
  );
  const tools = new Map<string, StructuredToolInterface>([
    ['search_flights', searchFlights],
    ['book_flight', bookFlight],
  ]);

  // A minimal agent loop: ask the model, run the tools it asks for (a failing tool becomes an
  // error message for the model), stop when it answers without tool calls.
  const agent = RunnableLambda.from(async (question: string, config) => {
    const messages: BaseMessage[] = [new HumanMessage(question)];
    for (let turn = 0; turn < 3; turn++) {
      const reply = await model.invoke(messages, config);
      messages.push(reply);
      if (!reply.tool_calls?.length) return reply.content;
      for (const call of reply.tool_calls) {
        try {
          messages.push((await tools.get(call.name)!.invoke(call, config)) as ToolMessage);
        } catch (error) {
          messages.push(
            new ToolMessage({ tool_call_id: call.id!, content: String(error), status: 'error' }),
          );
        }
      }
    }
    return '';
  }).withConfig({ runName: 'booking_agent', metadata: { session_id: 'session-lc-1' } });

  await agent.invoke('Book me a flight to Lisbon');
  instrumentation.disable();
}

describe('OpenInference LangChain instrumentation over a fake chat model and tools', () => {
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
    await runBookingAgent(provider);
    ({ traceId, traces, steps, failures, document } = await sendOneTrace(
      daemon,
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
      memory.getFinishedSpans(),
    ));
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('stores the runnable, both model calls and both tool runs as spans of one trace', () => {
    expect(steps.map((s) => s.SpanName).sort()).toEqual([
      'ScriptedChatModel',
      'ScriptedChatModel',
      'book_flight',
      'booking_agent',
      'search_flights',
    ]);
    expect(new Set(steps.map((s) => s.ScopeName))).toEqual(
      new Set(['@arizeai/openinference-instrumentation-langchain']),
    );
  });

  it('types model spans (kind LLM) as llm_call with the model and token usage', () => {
    const llm = steps.filter((s) => s.SpanName === 'ScriptedChatModel');
    expect(llm.map((s) => s.StepType)).toEqual(['llm_call', 'llm_call']);
    expect(llm.map((s) => s.Operation)).toEqual(['LLM', 'LLM']);
    expect(llm.map((s) => s.Model)).toEqual([MODEL, MODEL]);
    expect(llm.map((s) => [s.InputTokens, s.OutputTokens, s.TotalTokens])).toEqual([
      [120, 30, 150],
      [200, 20, 220],
    ]);
    expect(llm.map((s) => s.FailureClass)).toEqual(['', '']);
  });

  it('types tool spans (kind TOOL) as tool_call named after the tool', () => {
    const search = only(steps, (s) => s.SpanName === 'search_flights', 'search tool span');
    const book = only(steps, (s) => s.SpanName === 'book_flight', 'booking tool span');
    expect([search.StepType, search.ToolName, search.StatusCode]).toEqual([
      'tool_call',
      'search_flights',
      'Ok',
    ]);
    expect([book.StepType, book.ToolName, book.StatusCode]).toEqual([
      'tool_call',
      'book_flight',
      'Error',
    ]);
  });

  it('types the runnable driving the loop (kind CHAIN) as chain, the root of the others', () => {
    const root = only(steps, (s) => s.SpanName === 'booking_agent', 'runnable span');
    expect([root.StepType, root.Operation, root.ParentSpanId]).toEqual(['chain', 'CHAIN', '']);
    expect(steps.filter((s) => s !== root).every((s) => s.ParentSpanId === root.SpanId)).toBe(true);
  });

  it('carries the session id LangChain metadata named onto every span', () => {
    expect(new Set(steps.map((s) => s.SessionId))).toEqual(new Set(['session-lc-1']));
  });

  it('records a failure, new and with a signature, on the tool that threw', () => {
    const book = only(steps, (s) => s.SpanName === 'book_flight', 'booking tool span');
    const failure = only(failures, (f) => f.SpanId === book.SpanId, 'failure of the tool');
    expect(failure).toMatchObject({
      SpanName: 'book_flight',
      StepType: 'tool_call',
      Status: 'new',
    });
    expect(failure.Signature).toMatch(/^[0-9a-f]{8,}$/);
    expect(book.FailureClass).toBe(failure.Class);
  });

  it('classifies the tool that threw as tool_error, with the error it threw', () => {
    // OpenInference records a throwing tool as an ERROR status plus an `exception` event on a
    // TOOL span: a failed tool step, tool_error (not the generic `exception`, which it replaces).
    const book = only(steps, (s) => s.SpanName === 'book_flight', 'booking tool span');
    expect([book.FailureClass, book.FailureClasses]).toEqual(['tool_error', ['tool_error']]);
    const failure = only(failures, (f) => f.SpanId === book.SpanId, 'failure of the tool');
    expect(failure.Class).toBe('tool_error');
    expect(failure.Message).toContain(SEAT_MAP_ERROR);
    const step = flattenSteps(document.steps).find((s) => s.span_id === book.SpanId)!;
    expect(step.failures.map((f) => f.class)).toEqual(['tool_error']);
  });

  it('classifies no step that succeeded', () => {
    // search_flights ran and returned; its input.value is its plain-text argument ("LIS").
    expect(steps.filter((s) => s.FailureClass !== '').map((s) => s.SpanName)).toEqual([
      'book_flight',
    ]);
    expect(failures.map((f) => f.SpanName)).toEqual(['book_flight']);
  });

  it('prices the model calls from the configured table', () => {
    const llm = steps.filter((s) => s.SpanName === 'ScriptedChatModel');
    expect(llm.map((s) => s.CostUsd)).toEqual([
      expect.closeTo((120 * 0.15 + 30 * 0.6) / 1e6, 12),
      expect.closeTo((200 * 0.15 + 20 * 0.6) / 1e6, 12),
    ]);
  });

  it('assembles one agent trace with its status, step counts, token and cost totals', () => {
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({
      TraceId: traceId,
      RootName: 'booking_agent',
      ServiceName: SERVICE,
      SessionId: 'session-lc-1',
      Status: 'failed',
      SpanCount: 5,
      StepCounts: { chain: 1, llm_call: 2, tool_call: 2 },
      LlmCalls: 2,
      ToolCalls: 2,
      InputTokens: 320,
      OutputTokens: 50,
      TotalTokens: 370,
      ErrorCount: 1,
      Models: [MODEL],
      SchemaVersion: 1,
    });
    expect(traces[0]!.CostUsd).toBeCloseTo((320 * 0.15 + 50 * 0.6) / 1e6, 12);
  });

  it('names the tool that threw as the root cause, and tool_error as the class', () => {
    const book = only(steps, (s) => s.SpanName === 'book_flight', 'booking tool span');
    expect([traces[0]!.RootCauseSpanId, traces[0]!.FailureClasses]).toEqual([
      book.SpanId,
      ['tool_error'],
    ]);
    expect([document.root_cause_span_id, document.failure_classes]).toEqual([
      book.SpanId,
      ['tool_error'],
    ]);
  });

  it('serves the trace document with the step tree under the runnable', () => {
    expect(document).toMatchObject({
      schema_version: 1,
      trace_id: traceId,
      status: 'failed',
      root_name: 'booking_agent',
      llm_calls: 2,
      tool_calls: 2,
      usage: { input_tokens: 320, output_tokens: 50, total_tokens: 370 },
    });
    expect(document.steps.map((s) => [s.name, s.type])).toEqual([['booking_agent', 'chain']]);
    const children = document.steps[0]!.children;
    expect(children.map((s) => [s.name, s.type])).toEqual([
      ['ScriptedChatModel', 'llm_call'],
      ['search_flights', 'tool_call'],
      ['book_flight', 'tool_call'],
      ['ScriptedChatModel', 'llm_call'],
    ]);
    const book = flattenSteps(document.steps).find((s) => s.name === 'book_flight')!;
    expect(book.tool_name).toBe('book_flight');
    expect(book.status.code).toBe('error');
    expect(children[0]!.model).toBe(MODEL);
    expect(children[0]!.usage).toMatchObject({ input_tokens: 120, output_tokens: 30 });
  });
});
