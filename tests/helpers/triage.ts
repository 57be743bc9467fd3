import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { exportSpans } from './agent-traces.js';
import { startDaemon, waitUntilDrained, type DaemonHandle } from './daemon.js';

/**
 * Shared by the review queue tests (API and browser): a daemon that redacts, assembles and
 * classifies, fed agent runs recorded with the real OpenTelemetry SDK.
 */

export const PII_EMAIL = 'alice.martin@example.com';

export function startTriageDaemon(
  options: { adminYaml?: string; alertRulesYaml?: string } = {},
): Promise<DaemonHandle> {
  const { adminYaml, alertRulesYaml } = options;
  const alert = alertRulesYaml
    ? `  alert:\n    interval: 300ms\n    rules:\n${alertRulesYaml}`
    : '';
  return startDaemon({
    processorsYaml: `  redact: {}\n  assemble:\n    decision_wait: 300ms\n  classify: {}\n${alert}`,
    pipelineProcessors: ['redact', 'assemble', 'classify', ...(alert ? ['alert'] : [])],
    ...(adminYaml ? { adminYaml } : {}),
  });
}

/** One agent run: an agent span and under it a failing tool or a rate-limited model call. */
export interface AgentRun {
  service: string;
  agent: string;
  /** `tool`: the tool throws; `llm`: the provider answers 429. */
  fault: 'tool' | 'llm';
  tool?: string;
  message?: string;
}

/** Records the runs with the OpenTelemetry SDK; each run is one trace. */
export function recordRuns(runs: AgentRun[]): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const providers = new Map<string, BasicTracerProvider>();
  for (const run of runs) {
    let provider = providers.get(run.service);
    if (!provider) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': run.service }),
        spanProcessors: [new SimpleSpanProcessor(memory)],
      });
      providers.set(run.service, provider);
    }
    const tracer = provider.getTracer('triage-test');
    const message = run.message ?? (run.fault === 'tool' ? 'card declined' : 'rate limit reached');
    const agent = tracer.startSpan(`invoke_agent ${run.agent}`, {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': run.agent },
    });
    const inside = trace.setSpan(context.active(), agent);
    const child =
      run.fault === 'tool'
        ? tracer.startSpan(
            `execute_tool ${run.tool ?? 'charge_card'}`,
            {
              attributes: {
                'gen_ai.operation.name': 'execute_tool',
                'gen_ai.tool.name': run.tool ?? 'charge_card',
                'gen_ai.tool.call.arguments': JSON.stringify({ email: PII_EMAIL, amount: 42 }),
              },
            },
            inside,
          )
        : tracer.startSpan(
            'chat gpt-4o-mini',
            {
              attributes: {
                'gen_ai.operation.name': 'chat',
                'gen_ai.request.model': 'gpt-4o-mini',
                'gen_ai.provider.name': 'openai',
                'http.response.status_code': 429,
              },
            },
            inside,
          );
    child.recordException(new Error(`${message} for ${PII_EMAIL}`));
    child.setStatus({ code: SpanStatusCode.ERROR, message: `${message} for ${PII_EMAIL}` });
    child.end();
    agent.setStatus({ code: SpanStatusCode.ERROR, message: `${message} for ${PII_EMAIL}` });
    agent.end();
  }
  return memory.getFinishedSpans();
}

/**
 * One trace recorded with the OpenTelemetry SDK whose spans are a chain `depth` deep: an agent,
 * each further span the child of the one before. None failed.
 */
export function recordChain(service: string, depth: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('triage-test');
  const spans = [];
  let parent = context.active();
  for (let level = 0; level < depth; level++) {
    const span = tracer.startSpan(
      level === 0 ? 'invoke_agent planner' : `plan step ${level}`,
      level === 0
        ? {
            attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
          }
        : {},
      parent,
    );
    spans.push(span);
    parent = trace.setSpan(parent, span);
  }
  for (const span of spans.reverse()) span.end();
  return memory.getFinishedSpans();
}

/** Sends spans over OTLP/HTTP protobuf in requests of 500, then waits until all is stored. */
export async function sendRuns(daemon: DaemonHandle, spans: ReadableSpan[]): Promise<void> {
  for (let i = 0; i < spans.length; i += 500) {
    await exportSpans(
      new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
      spans.slice(i, i + 500),
    );
  }
  const traces = new Set(spans.map((s) => s.spanContext().traceId)).size;
  for (let attempt = 0; attempt < 300; attempt++) {
    const [row] = await daemon.query<{ n: number }>(
      'SELECT toUInt32(count()) AS n FROM faultline.agent_traces FINAL',
    );
    if ((row?.n ?? 0) >= traces) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Root-cause revisions are written with the traces, through the failures' own batcher:
  // wait until their count holds still with the queue drained.
  let revisions = -1;
  for (let attempt = 0; attempt < 100; attempt++) {
    await waitUntilDrained(daemon.adminUrl);
    const [row] = await daemon.query<{ n: number }>(
      'SELECT toUInt32(count()) AS n FROM faultline.failures WHERE Version > 0',
    );
    if (row?.n === revisions) return;
    revisions = row?.n ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  text: string;
}

/** Calls the admin API; `token` is sent as the bearer token. */
export async function api<T = Record<string, unknown>>(
  daemon: DaemonHandle,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${daemon.adminUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an export download): `text` has it
  }
  return { status: response.status, body: parsed as T, text };
}
