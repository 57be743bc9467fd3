import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, metrics } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type * as OpenAIModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceDocument } from '../../src/model/trace-document.js';
import {
  exportSpans,
  failureRows,
  flattenSteps,
  only,
  startAgentDaemon,
  stepRows,
  traceDocument,
  traceIdsOf,
  waitForAgentTraces,
} from '../helpers/agent-traces.js';
import type { AgentTraceRow, FailureRow, StepRow } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * The OpenTelemetry GenAI semantic conventions as the contrib OpenAI instrumentation writes
 * them, around the real `openai` client pointed at a local HTTP server that answers like the
 * OpenAI API: a chat completion and an embedding with usage, then a 429 and a 500. Spans go over
 * OTLP/gRPC to a daemon with no price configuration: the built-in table prices the models.
 */

const SERVICE = 'openai-trip-planner';
const REQUEST_MODEL = 'gpt-4o-mini';
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
const EMBEDDING_MODEL = 'text-embedding-3-small';

type Reply = [status: number, body: unknown];

/** Answers each POST to a path with the next scripted reply for that path. */
async function startFakeOpenAi(script: Record<string, Reply[]>): Promise<Server> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const reply = script[request.url ?? '']?.shift() ?? [
        404,
        {
          error: { message: `nothing scripted for ${request.url}`, type: 'invalid_request_error' },
        },
      ];
      response.writeHead(reply[0], { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply[1]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const chatCompletion = {
  id: 'chatcmpl-trip-1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: RESPONSE_MODEL,
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Lisbon in May: mild and sunny.' },
    },
  ],
  usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
};

const embedding = {
  object: 'list',
  model: EMBEDDING_MODEL,
  data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2, 0.3] }],
  usage: { prompt_tokens: 8, total_tokens: 8 },
};

interface Recorded {
  spansOk: string;
  rateLimited: string;
  serverError: string;
}

async function runTripPlanner(provider: BasicTracerProvider, baseURL: string): Promise<Recorded> {
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  // The instrumentation declares its metric instruments as class fields, which reset what its
  // base constructor created; setting a meter provider creates them again.
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  // The instrumentation hooks `require` (an ESM import would need a loader hook), so the client
  // is loaded through require after it is enabled.
  const { OpenAI } = createRequire(import.meta.url)('openai') as typeof OpenAIModule;
  const client = new OpenAI({ apiKey: 'sk-test-not-a-real-key', baseURL, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'When should I visit Lisbon?' }];
  const tracer = provider.getTracer('trip-planner');

  const spansOk = await tracer.startActiveSpan('plan_trip', async (root) => {
    await client.embeddings.create({ model: EMBEDDING_MODEL, input: 'Lisbon in spring' });
    await client.chat.completions.create({ model: REQUEST_MODEL, messages });
    root.end();
    return root.spanContext().traceId;
  });
  const failingCall = async (): Promise<string> => {
    let traceId = '';
    await tracer.startActiveSpan('plan_trip', async (root) => {
      traceId = root.spanContext().traceId;
      // The provider's error reaches the application, which gives up on this trip.
      await client.chat.completions.create({ model: REQUEST_MODEL, messages }).catch(() => {});
      root.end();
    });
    return traceId;
  };
  const rateLimited = await failingCall();
  const serverError = await failingCall();
  instrumentation.disable();
  return { spansOk, rateLimited, serverError };
}

