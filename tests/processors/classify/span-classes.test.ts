import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/model/index.js';
import {
  classesOf,
  classify,
  exceptionEvent,
  llmStep,
  raised,
  stepSpan,
  toolStep,
} from './helpers.js';

/**
 * Every built-in span class: spans that produce it, and near misses that look alike but must
 * not. The expected lists are complete, so each case also pins the overlap policy down (a
 * cause class stands alone, without error_status / exception / tool_error beside it).
 */
interface ClassCase {
  produces: [string, () => Span, string[]][];
  nearMisses: [string, () => Span][];
}

const ms = (n: number) => 1_700_000_000_000_000_000n + BigInt(n) * 1_000_000n;
const lasting = (durationMs: number): Partial<Span> => ({
  startTimeUnixNano: ms(0),
  endTimeUnixNano: ms(durationMs),
});
const http = (code: number, key = 'http.response.status_code'): Partial<Span> => ({
  kind: 3,
  attributes: { [key]: BigInt(code), 'server.address': 'orders.internal' },
});

const CASES: Record<string, ClassCase> = {
  exception: {
    produces: [
      [
        'an exception event, even on a span left unset',
        () => stepSpan({}, { events: [exceptionEvent('KeyError', "'sku'")] }),
        ['exception'],
      ],
      [
        'an exception with error status is one exception, not also error_status',
        () => stepSpan({}, raised('KeyError', "'sku'")),
        ['exception'],
      ],
    ],
    nearMisses: [
      [
        'another event name',
        () => stepSpan({}, { events: [{ ...exceptionEvent('x', 'y'), name: 'retry' }] }),
      ],
    ],
  },
  error_status: {
    produces: [
      [
        'status Error with a message',
        () => stepSpan({}, { statusCode: 2, statusMessage: 'db unavailable' }),
        ['error_status'],
      ],
    ],
    nearMisses: [
      ['status Ok', () => stepSpan({}, { statusCode: 1 })],
      ['status Unset with a message', () => stepSpan({}, { statusMessage: 'retrying' })],
    ],
  },
  timeout: {
    produces: [
      [
        'a TimeoutError from a model call',
        () => stepSpan(llmStep(), raised('openai.APITimeoutError', 'Request timed out.')),
        ['timeout'],
      ],
      [
        'ETIMEDOUT in a tool, instead of tool_error',
        () => stepSpan(toolStep('lookup_order'), raised('Error', 'connect ETIMEDOUT 10.0.0.7:443')),
        ['timeout'],
      ],
      [
        'gRPC DEADLINE_EXCEEDED',
        () => stepSpan({}, { statusCode: 2, attributes: { 'rpc.grpc.status_code': 4n } }),
        ['timeout'],
      ],
      ['HTTP 504', () => stepSpan({}, { ...http(504), statusCode: 2 }), ['timeout']],
      [
        'a tool call over its 60s budget, though it succeeded',
        () => stepSpan(toolStep('search_web'), lasting(61_000)),
        ['timeout'],
      ],
    ],
    nearMisses: [
      ['a tool call within its budget', () => stepSpan(toolStep('search_web'), lasting(59_000))],
      [
        'a long agent step (agents have no budget)',
        () => stepSpan({ type: 'agent' }, lasting(600_000)),
      ],
      [
        'an error that mentions run time',
        () => stepSpan({}, { statusCode: 2, statusMessage: 'runtime error: nil map' }),
      ],
    ],
  },
  rate_limited: {
    produces: [
      [
        "OpenAI's RateLimitError",
        () =>
          stepSpan(
            llmStep(),
            raised('openai.RateLimitError', 'Rate limit reached for gpt-4o in organization org-x'),
          ),
        ['rate_limited'],
      ],
      ['HTTP 429, instead of http_4xx', () => stepSpan({}, http(429)), ['rate_limited']],
      [
        'Bedrock throttling',
        () => stepSpan(llmStep(), raised('ThrottlingException', 'Too many requests')),
        ['rate_limited'],
      ],
    ],
    nearMisses: [
      [
        'a successful answer that talks about rate limits',
        () =>
          stepSpan(llmStep({ outputPreview: 'Our API rate limit is 100/min' }), {
            attributes: { 'gen_ai.output.messages': '"rate limit"' },
          }),
      ],
    ],
  },
  provider_error: {
    produces: [
      [
        'a 503 from the model provider',
        () =>
          stepSpan(llmStep(), {
            ...http(503),
            statusCode: 2,
            statusMessage: 'Service Unavailable',
          }),
        ['provider_error'],
      ],
      [
        "Anthropic's overloaded error",
        () =>
          stepSpan(
            llmStep({ provider: 'anthropic' }),
            raised(
              'anthropic.InternalServerError',
              "Error code: 529 - {'type': 'overloaded_error'}",
            ),
          ),
        ['provider_error'],
      ],
    ],
    nearMisses: [
      [
        'a 503 from a tool is the tool failing, not the provider',
        () => stepSpan(toolStep('lookup_order'), { ...http(503), statusCode: 2 }),
      ],
      [
        'a model call mentioning 512 tokens',
        () => stepSpan(llmStep(), { statusCode: 2, statusMessage: 'max_tokens must be below 512' }),
      ],
    ],
  },
  context_length_exceeded: {
    produces: [
      [
        "OpenAI's 400",
        () =>
          stepSpan(
            llmStep(),
            raised(
              'openai.BadRequestError',
              "Error code: 400 - This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens",
            ),
          ),
        ['context_length_exceeded'],
      ],
      [
        "Anthropic's prompt is too long",
        () =>
          stepSpan(
            llmStep(),
            raised('BadRequestError', 'prompt is too long: 201234 tokens > 200000 maximum'),
          ),
        ['context_length_exceeded'],
      ],
    ],
    nearMisses: [
      [
        'an answer cut at max_tokens (finish reason length)',
        () => stepSpan(llmStep({ finishReasons: ['length'] })),
      ],
    ],
  },
  content_filtered: {
    produces: [
      [
        'finish reason content_filter',
        () => stepSpan(llmStep({ finishReasons: ['content_filter'] })),
        ['content_filtered'],
      ],
      [
        "Gemini's SAFETY",
        () => stepSpan(llmStep({ finishReasons: ['SAFETY'] })),
        ['content_filtered'],
      ],
      [
        "Azure's content management policy error",
        () =>
          stepSpan(
            llmStep(),
            raised(
              'BadRequestError',
              "The response was filtered due to the prompt triggering Azure OpenAI's content management policy",
            ),
          ),
        ['content_filtered'],
      ],
    ],
    nearMisses: [['finish reason stop', () => stepSpan(llmStep({ finishReasons: ['stop'] }))]],
  },
  refusal: {
    produces: [
      [
        'finish reason refusal',
        () => stepSpan(llmStep({ finishReasons: ['refusal'] })),
        ['refusal'],
      ],
      [
        'a refusal in the output message',
        () =>
          stepSpan(llmStep(), {
            attributes: {
              'output.value':
                '{"role":"assistant","content":null,"refusal":"I can\'t help with that."}',
            },
          }),
        ['refusal'],
      ],
    ],
    nearMisses: [
      [
        'an output message whose refusal is null',
        () =>
          stepSpan(llmStep(), {
            attributes: { 'output.value': '{"role":"assistant","content":"Done.","refusal":null}' },
          }),
      ],
    ],
  },
  tool_error: {
    produces: [
      [
        'a tool that raised, instead of exception and error_status',
        () => stepSpan(toolStep('lookup_order'), raised('KeyError', "'ord_1'")),
        ['tool_error'],
      ],
      [
        'a tool with error status and a 500, instead of http_5xx',
        () => stepSpan(toolStep('lookup_order'), { ...http(500), statusCode: 2 }),
        ['tool_error'],
      ],
    ],
    nearMisses: [
      ['a tool that succeeded', () => stepSpan(toolStep('lookup_order'), { statusCode: 1 })],
      [
        'a failed LLM call is not a tool error',
        () => stepSpan(llmStep(), { statusCode: 2, statusMessage: 'boom' }),
      ],
    ],
  },
  invalid_tool_arguments: {
    produces: [
      [
        'arguments that are not JSON',
        () => stepSpan(toolStep('lookup_order', { toolArguments: '{"id": ord_1' })),
        ['invalid_tool_arguments'],
      ],
      [
        "arguments that break the tool's schema",
        () =>
          stepSpan(toolStep('lookup_order', { toolArguments: '{"order":"ord_1"}' }), {
            attributes: {
              'tool.parameters': JSON.stringify({
                type: 'object',
                properties: { id: { type: 'string' } },
                required: ['id'],
              }),
            },
          }),
        ['invalid_tool_arguments'],
      ],
      [
        'a tool rejecting its arguments, instead of tool_error and validation_error',
        () =>
          stepSpan(
            toolStep('lookup_order'),
            raised('TypeError', "lookup_order() missing 1 required positional argument: 'id'"),
          ),
        ['invalid_tool_arguments'],
      ],
    ],
    nearMisses: [
      [
        'valid arguments that fit the schema (OpenAI tool format)',
        () =>
          stepSpan(toolStep('lookup_order', { toolArguments: '{"id":"ord_1","limit":5}' }), {
            attributes: {
              'tool.json_schema': JSON.stringify({
                type: 'function',
                function: {
                  name: 'lookup_order',
                  parameters: {
                    type: 'object',
                    properties: { id: { type: 'string' }, limit: { type: 'integer' } },
                    required: ['id'],
                  },
                },
              }),
            },
          }),
      ],
      ['no arguments recorded', () => stepSpan(toolStep('lookup_order', { toolArguments: '' }))],
      ['invalid JSON outside a tool call', () => stepSpan(llmStep({ toolArguments: '{"id": ' }))],
    ],
  },
  validation_error: {
    produces: [
      [
        'a pydantic ValidationError',
        () =>
          stepSpan(
            { type: 'chain' },
            raised(
              'pydantic_core._pydantic_core.ValidationError',
              '1 validation error for Booking\ndate\n  Field required',
            ),
          ),
        ['validation_error'],
      ],
      [
        'a ZodError',
        () => stepSpan({ type: 'agent' }, raised('ZodError', 'Expected string, received number')),
        ['validation_error'],
      ],
      [
        'JSON.parse of model output',
        () =>
          stepSpan(
            { type: 'chain' },
            raised('SyntaxError', 'Unexpected token } in JSON at position 41'),
          ),
        ['validation_error'],
      ],
    ],
    nearMisses: [
      ['another exception', () => stepSpan({ type: 'chain' }, raised('KeyError', "'date'"))],
    ],
  },
  hallucination: {
    produces: [
      [
        'a hallucination evaluation labelled hallucinated',
        () =>
          stepSpan(
            llmStep({
              evaluations: [{ name: 'hallucination', label: 'hallucinated', score: Number.NaN }],
            }),
          ),
        ['hallucination'],
      ],
      [
        'a low faithfulness score, instead of low_quality too',
        () => stepSpan(llmStep({ evaluations: [{ name: 'faithfulness', label: '', score: 0.2 }] })),
        ['hallucination'],
      ],
    ],
    nearMisses: [
      [
        'labelled factual',
        () =>
          stepSpan(
            llmStep({ evaluations: [{ name: 'hallucination', label: 'factual', score: 1 }] }),
          ),
      ],
      [
        'a high faithfulness score',
        () => stepSpan(llmStep({ evaluations: [{ name: 'faithfulness', label: '', score: 0.9 }] })),
      ],
    ],
  },
  low_quality: {
    produces: [
      [
        'a low evaluation score',
        () => stepSpan(llmStep({ evaluations: [{ name: 'correctness', label: '', score: 0.2 }] })),
        ['low_quality'],
      ],
      [
        'an annotation labelled incorrect',
        () =>
          stepSpan(
            llmStep({
              evaluations: [{ name: 'annotation', label: 'incorrect', score: Number.NaN }],
            }),
          ),
        ['low_quality'],
      ],
      [
        'a plain quality_score attribute (assemble lists it as an evaluation)',
        () =>
          stepSpan(llmStep({ evaluations: [{ name: 'quality_score', label: '', score: 0.3 }] })),
        ['low_quality'],
      ],
    ],
    nearMisses: [
      [
        'a good score',
        () => stepSpan(llmStep({ evaluations: [{ name: 'correctness', label: '', score: 0.8 }] })),
      ],
      [
        'a low toxicity score (lower is better)',
        () => stepSpan(llmStep({ evaluations: [{ name: 'toxicity', label: '', score: 0.1 }] })),
      ],
      [
        'a high confidence',
        () => stepSpan(llmStep({ evaluations: [{ name: 'confidence', label: '', score: 0.93 }] })),
      ],
      [
        'a span classify sees without assemble',
        () => {
          const span = stepSpan({}, { attributes: { quality_score: 0.1 } });
          delete span.step;
          return span;
        },
      ],
    ],
  },
  guardrail_blocked: {
    produces: [
      [
        'a guardrail step that triggered',
        () => stepSpan({ type: 'guardrail' }, { attributes: { 'guardrail.triggered': true } }),
        ['guardrail_blocked'],
      ],
      [
        'a tripwire exception on the agent, instead of exception',
        () =>
          stepSpan(
            { type: 'agent' },
            raised(
              'InputGuardrailTripwireTriggered',
              'Guardrail InputGuardrail triggered tripwire',
            ),
          ),
        ['guardrail_blocked'],
      ],
      [
        'a guardrail step that failed',
        () => stepSpan({ type: 'guardrail' }, { statusCode: 2 }),
        ['guardrail_blocked'],
      ],
    ],
    nearMisses: [
      [
        'a guardrail that passed',
        () => stepSpan({ type: 'guardrail' }, { attributes: { 'guardrail.triggered': false } }),
      ],
    ],
  },
  retrieval_empty: {
    produces: [
      [
        'a retrieval that found nothing',
        () => stepSpan({ type: 'retrieval', retrievalDocuments: 0 }),
        ['retrieval_empty'],
      ],
    ],
    nearMisses: [
      ['four documents', () => stepSpan({ type: 'retrieval', retrievalDocuments: 4 })],
      [
        'a retrieval that did not report its documents',
        () => stepSpan({ type: 'retrieval', gaps: ['retrieval_documents'] }),
      ],
      [
        'a failed retrieval (its error is the failure)',
        () => stepSpan({ type: 'retrieval' }, { statusCode: 2, statusMessage: 'connection reset' }),
      ],
    ],
  },
  http_5xx: {
    produces: [
      [
        'a 502, instead of error_status',
        () => stepSpan({}, { ...http(502), statusCode: 2 }),
        ['http_5xx'],
      ],
    ],
    nearMisses: [['a 302', () => stepSpan({}, http(302))]],
  },
  http_4xx: {
    produces: [
      [
        'a 404 on a client span, under the old attribute name',
        () => stepSpan({}, http(404, 'http.status_code')),
        ['http_4xx'],
      ],
    ],
    nearMisses: [
      ['a 404 answered by a server span', () => stepSpan({}, { ...http(404), kind: 2 })],
      [
        'a 200 with a string status',
        () => stepSpan({}, { attributes: { 'http.status_code': '200' } }),
      ],
    ],
  },
};

describe.each(Object.entries(CASES))(
  'built-in class %s',
  (failureClass, { produces, nearMisses }) => {
    it.each(produces)('is produced by %s', async (_, build, expected) => {
      expect(classesOf(await classify([build()]))).toEqual(expected);
    });

    it.each(nearMisses)('is not produced by %s', async (_, build) => {
      expect(classesOf(await classify([build()]))).not.toContain(failureClass);
    });
  },
);

describe('a healthy span', () => {
  it('has no failures and an empty failures list', async () => {
    const span = stepSpan(toolStep('lookup_order'), {
      statusCode: 1,
      attributes: http(200).attributes,
    });
    expect(await classify([span])).toEqual([]);
    expect(span.failures).toEqual([]);
  });
});
