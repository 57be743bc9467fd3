import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context, metrics } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type * as OpenAIModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans, startAgentDaemon } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * The contrib OpenAI instrumentation with message capture on writes no message content on its
 * chat spans: it emits one GenAI event per prompt message and per choice as log records. With
 * the real `openai` client against a local server answering like the OpenAI API, the events go
 * through the real OTLP logs exporter and the spans through the trace exporter; the stored
 * step's previews and finish reasons come from the events.
 */

const SERVICE = 'openai-events-agent';
const QUESTION = 'Is the Alfama walkable at night?';
const ANSWER = 'Yes, the Alfama is lively and walkable in the evening.';

/** Answers every chat completion with ANSWER. */
async function startFakeOpenAi(): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-events-1',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-4o-mini-2024-07-18',
          choices: [
            { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: ANSWER } },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('GenAI events from the OpenAI instrumentation', () => {
  let daemon: DaemonHandle;
  let fakeApi: Server;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    [daemon, fakeApi] = await Promise.all([startAgentDaemon(), startFakeOpenAi()]);
  }, 60_000);

  afterAll(async () => {
    await daemon?.cleanup();
    await new Promise((resolve) => fakeApi?.close(resolve));
    context.disable();
  });

  it('fills the chat step from the prompt and choice events', async () => {
    const resource = resourceFromAttributes({ 'service.name': SERVICE });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [
        new SimpleLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/logs` }),
        }),
      ],
    });
    const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.setLoggerProvider(loggerProvider);
    instrumentation.setMeterProvider(metrics.getMeterProvider());
    // The instrumentation hooks `require`, so the client is loaded through require once enabled.
    const { OpenAI } = createRequire(import.meta.url)('openai') as typeof OpenAIModule;
    const { port } = fakeApi.address() as AddressInfo;
    const client = new OpenAI({
      apiKey: 'sk-test-not-a-real-key',
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    });
    const traceId = await tracerProvider
      .getTracer('trip-guide')
      .startActiveSpan('answer_traveller', async (root) => {
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You are a travel guide.' },
            { role: 'user', content: QUESTION },
          ],
        });
        root.end();
        return root.spanContext().traceId;
      });
    instrumentation.disable();
    await loggerProvider.forceFlush();
    await loggerProvider.shutdown();
    const recorded = spans.getFinishedSpans();
    const chat = recorded.find((span) => span.name.startsWith('chat'));
    // The span itself carries no message content: only the events do.
    expect(Object.keys(chat?.attributes ?? {}).filter((key) => key.includes('messages'))).toEqual(
      [],
    );
    await exportSpans(
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
      recorded,
    );

    const events = await daemon.queryUntil<{ EventName: string; Name: string }>(
      `SELECT EventName, LogAttributes['event.name'] AS Name FROM faultline.otel_logs
       WHERE TraceId = '${traceId}' ORDER BY Name`,
      (rows) => rows.length >= 3,
    );
    expect(events.map((e) => e.Name)).toEqual([
      'gen_ai.choice',
      'gen_ai.system.message',
      'gen_ai.user.message',
    ]);
    const [step] = await daemon.queryUntil<{
      InputPreview: string;
      OutputPreview: string;
      FinishReasons: string[];
    }>(
      `SELECT InputPreview, OutputPreview, FinishReasons FROM faultline.otel_traces
       WHERE TraceId = '${traceId}' AND StepType = 'llm_call'`,
      (rows) => rows.length > 0,
    );
    expect(step).toEqual({
      InputPreview: QUESTION,
      OutputPreview: ANSWER,
      FinishReasons: ['stop'],
    });
  });
});
