import { randomBytes } from 'node:crypto';

/**
 * Sample agent runs for `faultline demo`, written as OTLP/JSON with OpenTelemetry GenAI
 * attributes, as an instrumented agent would export them. Each one fails in its own way.
 */

type AttributeValue = string | number | boolean;

interface DemoSpan {
  name: string;
  kind?: number;
  parent?: string;
  startMs: number;
  durationMs: number;
  attributes: Record<string, AttributeValue>;
  error?: string;
  exception?: { type: string; message: string };
}

export interface Scenario {
  service: string;
  title: string;
  spans: Record<string, DemoSpan>;
}

const outputMessages = (text: string) =>
  JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }]);

const agent = (name: string, durationMs: number, output = ''): DemoSpan => ({
  name: `invoke_agent ${name}`,
  startMs: 0,
  durationMs,
  attributes: {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': name,
    'gen_ai.conversation.id': 'demo-session',
    ...(output ? { 'gen_ai.output.messages': outputMessages(output) } : {}),
  },
});

const chat = (parent: string, startMs: number, output: string): DemoSpan => ({
  name: 'chat gpt-4o-mini',
  kind: 3,
  parent,
  startMs,
  durationMs: 400,
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 412,
    'gen_ai.usage.output_tokens': 57,
    'gen_ai.response.finish_reasons': 'stop',
    'gen_ai.output.messages': outputMessages(output),
  },
});

const tool = (
  parent: string,
  startMs: number,
  name: string,
  args: string,
  durationMs = 120,
): DemoSpan => ({
  name: `execute_tool ${name}`,
  parent,
  startMs,
  durationMs,
  attributes: {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': name,
    'gen_ai.tool.call.arguments': args,
  },
});

export const SCENARIOS: Scenario[] = [
  {
    service: 'booking-agent',
    title: 'a booking agent whose tool throws',
    spans: {
      root: { ...agent('booker', 1400), error: 'booking failed' },
      plan: chat('root', 20, 'I will book flight UA123 for the user.'),
      book: {
        ...tool('root', 500, 'book_flight', '{"flight":"UA123","seat":"14C"}'),
        error: 'BookingError: seat map unavailable for flight UA123',
        exception: { type: 'BookingError', message: 'seat map unavailable for flight UA123' },
      },
    },
  },
  {
    service: 'search-agent',
    title: 'a search agent whose output fails validation',
    spans: {
      root: { ...agent('searcher', 1200), error: 'invalid output' },
      answer: chat('root', 20, 'Top results: refund policy, shipping times'),
      validate: {
        name: 'validate_output SearchResults',
        parent: 'root',
        startMs: 450,
        durationMs: 5,
        attributes: { 'gen_ai.operation.name': 'validate_output' },
        error: 'output does not match SearchResults',
        exception: { type: 'ZodError', message: 'results: Expected array, received string' },
      },
    },
  },
  {
    service: 'summary-agent',
    title: 'a summary agent whose evaluation flags a hallucination',
    spans: {
      root: agent('summarizer', 900, 'The report says revenue tripled in Q3.'),
      summary: chat('root', 20, 'The report says revenue tripled in Q3.'),
      evaluate: {
        name: 'faithfulness evaluator',
        parent: 'root',
        startMs: 500,
        durationMs: 200,
        attributes: {
          // Evaluation frameworks commonly report through OpenInference's EVALUATOR kind.
          'openinference.span.kind': 'EVALUATOR',
          'gen_ai.evaluation.name': 'faithfulness',
          'gen_ai.evaluation.score.value': 0.12,
          'gen_ai.evaluation.score.label': 'hallucinated',
        },
      },
    },
  },
  {
    service: 'research-agent',
    title: 'an agent whose tool call times out',
    spans: {
      root: { ...agent('researcher', 31_000), error: 'tool timed out' },
      fetch: {
        ...tool('root', 100, 'web_fetch', '{"url":"https://example.com/report"}', 30_000),
        attributes: {
          ...tool('root', 100, 'web_fetch', '{"url":"https://example.com/report"}').attributes,
          'error.type': 'TimeoutError',
        },
        error: 'TimeoutError: deadline of 30000 ms exceeded',
      },
    },
  },
  {
    service: 'support-agent',
    title: 'an agent that loops on the same tool',
    spans: {
      root: agent('supporter', 3000, 'Our refund policy allows returns within 30 days.'),
      ...Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [
          `lookup${i}`,
          tool('root', 100 + i * 400, 'search_docs', '{"query":"refund policy"}'),
        ]),
      ),
    },
  },
];

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const attributes = (values: Record<string, AttributeValue>) =>
  Object.entries(values).map(([key, value]) => ({
    key,
    value:
      typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { boolValue: value }
          : Number.isInteger(value)
            ? { intValue: String(value) }
            : { doubleValue: value },
  }));

/** One OTLP/JSON ExportTraceServiceRequest for a scenario, with fresh ids; returns its trace id. */
export function scenarioRequest(
  scenario: Scenario,
  nowMs = Date.now(),
): { traceId: string; body: string } {
  const traceId = hex(16);
  const ids = Object.fromEntries(Object.keys(scenario.spans).map((key) => [key, hex(8)]));
  const nanos = (ms: number) => (BigInt(Math.round((nowMs + ms) * 1000)) * 1000n).toString();
  const spans = Object.entries(scenario.spans).map(([key, span]) => ({
    traceId,
    spanId: ids[key],
    parentSpanId: span.parent ? ids[span.parent] : '',
    name: span.name,
    kind: span.kind ?? 1,
    startTimeUnixNano: nanos(span.startMs),
    endTimeUnixNano: nanos(span.startMs + span.durationMs),
    attributes: attributes(span.attributes),
    events: span.exception
      ? [
          {
            timeUnixNano: nanos(span.startMs + span.durationMs),
            name: 'exception',
            attributes: attributes({
              'exception.type': span.exception.type,
              'exception.message': span.exception.message,
            }),
          },
        ]
      : [],
    status: span.error ? { code: 2, message: span.error } : { code: 0 },
  }));
  return {
    traceId,
    body: JSON.stringify({
      resourceSpans: [
        {
          resource: {
            attributes: attributes({
              'service.name': scenario.service,
              'deployment.environment': 'demo',
            }),
          },
          scopeSpans: [{ scope: { name: 'faultline-demo', version: '1' }, spans }],
        },
      ],
    }),
  };
}
