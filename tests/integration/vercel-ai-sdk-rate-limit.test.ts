import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { APICallError, generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendOneTrace, startAgentDaemon } from '../helpers/agent-traces.js';
import type { AgentTraceRow } from '../helpers/agent-traces.js';
import type { DaemonHandle } from '../helpers/daemon.js';

/**
 * One provider 429 inside a Vercel AI SDK run (the SDK's mock model throwing the SDK's own
 * APICallError, retries off): the error unwinds through the model call and generateText, and
 * the SDK marks each span failed. Faultline keeps one root cause (the model call) and makes
 * the spans above it its symptoms (SPEC §5.3).
 */

interface CauseRow {
  FailureId: string;
  SpanId: string;
  SpanName: string;
  Class: string;
  Signature: string;
  CausedBy: string;
  CauseSignature: string;
}

async function runRateLimitedAgent(): Promise<void> {
  const model = new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    doGenerate: () => {
      throw new APICallError({
        message: 'Rate limit reached for gpt-4o-mini: retry after 20s',
        url: 'https://api.openai.com/v1/chat/completions',
        requestBodyValues: {},
        statusCode: 429,
        isRetryable: true,
      });
    },
  });
  await generateText({
    model,
    prompt: 'Summarise the quarter.',
    maxRetries: 0,
    experimental_telemetry: { isEnabled: true, functionId: 'summary-agent' },
  }).catch(() => undefined);
}

describe('a provider 429 inside a Vercel AI SDK run', () => {
  let daemon: DaemonHandle;
  let traces: AgentTraceRow[];
  let failures: CauseRow[];

  beforeAll(async () => {
    daemon = await startAgentDaemon();
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'ai-sdk-summary' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    await runRateLimitedAgent();
    let traceId: string;
    ({ traceId, traces } = await sendOneTrace(
      daemon,
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
      memory.getFinishedSpans(),
    ));
    // Root causes are decided once the trace is assembled; the revised rows follow it.
    for (let attempt = 0; attempt < 100; attempt++) {
      failures = await daemon.query<CauseRow>(
        `SELECT FailureId, SpanId, SpanName, Class, Signature, CausedBy, CauseSignature
         FROM faultline.failures FINAL WHERE TraceId = '${traceId}' ORDER BY SpanName`,
      );
      if (failures.some((f) => f.CausedBy !== '')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('captures the model call and every span the error went through', () => {
    expect(failures.map((f) => f.SpanName)).toEqual(
      expect.arrayContaining(['ai.generateText', 'ai.generateText.doGenerate']),
    );
  });

  it('has exactly one root cause: the model call, as rate_limited', () => {
    const roots = failures.filter((f) => f.CausedBy === '');
    expect(roots.map((f) => [f.SpanName, f.Class])).toEqual([
      ['ai.generateText.doGenerate', 'rate_limited'],
    ]);
  });

  it('makes every other failure a symptom naming that root cause and its signature', () => {
    const root = failures.find((f) => f.CausedBy === '')!;
    const symptoms = failures.filter((f) => f !== root);
    expect(symptoms.length).toBeGreaterThan(0);
    for (const symptom of symptoms) {
      expect([symptom.CausedBy, symptom.CauseSignature]).toEqual([root.FailureId, root.Signature]);
    }
  });

  it('names the model call as the root cause of the assembled trace', () => {
    const root = failures.find((f) => f.CausedBy === '')!;
    expect(traces[0]!.RootCauseSpanId).toBe(root.SpanId);
  });

  it('leads the review queue with the root cause and counts its symptoms', async () => {
    const response = await fetch(`${daemon.adminUrl}/api/v1/failures`);
    const { groups } = (await response.json()) as {
      groups: { class: string; root_cause: boolean; symptoms: number }[];
    };
    expect(groups.map((g) => [g.class, g.root_cause])).toEqual([['rate_limited', true]]);
    expect(groups[0]!.symptoms).toBe(failures.length - 1);
  });
});