describe('OpenTelemetry GenAI conventions from the OpenAI instrumentation and client', () => {
  let daemon: DaemonHandle;
  let fakeApi: Server;
  let ids: Recorded;
  let steps: StepRow[];
  let traces: AgentTraceRow[];
  let failures: FailureRow[];
  let document: TraceDocument;

  const chatIn = (traceId: string): StepRow =>
    only(
      steps,
      (s) => s.TraceId === traceId && s.SpanName === `chat ${REQUEST_MODEL}`,
      'chat span',
    );
  const traceRow = (traceId: string): AgentTraceRow =>
    only(traces, (t) => t.TraceId === traceId, 'agent trace');

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    daemon = await startAgentDaemon();
    fakeApi = await startFakeOpenAi({
      '/v1/chat/completions': [
        [200, chatCompletion],
        [
          429,
          {
            error: {
              message: 'Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3',
              type: 'requests',
              code: 'rate_limit_exceeded',
            },
          },
        ],
        [
          500,
          {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
            },
          },
        ],
      ],
      '/v1/embeddings': [[200, embedding]],
    });
    const { port } = fakeApi.address() as AddressInfo;
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': SERVICE }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    ids = await runTripPlanner(provider, `http://127.0.0.1:${port}/v1`);
    const spans = memory.getFinishedSpans();
    const traceIds = traceIdsOf(spans);
    expect(traceIds.sort()).toEqual([ids.spansOk, ids.rateLimited, ids.serverError].sort());
    await exportSpans(new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.grpcPort}` }), spans);
    traces = await waitForAgentTraces(daemon, traceIds);
    steps = await stepRows(daemon, traceIds);
    failures = await failureRows(daemon, traceIds);
    document = await traceDocument(daemon, ids.spansOk);
  });

  afterAll(async () => {
    await new Promise((resolve) => fakeApi?.close(resolve));
    await daemon?.cleanup();
  });

  it('types a chat completion (gen_ai.operation.name chat) as llm_call with both models', () => {
    const chat = chatIn(ids.spansOk);
    expect(chat).toMatchObject({
      StepType: 'llm_call',
      Operation: 'chat',
      RequestModel: REQUEST_MODEL,
      Model: RESPONSE_MODEL,
      Provider: 'openai',
      FinishReasons: ['stop'],
      FailureClass: '',
    });
  });

  it('reads token usage from gen_ai.usage.* and derives the total', () => {
    const chat = chatIn(ids.spansOk);
    expect([chat.InputTokens, chat.OutputTokens, chat.TotalTokens]).toEqual([42, 7, 49]);
  });

  it('prices the versioned chat model and the embedding from the built-in table', () => {
    const chat = chatIn(ids.spansOk);
    expect(chat.CostUsd).toBeCloseTo((42 * 0.15 + 7 * 0.6) / 1e6, 12);
    const embed = only(steps, (s) => s.SpanName === `embeddings ${EMBEDDING_MODEL}`, 'embedding');
    expect(embed).toMatchObject({
      StepType: 'embedding',
      Operation: 'embeddings',
      RequestModel: EMBEDDING_MODEL,
      Model: EMBEDDING_MODEL,
      Provider: 'openai',
      InputTokens: 8,
    });
    expect(embed.CostUsd).toBeCloseTo((8 * 0.02) / 1e6, 12);
  });

  it('types the application span around the calls as a plain span', () => {
    const root = only(steps, (s) => s.TraceId === ids.spansOk && s.ParentSpanId === '', 'root');
    expect([root.SpanName, root.StepType]).toEqual(['plan_trip', 'span']);
  });

  it('classifies a 429 from the provider as rate_limited', () => {
    // The client throws RateLimitError; the instrumentation records it as `error.type` and an
    // ERROR status whose message starts with the HTTP status.
    const chat = chatIn(ids.rateLimited);
    expect(chat.StatusCode).toBe('Error');
    expect(chat.FailureClass).toBe('rate_limited');
    const failure = only(
      failures,
      (f) => f.TraceId === ids.rateLimited && f.SpanId === chat.SpanId,
      'rate-limit failure',
    );
    expect([failure.Class, failure.StepType, failure.Status]).toEqual([
      'rate_limited',
      'llm_call',
      'new',
    ]);
    expect(failure.Message).toContain('Rate limit reached');
  });

  it('classifies a 500 from the provider as provider_error', () => {
    const chat = chatIn(ids.serverError);
    expect(chat.StatusCode).toBe('Error');
    expect(chat.FailureClass).toBe('provider_error');
    expect(
      failures.filter((f) => f.TraceId === ids.serverError && f.SpanId === chat.SpanId)[0]?.Class,
    ).toBe('provider_error');
  });

  it('assembles one agent trace per trace, failed only where the provider failed', () => {
    expect(traces.map((t) => t.TraceId).sort()).toEqual(
      [ids.spansOk, ids.rateLimited, ids.serverError].sort(),
    );
    expect(traceRow(ids.spansOk)).toMatchObject({
      RootName: 'plan_trip',
      ServiceName: SERVICE,
      Status: 'ok',
      SpanCount: 3,
      StepCounts: { span: 1, llm_call: 1, embedding: 1 },
      LlmCalls: 1,
      ToolCalls: 0,
      InputTokens: 50,
      OutputTokens: 7,
      ErrorCount: 0,
      FailureClasses: [],
      Models: [EMBEDDING_MODEL, RESPONSE_MODEL].sort(),
      SchemaVersion: 1,
    });
    expect(traceRow(ids.spansOk).CostUsd).toBeCloseTo((42 * 0.15 + 7 * 0.6 + 8 * 0.02) / 1e6, 12);
    expect(traceRow(ids.rateLimited)).toMatchObject({
      Status: 'failed',
      LlmCalls: 1,
      InputTokens: 0,
      CostUsd: 0,
      FailureClasses: ['rate_limited'],
      RootCauseSpanId: chatIn(ids.rateLimited).SpanId,
    });
    expect(traceRow(ids.serverError)).toMatchObject({
      Status: 'failed',
      FailureClasses: ['provider_error'],
      RootCauseSpanId: chatIn(ids.serverError).SpanId,
    });
  });

  it('serves the trace document with the model calls under the application span', () => {
    expect(document).toMatchObject({
      schema_version: 1,
      trace_id: ids.spansOk,
      status: 'ok',
      root_name: 'plan_trip',
      llm_calls: 1,
      usage: { input_tokens: 50, output_tokens: 7 },
    });
    expect(document.steps.map((s) => [s.name, s.type])).toEqual([['plan_trip', 'span']]);
    expect(document.steps[0]!.children.map((s) => [s.name, s.type, s.model])).toEqual([
      [`embeddings ${EMBEDDING_MODEL}`, 'embedding', EMBEDDING_MODEL],
      [`chat ${REQUEST_MODEL}`, 'llm_call', RESPONSE_MODEL],
    ]);
    const chat = flattenSteps(document.steps).find((s) => s.type === 'llm_call')!;
    expect(chat.usage).toMatchObject({ input_tokens: 42, output_tokens: 7 });
    expect(chat.cost_usd).toBeGreaterThan(0);
    expect(chat.path).toEqual(['plan_trip']);
  });
});
