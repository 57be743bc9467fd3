import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyValueList } from '../../../src/model/attributes.js';
import type { Attributes } from '../../../src/model/attributes.js';
import type { Span } from '../../../src/model/span.js';
import type { StepInfo, StepType } from '../../../src/model/step.js';
import {
  createStepConverter,
  previewLengthSchema,
  priceTableSchema,
  toStepInfo,
} from '../../../src/processors/assemble/convert/index.js';
import type { ConvertOptions } from '../../../src/processors/assemble/convert/index.js';
import { sampleSpan, stepInfo } from '../../helpers/spans.js';

/**
 * Span → StepInfo for every convention. Attribute sets are written as the instrumentations
 * emit them (names, value types: OTLP ints arrive as bigint, JSON content as strings).
 */

const PRICES = priceTableSchema.parse({
  'gpt-4o*': { input: 2.5, output: 10, cache_read: 1.25 },
  'gpt-4o-mini*': { input: 0.15, output: 0.6, cache_read: 0.075 },
  'claude-sonnet-4*': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
});
const OPTIONS: ConvertOptions = { prices: PRICES, previewLength: 80 };
const convert = createStepConverter(OPTIONS);

const stepOf = (attributes: Attributes, name = 'span', extra: Partial<Span> = {}): StepInfo =>
  convert(sampleSpan({ name, attributes, ...extra }));

/** USD from token counts and prices per 1M tokens. */
const usd = (...parts: [tokens: number, perMillion: number][]) =>
  parts.reduce((sum, [tokens, price]) => sum + tokens * price, 0) / 1_000_000;

const sha32 = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

// --- Fixtures: spans as real instrumentations write them -------------------------------------

/** OpenInference LangChain instrumentation, a chat model call. */
const OPENINFERENCE_LLM: Attributes = {
  'openinference.span.kind': 'LLM',
  'llm.model_name': 'gpt-4o-mini-2024-07-18',
  'llm.provider': 'openai',
  'llm.system': 'openai',
  'llm.invocation_parameters': '{"model":"gpt-4o-mini","temperature":0}',
  'llm.input_messages.0.message.role': 'system',
  'llm.input_messages.0.message.content': 'You are a booking assistant.',
  'llm.input_messages.1.message.role': 'user',
  'llm.input_messages.1.message.content': 'Book a table for two at 7pm.',
  'llm.input_messages.2.message.role': 'assistant',
  'llm.input_messages.2.message.content': 'Which restaurant?',
  'llm.input_messages.3.message.role': 'user',
  'llm.input_messages.3.message.content': 'Chez Marie, please.',
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.content': 'Booked Chez Marie for two at 19:00.',
  'llm.token_count.prompt': 120n,
  'llm.token_count.completion': 30n,
  'llm.token_count.total': 150n,
  'llm.token_count.prompt_details.cache_read': 64n,
  'llm.token_count.completion_details.reasoning': 10n,
  'input.value': '{"messages": [[{"lc": 1, "type": "constructor"}]]}',
  'input.mime_type': 'application/json',
  'output.value': '{"generations": [[{"text": "Booked Chez Marie for two at 19:00."}]]}',
  'output.mime_type': 'application/json',
  'session.id': 'sess-7f3a',
  'user.id': 'user-1234',
  metadata: '{"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"}',
};

/** OpenTelemetry's OpenAI instrumentation (GenAI conventions, content captured on the span). */
const GEN_AI_CHAT: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.response.id': 'chatcmpl-9xYz',
  'gen_ai.request.temperature': 0.2,
  'gen_ai.usage.input_tokens': 1200n,
  'gen_ai.usage.output_tokens': 300n,
  'gen_ai.usage.cache_read.input_tokens': 1000n,
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.conversation.id': 'conv_5j66',
  'gen_ai.agent.name': 'support-agent',
  'gen_ai.input.messages': JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] },
    { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
    {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { id: 7 } }],
    },
    { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', result: 'shipped' }] },
    { role: 'user', parts: [{ type: 'text', content: 'When will it arrive?' }] },
  ]),
  'gen_ai.output.messages': JSON.stringify([
    {
      role: 'assistant',
      parts: [{ type: 'text', content: 'It arrives on Tuesday.' }],
      finish_reason: 'stop',
    },
  ]),
  'server.address': 'api.openai.com',
  'server.port': 443n,
};

/** Langfuse JS SDK, a generation with usage and cost details. */
const LANGFUSE_GENERATION: Attributes = {
  'langfuse.observation.type': 'generation',
  'langfuse.observation.model.name': 'claude-sonnet-4-20250514',
  'langfuse.observation.model.parameters': '{"temperature":0.5}',
  'langfuse.observation.usage_details':
    '{"input":2000,"output":500,"total":2500,"cache_read_input_tokens":1500,"input_cache_creation":200}',
  'langfuse.observation.input': '[{"role":"user","content":"Summarise ticket 42."}]',
  'langfuse.observation.output': '{"role":"assistant","content":"The printer jams on page 2."}',
  'session.id': 'lf-session-1',
  'user.id': 'user-99',
  'langfuse.trace.name': 'summarise',
  'langfuse.environment': 'production',
};

/** Vercel AI SDK 4, the model call under `generateText`. */
const VERCEL_DO_GENERATE: Attributes = {
  'operation.name': 'ai.generateText.doGenerate weather-agent',
  'ai.operationId': 'ai.generateText.doGenerate',
  'ai.model.id': 'gpt-4o-mini',
  'ai.model.provider': 'openai.chat',
  'ai.telemetry.functionId': 'weather-agent',
  'ai.telemetry.metadata.sessionId': 'chat-17',
  'ai.telemetry.metadata.userId': 'user-5',
  'ai.settings.maxRetries': 2n,
  'ai.prompt.format': 'messages',
  'ai.prompt.messages':
    '[{"role":"system","content":"You tell the weather."},{"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]}]',
  'ai.response.finishReason': 'tool-calls',
  'ai.response.toolCalls': '[{"toolCallType":"function","toolName":"weather","args":"{}"}]',
  'ai.response.id': 'chatcmpl-abc',
  'ai.response.model': 'gpt-4o-mini-2024-07-18',
  'ai.usage.promptTokens': 80n,
  'ai.usage.completionTokens': 12n,
  'gen_ai.system': 'openai.chat',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.response.finish_reasons': ['tool-calls'],
  'gen_ai.usage.prompt_tokens': 80n,
  'gen_ai.usage.completion_tokens': 12n,
};

// --- Step types --------------------------------------------------------------------------------

type Case = [name: string, attributes: Attributes, spanName: string, expected: Partial<StepInfo>];

/** One case per value of a convention's kind attribute, from a table `value → step type`. */
const kindCases = (convention: string, key: string, table: Record<string, StepType>): Case[] =>
  Object.entries(table).map(([value, type]) => [
    `${convention} ${value}`,
    { [key]: value },
    'x',
    { type, convention, operation: value },
  ]);

describe('step type', () => {
  const cases: Case[] = [
    [
      'OpenInference LLM span',
      OPENINFERENCE_LLM,
      'ChatOpenAI',
      { type: 'llm_call', operation: 'LLM' },
    ],
    ...kindCases('openinference', 'openinference.span.kind', {
      EMBEDDING: 'embedding',
      CHAIN: 'chain',
      RETRIEVER: 'retrieval',
      RERANKER: 'reranker',
      TOOL: 'tool_call',
      AGENT: 'agent',
      GUARDRAIL: 'guardrail',
      EVALUATOR: 'evaluator',
      PROMPT: 'chain',
    }),
    ...kindCases('gen_ai', 'gen_ai.operation.name', {
      chat: 'llm_call',
      text_completion: 'llm_call',
      generate_content: 'llm_call',
      embeddings: 'embedding',
      execute_tool: 'tool_call',
      invoke_agent: 'agent',
      create_agent: 'agent',
      invoke_workflow: 'chain',
      retrieval: 'retrieval',
      plan: 'chain',
      search_memory: 'memory_read',
      create_memory: 'memory_write',
      update_memory: 'memory_write',
      upsert_memory: 'memory_write',
      delete_memory: 'memory_write',
      create_memory_store: 'memory_write',
      delete_memory_store: 'memory_write',
    }),
    ...kindCases('langfuse', 'langfuse.observation.type', {
      generation: 'llm_call',
      embedding: 'embedding',
      agent: 'agent',
      tool: 'tool_call',
      chain: 'chain',
      retriever: 'retrieval',
      evaluator: 'evaluator',
      guardrail: 'guardrail',
      span: 'span',
      event: 'span',
    }),
    ...kindCases('vercel_ai', 'ai.operationId', {
      'ai.generateText': 'agent',
      'ai.streamText': 'agent',
      'ai.generateObject': 'agent',
      'ai.streamObject': 'agent',
      'ai.generateText.doGenerate': 'llm_call',
      'ai.streamText.doStream': 'llm_call',
      'ai.generateObject.doGenerate': 'llm_call',
      'ai.streamObject.doStream': 'llm_call',
      'ai.toolCall': 'tool_call',
      'ai.embed': 'chain',
      'ai.embedMany': 'chain',
      'ai.embed.doEmbed': 'embedding',
      'ai.embedMany.doEmbed': 'embedding',
      'ai.rerank': 'chain',
      'ai.rerank.doRerank': 'reranker',
    }),
    // Fallbacks
    [
      'gen_ai.tool.name alone',
      { 'gen_ai.tool.name': 'search' },
      'search',
      { type: 'tool_call', convention: 'fallback', operation: '' },
    ],
    [
      'a model attribute alone',
      { 'gen_ai.request.model': 'gpt-4o' },
      'POST',
      { type: 'llm_call', convention: 'fallback' },
    ],
    [
      'OpenInference model name alone',
      { 'llm.model_name': 'mistral-large' },
      'call',
      { type: 'llm_call', convention: 'fallback' },
    ],
    [
      'an HTTP span',
      {
        'http.request.method': 'GET',
        'url.full': 'https://example.com/',
        'http.response.status_code': 200n,
      },
      'GET',
      { type: 'span', convention: 'none', operation: '' },
    ],
  ];

  it.each(cases)('%s', (_name, attributes, spanName, expected) => {
    expect(stepOf(attributes, spanName)).toMatchObject(expected);
  });

  it('reads a Vercel operation from the span name when the attribute is missing', () => {
    expect(stepOf({ 'ai.model.id': 'gpt-4o' }, 'ai.streamText.doStream')).toMatchObject({
      type: 'llm_call',
      convention: 'vercel_ai',
    });
  });

  it('accepts OpenInference kinds and Langfuse types in either case', () => {
    expect(stepOf({ 'openinference.span.kind': 'llm' }).type).toBe('llm_call');
    expect(stepOf({ 'langfuse.observation.type': 'GENERATION' }).type).toBe('llm_call');
  });
});

describe('precedence between conventions', () => {
  it('OpenInference kind beats a GenAI operation', () => {
    const step = stepOf({
      'openinference.span.kind': 'GUARDRAIL',
      'gen_ai.operation.name': 'chat',
    });
    expect(step).toMatchObject({ type: 'guardrail', convention: 'openinference' });
  });

  it('GenAI operation beats a Langfuse type', () => {
    const step = stepOf({
      'gen_ai.operation.name': 'execute_tool',
      'langfuse.observation.type': 'generation',
    });
    expect(step).toMatchObject({ type: 'tool_call', convention: 'gen_ai' });
  });

  it('a Langfuse type beats a Vercel operation id', () => {
    const step = stepOf({
      'langfuse.observation.type': 'tool',
      'ai.operationId': 'ai.generateText',
    });
    expect(step).toMatchObject({ type: 'tool_call', convention: 'langfuse' });
  });

  it('newer AI SDK spans carry gen_ai.operation.name beside ai.operationId: GenAI decides', () => {
    const step = stepOf({
      'gen_ai.operation.name': 'invoke_agent',
      'ai.operationId': 'ai.generateText',
    });
    expect(step).toMatchObject({ type: 'agent', convention: 'gen_ai', operation: 'invoke_agent' });
  });

  it('a Vercel model call with GenAI attributes but no operation name is a Vercel llm_call', () => {
    expect(stepOf(VERCEL_DO_GENERATE, 'ai.generateText.doGenerate')).toMatchObject({
      type: 'llm_call',
      convention: 'vercel_ai',
    });
  });

  it('a generic Langfuse span yields to the fallbacks', () => {
    const step = stepOf({ 'langfuse.observation.type': 'span', 'gen_ai.tool.name': 'lookup' });
    expect(step).toMatchObject({ type: 'tool_call', convention: 'fallback' });
  });

  it('an unknown value decides nothing, so the next convention does', () => {
    expect(
      stepOf({ 'openinference.span.kind': 'UNKNOWN', 'gen_ai.operation.name': 'execute_tool' }),
    ).toMatchObject({ type: 'tool_call', convention: 'gen_ai' });
    expect(
      stepOf({ 'gen_ai.operation.name': 'my_custom_op', 'gen_ai.request.model': 'gpt-4o' }),
    ).toMatchObject({ type: 'llm_call', convention: 'fallback' });
  });

  it('the tool fallback comes before the model fallback', () => {
    expect(stepOf({ 'gen_ai.tool.name': 'search', 'gen_ai.request.model': 'gpt-4o' }).type).toBe(
      'tool_call',
    );
  });
});

// --- Extraction per convention -----------------------------------------------------------------

describe('OpenInference', () => {
  it('extracts an LLM span', () => {
    const step = stepOf(OPENINFERENCE_LLM, 'ChatOpenAI');
    expect(step).toMatchObject({
      requestModel: 'gpt-4o-mini-2024-07-18',
      responseModel: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      usage: { input: 120, output: 30, total: 150, cacheRead: 64, cacheWrite: 0, reasoning: 10 },
      sessionId: 'sess-7f3a',
      userHash: sha32('user-1234'),
      inputPreview: 'Chez Marie, please.',
      outputPreview: 'Booked Chez Marie for two at 19:00.',
      gaps: [],
    });
    expect(step.costUsd).toBeCloseTo(usd([56, 0.15], [64, 0.075], [30, 0.6]), 12);
  });

  it('keeps request and response models apart when the span names both', () => {
    const step = stepOf({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'claude-opus-4-1',
      'llm.request.model_name': 'claude-opus-5',
      'llm.response.model_name': 'claude-opus-4-1',
    });
    expect(step).toMatchObject({ requestModel: 'claude-opus-5', responseModel: 'claude-opus-4-1' });
  });

  it('takes the finish reason and the text parts of multimodal messages', () => {
    const step = stepOf({
      'openinference.span.kind': 'LLM',
      'llm.finish_reason': 'length',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.contents.0.message_content.type': 'text',
      'llm.input_messages.0.message.contents.0.message_content.text': 'What is in this image?',
      'llm.input_messages.0.message.contents.1.message_content.type': 'image',
      'llm.input_messages.0.message.contents.1.message_content.image.image.url': 'https://x/y.png',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.contents.0.message_content.text': 'A cat.',
    });
    expect(step).toMatchObject({
      finishReasons: ['length'],
      inputPreview: 'What is in this image?',
      outputPreview: 'A cat.',
    });
  });

  it('extracts a TOOL span: arguments and result are its input and output values', () => {
    const step = stepOf(
      {
        'openinference.span.kind': 'TOOL',
        'tool.name': 'book_table',
        'tool.description': 'Books a table',
        'input.value': '{"restaurant": "Chez Marie", "party": 2}',
        'input.mime_type': 'application/json',
        'output.value': '{"confirmation": "ABC123"}',
      },
      'book_table',
    );
    expect(step).toMatchObject({
      type: 'tool_call',
      toolName: 'book_table',
      toolArguments: '{"restaurant": "Chez Marie", "party": 2}',
      toolResult: '{"confirmation": "ABC123"}',
      gaps: [],
    });
  });

  it('counts retrieved documents and takes the top score', () => {
    const step = stepOf({
      'openinference.span.kind': 'RETRIEVER',
      'input.value': 'refund policy',
      'retrieval.documents.0.document.id': 'doc-1',
      'retrieval.documents.0.document.content': 'Refunds within 30 days.',
      'retrieval.documents.0.document.score': 0.42,
      'retrieval.documents.1.document.content': 'Shipping takes 3 days.',
      'retrieval.documents.1.document.score': 0.87,
      'retrieval.documents.2.document.content': 'No score here.',
    });
    expect(step).toMatchObject({
      type: 'retrieval',
      retrievalDocuments: 3,
      retrievalTopScore: 0.87,
      inputPreview: 'refund policy',
      gaps: [],
    });
  });

  it('counts a reranker’s output documents', () => {
    const step = stepOf({
      'openinference.span.kind': 'RERANKER',
      'reranker.model_name': 'cross-encoder/ms-marco-MiniLM-L-12-v2',
      'reranker.query': 'refund policy',
      'reranker.top_k': 2n,
      'reranker.input_documents.0.document.content': 'a',
      'reranker.input_documents.1.document.content': 'b',
      'reranker.input_documents.2.document.content': 'c',
      'reranker.output_documents.0.document.score': -0.5,
      'reranker.output_documents.1.document.score': -1.25,
    });
    expect(step).toMatchObject({
      type: 'reranker',
      requestModel: 'cross-encoder/ms-marco-MiniLM-L-12-v2',
      retrievalDocuments: 2,
      retrievalTopScore: -0.5,
      inputPreview: 'refund policy',
    });
  });

  it('extracts an EMBEDDING span and prices it', () => {
    const step = stepOf({
      'openinference.span.kind': 'EMBEDDING',
      'embedding.model_name': 'text-embedding-3-small',
      'embedding.embeddings.0.embedding.text': 'hello world',
      'llm.token_count.prompt': 2n,
      'llm.token_count.total': 2n,
    });
    expect(step).toMatchObject({
      type: 'embedding',
      requestModel: 'text-embedding-3-small',
      inputPreview: 'hello world',
      gaps: [],
    });
    expect(step.costUsd).toBeCloseTo(usd([2, 0.02]), 15);
  });

  it('names an AGENT span by agent.name, else by its span name', () => {
    expect(
      stepOf({ 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher' }, 'run'),
    ).toMatchObject({ agentName: 'researcher', gaps: [] });
    expect(stepOf({ 'openinference.span.kind': 'AGENT' }, 'planner').agentName).toBe('planner');
  });

  it('reads evaluations and annotations, single and listed', () => {
    const step = stepOf({
      'openinference.span.kind': 'EVALUATOR',
      'evaluation.name': 'relevance',
      'evaluation.score': 0.95,
      'annotation.label': 'hallucinated',
      'evaluations.0.evaluation.name': 'hallucination',
      'evaluations.0.evaluation.label': 'hallucinated',
      'evaluations.0.evaluation.score': 1n,
      'evaluations.1.evaluation.name': 'toxicity',
      'evaluations.1.evaluation.score': 0.01,
      'annotations.0.annotation.name': 'correctness',
      'annotations.0.annotation.label': 'incorrect',
      'trace.evaluations.0.evaluation.name': 'trace-level, not this step',
    });
    expect(step.evaluations).toEqual([
      { name: 'relevance', label: '', score: 0.95 },
      { name: 'annotation', label: 'hallucinated', score: Number.NaN },
      { name: 'hallucination', label: 'hallucinated', score: 1 },
      { name: 'toxicity', label: '', score: 0.01 },
      { name: 'correctness', label: 'incorrect', score: Number.NaN },
    ]);
  });

  it('takes the client’s cost over the price table', () => {
    const step = stepOf({ ...OPENINFERENCE_LLM, 'llm.cost.total': 0.0042 });
    expect(step.costUsd).toBe(0.0042);
    const parts = stepOf({
      ...OPENINFERENCE_LLM,
      'llm.cost.prompt': 0.001,
      'llm.cost.completion': 0.002,
    });
    expect(parts.costUsd).toBeCloseTo(0.003, 12);
  });
});

describe('OpenTelemetry GenAI', () => {
  it('extracts a chat span', () => {
    const step = stepOf(GEN_AI_CHAT, 'chat gpt-4o');
    expect(step).toMatchObject({
      type: 'llm_call',
      operation: 'chat',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      provider: 'openai',
      agentName: 'support-agent',
      usage: { input: 1200, output: 300, total: 1500, cacheRead: 1000, cacheWrite: 0 },
      sessionId: 'conv_5j66',
      finishReasons: ['stop'],
      inputPreview: 'When will it arrive?',
      outputPreview: 'It arrives on Tuesday.',
      gaps: [],
    });
    expect(step.costUsd).toBeCloseTo(usd([200, 2.5], [1000, 1.25], [300, 10]), 12);
  });

  it('accepts the older names beside the new ones', () => {
    const step = stepOf({
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.prompt_tokens': 100n,
      'gen_ai.usage.completion_tokens': 50n,
      'gen_ai.usage.cache_read_input_tokens': 20n,
      'gen_ai.usage.cache_creation_input_tokens': 30n,
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'Be brief.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Hello?',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'Hi.',
    });
    expect(step).toMatchObject({
      type: 'llm_call',
      provider: 'anthropic',
      usage: { input: 100, output: 50, total: 150, cacheRead: 20, cacheWrite: 30 },
      inputPreview: 'Hello?',
      outputPreview: 'Hi.',
    });
    expect(step.costUsd).toBeCloseTo(usd([50, 3], [20, 0.3], [30, 3.75], [50, 15]), 12);
  });

  it('reads reasoning tokens and the new provider name first', () => {
    const step = stepOf({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'o3-mini',
      'gen_ai.usage.input_tokens': 10n,
      'gen_ai.usage.output_tokens': 500n,
      'gen_ai.usage.reasoning.output_tokens': 450n,
      'gen_ai.usage.cache_creation.input_tokens': 4n,
    });
    expect(step).toMatchObject({
      provider: 'azure.ai.openai',
      usage: { reasoning: 450, cacheWrite: 4 },
      gaps: [], // o3-mini is priced from the built-in table
    });
  });

  it('extracts an execute_tool span, with structured arguments as JSON', () => {
    const step = stepOf(
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call_mszuSIzqtI65i1wAUOE8w5H4',
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.call.arguments': new KeyValueList({ location: 'Paris', days: 3n }),
        'gen_ai.tool.call.result': '{"conditions":"rainy"}',
      },
      'execute_tool get_weather',
    );
    expect(step).toMatchObject({
      type: 'tool_call',
      toolName: 'get_weather',
      toolArguments: '{"location":"Paris","days":3}',
      toolResult: '{"conditions":"rainy"}',
      inputPreview: '{"location":"Paris","days":3}',
      outputPreview: '{"conditions":"rainy"}',
      gaps: [],
    });
  });

  it('names the tool from `execute_tool {name}` when the attribute is missing', () => {
    const step = stepOf({ 'gen_ai.operation.name': 'execute_tool' }, 'execute_tool refund');
    expect(step).toMatchObject({ toolName: 'refund', gaps: [] });
  });

  it('extracts an invoke_agent span without pricing its summed usage', () => {
    const step = stepOf(
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 5000n,
        'gen_ai.usage.output_tokens': 900n,
        'enduser.id': 'user_ab12c',
        'session.id': 'sess_1',
      },
      'invoke_agent booking-agent',
    );
    expect(step).toMatchObject({
      type: 'agent',
      agentName: 'booking-agent',
      usage: { input: 5000, output: 900 },
      costUsd: 0,
      userHash: sha32('user_ab12c'),
      sessionId: 'sess_1',
      gaps: [],
    });
  });

  it('takes no agent name from a bare operation span name', () => {
    expect(stepOf({ 'gen_ai.operation.name': 'invoke_agent' }, 'invoke_agent')).toMatchObject({
      agentName: '',
      gaps: ['agent_name'],
    });
    expect(stepOf({ 'ai.operationId': 'ai.generateText' }, 'ai.generateText').agentName).toBe('');
  });

  it('reads retrieved documents sent whole', () => {
    const json = stepOf({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.retrieval.query.text': 'weather in Paris',
      'gen_ai.retrieval.documents': '[{"id":"doc_123","score":0.95},{"id":"doc_456","score":0.87}]',
    });
    expect(json).toMatchObject({
      retrievalDocuments: 2,
      retrievalTopScore: 0.95,
      inputPreview: 'weather in Paris',
    });
    const structured = stepOf({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.retrieval.documents': [
        new KeyValueList({ id: 'a', score: 0.5 }),
        new KeyValueList({ id: 'b' }),
      ],
    });
    expect(structured).toMatchObject({ retrievalDocuments: 2, retrievalTopScore: 0.5 });
    const empty = stepOf({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.retrieval.documents': '[]',
    });
    expect(empty).toMatchObject({ retrievalDocuments: 0, gaps: [] });
  });

  it('reads evaluation results from attributes and from evaluation events', () => {
    const step = stepOf(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.evaluation.name': 'Relevance',
        'gen_ai.evaluation.score.value': 4.0,
        'gen_ai.evaluation.score.label': 'relevant',
      },
      'chat',
      {
        events: [
          {
            name: 'gen_ai.evaluation.result',
            timeUnixNano: 1n,
            droppedAttributesCount: 0,
            attributes: {
              'gen_ai.evaluation.name': 'Groundedness',
              'gen_ai.evaluation.score.label': 'fail',
            },
          },
          { name: 'exception', timeUnixNano: 2n, droppedAttributesCount: 0, attributes: {} },
        ],
      },
    );
    expect(step.evaluations).toEqual([
      { name: 'Relevance', label: 'relevant', score: 4 },
      { name: 'Groundedness', label: 'fail', score: Number.NaN },
    ]);
  });
});

describe('Langfuse', () => {
  it('extracts a generation with usage and cost details', () => {
    const step = stepOf(LANGFUSE_GENERATION, 'summarise');
    expect(step).toMatchObject({
      type: 'llm_call',
      convention: 'langfuse',
      requestModel: 'claude-sonnet-4-20250514',
      usage: { input: 2000, output: 500, total: 2500, cacheRead: 1500, cacheWrite: 200 },
      sessionId: 'lf-session-1',
      userHash: sha32('user-99'),
      inputPreview: 'Summarise ticket 42.',
      outputPreview: 'The printer jams on page 2.',
      gaps: ['provider'],
    });
    expect(step.costUsd).toBeCloseTo(usd([300, 3], [1500, 0.3], [200, 3.75], [500, 15]), 12);
  });

  it('takes cost details over the price table: their total, else their sum', () => {
    const total = stepOf({
      ...LANGFUSE_GENERATION,
      'langfuse.observation.cost_details': '{"input":0.001,"output":0.002,"total":0.0031}',
    });
    expect(total.costUsd).toBe(0.0031);
    const sum = stepOf({
      ...LANGFUSE_GENERATION,
      'langfuse.observation.cost_details': '{"input":0.001,"output":0.002}',
    });
    expect(sum.costUsd).toBeCloseTo(0.003, 12);
  });

  it('reads OpenAI-shaped usage details and the older session and user keys', () => {
    const step = stepOf({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.model.name': 'gpt-4o-mini',
      'langfuse.observation.usage_details':
        '{"prompt_tokens":100,"completion_tokens":40,"prompt_tokens_details":{"cached_tokens":60},"completion_tokens_details":{"reasoning_tokens":8}}',
      'langfuse.session.id': 'old-session',
      'langfuse.user.id': 'old-user',
    });
    expect(step).toMatchObject({
      usage: { input: 100, output: 40, total: 140, cacheRead: 60, reasoning: 8 },
      sessionId: 'old-session',
      userHash: sha32('old-user'),
    });
  });

  it('extracts a tool observation and its scores', () => {
    const step = stepOf(
      {
        'langfuse.observation.type': 'tool',
        'langfuse.observation.input': '{"query":"refund policy"}',
        'langfuse.observation.output': '{"hits":3}',
        'langfuse.score.helpfulness': 0.2,
        'langfuse.score.verdict': 'hallucination',
      },
      'search_kb',
    );
    expect(step).toMatchObject({
      type: 'tool_call',
      toolName: 'search_kb',
      toolArguments: '{"query":"refund policy"}',
      toolResult: '{"hits":3}',
      evaluations: [
        { name: 'helpfulness', label: '', score: 0.2 },
        { name: 'verdict', label: 'hallucination', score: Number.NaN },
      ],
    });
  });

  it('does not scan for scores on spans of other conventions', () => {
    expect(stepOf({ 'gen_ai.operation.name': 'chat', 'langfuse.score.x': 1 }).evaluations).toEqual(
      [],
    );
  });
});

describe('Vercel AI SDK', () => {
  it('extracts a model call (AI SDK 4)', () => {
    const step = stepOf(VERCEL_DO_GENERATE, 'ai.generateText.doGenerate');
    expect(step).toMatchObject({
      operation: 'ai.generateText.doGenerate',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      agentName: 'weather-agent',
      usage: { input: 80, output: 12, total: 92 },
      sessionId: 'chat-17',
      userHash: sha32('user-5'),
      finishReasons: ['tool-calls'],
      inputPreview: 'Weather in Paris?',
      outputPreview: '[{"toolCallType":"function","toolName":"weather","args":"{}"}]',
      gaps: [],
    });
    expect(step.costUsd).toBeCloseTo(usd([80, 0.15], [12, 0.6]), 12);
  });

  it('extracts the generateText call around it as an agent step', () => {
    const step = stepOf(
      {
        'ai.operationId': 'ai.generateText',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.telemetry.functionId': 'weather-agent',
        'ai.prompt': '{"system":"You tell the weather.","prompt":"Weather in Paris?"}',
        'ai.response.text': 'It is 18°C and sunny in Paris.',
        'ai.response.finishReason': 'stop',
        'ai.usage.promptTokens': 160n,
        'ai.usage.completionTokens': 30n,
      },
      'ai.generateText',
    );
    expect(step).toMatchObject({
      type: 'agent',
      agentName: 'weather-agent',
      inputPreview: 'Weather in Paris?',
      outputPreview: 'It is 18°C and sunny in Paris.',
      finishReasons: ['stop'],
      costUsd: 0,
    });
  });

  it('reads the AI SDK 5 usage names', () => {
    const step = stepOf({
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.id': 'claude-sonnet-4-20250514',
      'ai.model.provider': 'anthropic.messages',
      'ai.usage.inputTokens': 900n,
      'ai.usage.outputTokens': 100n,
      'ai.usage.totalTokens': 1000n,
      'ai.usage.reasoningTokens': 40n,
      'ai.usage.cachedInputTokens': 800n,
    });
    expect(step).toMatchObject({
      provider: 'anthropic',
      usage: { input: 900, output: 100, total: 1000, reasoning: 40, cacheRead: 800 },
    });
  });

  it('extracts a tool call', () => {
    const step = stepOf(
      {
        'operation.name': 'ai.toolCall weather-agent',
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'weather',
        'ai.toolCall.id': 'call_62136355',
        'ai.toolCall.args': '{"city":"Paris"}',
        'ai.toolCall.result': '{"celsius":18}',
      },
      'ai.toolCall',
    );
    expect(step).toMatchObject({
      type: 'tool_call',
      toolName: 'weather',
      toolArguments: '{"city":"Paris"}',
      toolResult: '{"celsius":18}',
    });
  });

  it('counts the ranking of a rerank call', () => {
    const step = stepOf(
      {
        'ai.operationId': 'ai.rerank.doRerank',
        'ai.model.id': 'rerank-v3.5',
        'ai.ranking.type': 'text',
        'ai.ranking': ['{"originalIndex":2,"score":0.91}', '{"originalIndex":0,"score":0.33}'],
      },
      'ai.rerank.doRerank',
    );
    expect(step).toMatchObject({
      type: 'reranker',
      retrievalDocuments: 2,
      retrievalTopScore: 0.91,
    });
  });

  it('extracts an embedding call, and not the embed() call around it', () => {
    const doEmbed = stepOf(
      {
        'ai.operationId': 'ai.embed.doEmbed',
        'ai.model.id': 'text-embedding-3-small',
        'ai.model.provider': 'openai.embedding',
        'ai.values': ['"sunny day at the beach"'],
        'ai.usage.tokens': 6n,
      },
      'ai.embed.doEmbed',
    );
    expect(doEmbed).toMatchObject({ type: 'embedding', usage: { input: 0, total: 6 } });
    // Only a total, but an embedding only reads: the total is priced as input.
    expect(doEmbed.costUsd).toBeCloseTo(usd([6, 0.02]), 15);
    const embed = stepOf(
      {
        'ai.operationId': 'ai.embed',
        'ai.model.id': 'text-embedding-3-small',
        'ai.value': '"sunny day at the beach"',
        'ai.usage.tokens': 6n,
      },
      'ai.embed',
    );
    expect(embed).toMatchObject({
      type: 'chain',
      inputPreview: 'sunny day at the beach',
      costUsd: 0, // its embedding call is priced, not the wrapper too
    });
  });
});

// --- Cross-cutting rules -----------------------------------------------------------------------

describe('gaps', () => {
  it('lists what an llm_call lacks', () => {
    expect(stepOf({ 'openinference.span.kind': 'LLM' }).gaps).toEqual([
      'model',
      'provider',
      'token_usage',
      'cost',
    ]);
  });

  it('lists what other steps lack', () => {
    expect(stepOf({ 'gen_ai.operation.name': 'embeddings' }).gaps).toEqual(['model']);
    expect(stepOf({ 'openinference.span.kind': 'TOOL' }, '').gaps).toEqual(['tool_name']);
    expect(stepOf({ 'ai.operationId': 'ai.toolCall' }, 'ai.toolCall').gaps).toEqual(['tool_name']);
    expect(stepOf({ 'openinference.span.kind': 'AGENT' }, '').gaps).toEqual(['agent_name']);
    expect(stepOf({ 'openinference.span.kind': 'RETRIEVER' }).gaps).toEqual([
      'retrieval_documents',
    ]);
    expect(stepOf({ 'openinference.span.kind': 'CHAIN' }).gaps).toEqual([]);
  });

  it('records a cost gap when the model is not in the table, or only a total was reported', () => {
    const unknown = stepOf({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'acme',
      'gen_ai.request.model': 'acme-llm-1',
      'gen_ai.usage.input_tokens': 10n,
      'gen_ai.usage.output_tokens': 10n,
    });
    expect(unknown).toMatchObject({ costUsd: 0, gaps: ['cost'] });
    const totalOnly = stepOf({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.total_tokens': 10n,
    });
    expect(totalOnly).toMatchObject({ usage: { total: 10 }, costUsd: 0, gaps: ['cost'] });
  });
});

describe('cost from the price table', () => {
  const priced = (prices: unknown, model: string, input = 1_000_000n, output = 0n) =>
    createStepConverter({ prices: priceTableSchema.parse(prices), previewLength: 0 })(
      sampleSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
        },
      }),
    ).costUsd;

  it('matches exact names before globs, and the most specific glob whatever the order', () => {
    const table = {
      '*': { input: 9, output: 9 },
      'gpt-4o*': { input: 2, output: 0 },
      'gpt-4o-mini*': { input: 1, output: 0 },
      'gpt-4o-mini-2024-07-18': { input: 0.5, output: 0 },
    };
    expect(priced(table, 'gpt-4o-mini-2024-07-18')).toBe(0.5);
    expect(priced(table, 'gpt-4o-mini')).toBe(1);
    expect(priced(table, 'gpt-4o-2024-08-06')).toBe(2);
    expect(priced(table, 'llama-3')).toBe(9);
  });

  it('ignores case, and matches globs anywhere in the name', () => {
    expect(priced({ 'GPT-4o': { input: 2, output: 0 } }, 'gpt-4O')).toBe(2);
    const bedrock = { '*claude-3-5-haiku*': { input: 0.8, output: 4 } };
    expect(
      priced(bedrock, 'anthropic.claude-3-5-haiku-20241022-v1:0', 1_000_000n, 1_000_000n),
    ).toBe(4.8);
  });

  it('treats regex characters in names literally', () => {
    expect(priced({ 'model.v1+*': { input: 1, output: 0 } }, 'model.v1+beta')).toBe(1);
    expect(priced({ 'model.v1+*': { input: 1, output: 0 } }, 'modelXv1+beta')).toBe(0);
  });

  it('prices cache tokens at their rates, defaulting to the input price', () => {
    const step = convert(
      sampleSpan({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'claude-sonnet-4-20250514',
          'gen_ai.usage.input_tokens': 1000n,
          'gen_ai.usage.output_tokens': 100n,
          'gen_ai.usage.cache_read.input_tokens': 600n,
          'gen_ai.usage.cache_creation.input_tokens': 300n,
        },
      }),
    );
    expect(step.costUsd).toBeCloseTo(usd([100, 3], [600, 0.3], [300, 3.75], [100, 15]), 12);
    const noCacheRates = createStepConverter({
      prices: priceTableSchema.parse({ m: { input: 1, output: 0 } }),
      previewLength: 0,
    })(
      sampleSpan({
        attributes: {
          'gen_ai.request.model': 'm',
          'gen_ai.usage.input_tokens': 1000n,
          'gen_ai.usage.cache_read.input_tokens': 600n,
        },
      }),
    );
    expect(noCacheRates.costUsd).toBeCloseTo(usd([1000, 1]), 12);
  });

  it('reads an input count smaller than the cache counts as excluding them', () => {
    const step = convert(
      sampleSpan({
        attributes: {
          'gen_ai.request.model': 'claude-sonnet-4-20250514',
          'gen_ai.usage.input_tokens': 50n,
          'gen_ai.usage.cache_read.input_tokens': 2000n,
        },
      }),
    );
    expect(step.costUsd).toBeCloseTo(usd([50, 3], [2000, 0.3]), 12);
  });

  it('prices by the response model, else by the request model', () => {
    const table = { 'gpt-4o': { input: 2, output: 0 } };
    const step = createStepConverter({ prices: priceTableSchema.parse(table), previewLength: 0 })(
      sampleSpan({
        attributes: {
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1_000_000n,
        },
      }),
    );
    expect(step.costUsd).toBe(2);
  });

  it('has an empty default and validates entries with their path', () => {
    expect(priceTableSchema.parse(undefined)).toEqual({});
    const negative = priceTableSchema.safeParse({ 'gpt-4o': { input: -1, output: 1 } });
    expect(negative.error?.issues[0]?.path).toEqual(['gpt-4o', 'input']);
    const unknown = priceTableSchema.safeParse({ 'gpt-4o': { input: 1, output: 1, cached: 1 } });
    expect(unknown.success).toBe(false);
    const twice = priceTableSchema.safeParse({
      'GPT-4o': { input: 1, output: 1 },
      'gpt-4o': { input: 1, output: 1 },
    });
    expect(twice.error?.issues[0]?.path).toEqual(['gpt-4o']);
  });
});

describe('previews', () => {
  const previewOf = (attributes: Attributes, previewLength = 80) =>
    createStepConverter({ prices: {}, previewLength })(sampleSpan({ attributes }));

  it('cuts to the configured length without splitting a surrogate pair', () => {
    expect(previewOf({ 'input.value': 'abcdefghij' }, 4).inputPreview).toBe('abcd');
    expect(previewOf({ 'input.value': 'abc😀def' }, 4).inputPreview).toBe('abc');
    expect(previewOf({ 'input.value': 'abc😀def' }, 5).inputPreview).toBe('abc😀');
    expect(previewOf({ 'input.value': 'short' }, 100).inputPreview).toBe('short');
  });

  it('are off at length 0', () => {
    expect(previewOf(GEN_AI_CHAT, 0)).toMatchObject({ inputPreview: '', outputPreview: '' });
    expect(previewLengthSchema.parse(undefined)).toBe(256);
  });

  it('keep JSON that is not messages, and text that is not JSON, as sent', () => {
    expect(previewOf({ 'input.value': '{"query": "x"}' }).inputPreview).toBe('{"query": "x"}');
    expect(previewOf({ 'input.value': '[not json' }).inputPreview).toBe('[not json');
  });

  it('give the JSON of an answer that has no text (only tool calls)', () => {
    const parts = [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { id: 1 } }];
    const step = previewOf(
      { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts }]) },
      200,
    );
    expect(step.outputPreview).toBe(JSON.stringify(parts));
  });

  it('fall back to the last message when no message is the user’s', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: 'Earlier answer.' },
    ];
    expect(previewOf({ 'gen_ai.input.messages': JSON.stringify(messages) }).inputPreview).toBe(
      'Earlier answer.',
    );
  });

  it('read messages sent as OTLP arrays of kvlists', () => {
    const step = previewOf({
      'gen_ai.input.messages': [
        new KeyValueList({
          role: 'user',
          parts: [new KeyValueList({ type: 'text', content: 'Structured hello' })],
        }),
      ],
    });
    expect(step.inputPreview).toBe('Structured hello');
  });
});

describe('user hash', () => {
  const hashOf = (attributes: Attributes) => stepOf(attributes).userHash;

  it('is never the raw id', () => {
    expect(hashOf({ 'user.id': 'alice@example.com' })).toBe(sha32('alice@example.com'));
    expect(hashOf({ 'enduser.id': 'u-1' })).toBe(sha32('u-1'));
    expect(hashOf({ 'ai.telemetry.metadata.userId': 'u-2' })).toBe(sha32('u-2'));
  });

  it('keeps a pseudonym the redact processor already made', () => {
    const pseudonym = '0123456789abcdef0123456789abcdef';
    expect(hashOf({ 'user.id': pseudonym })).toBe(pseudonym);
    // Not the pseudonym format (upper case, other length): hashed again.
    expect(hashOf({ 'user.id': pseudonym.toUpperCase() })).toBe(sha32(pseudonym.toUpperCase()));
    expect(hashOf({ 'user.id': `${pseudonym}0` })).toBe(sha32(`${pseudonym}0`));
  });

  it('is empty when the span names no user, and the same for the same user', () => {
    expect(hashOf({})).toBe('');
    expect(hashOf({ 'user.id': 'bob' })).toBe(hashOf({ 'enduser.id': 'bob' }));
  });
});

describe('a span with nothing, or with odd values', () => {
  it('is a plain span step, and does not throw', () => {
    expect(stepOf({}, '')).toEqual(stepInfo());
  });

  it('ignores values of unexpected types', () => {
    const odd: Attributes = {
      'openinference.span.kind': 42n,
      'gen_ai.operation.name': ['chat'],
      'gen_ai.request.model': new Uint8Array([1, 2]),
      'gen_ai.usage.input_tokens': 'many',
      'gen_ai.usage.output_tokens': -5n,
      'gen_ai.response.finish_reasons': [1n, 'stop', true],
      'gen_ai.input.messages': '[{"role": "user", "parts": 7}]',
      'gen_ai.output.messages': '{"truncated": ',
      'langfuse.observation.usage_details': 'not json',
      'user.id': 99n,
      'session.id': true,
    };
    const step = stepOf(odd, 'odd');
    expect(step).toMatchObject({
      type: 'llm_call', // the model attribute is there, if not a name
      requestModel: '',
      usage: { input: 0, output: 0 },
      finishReasons: ['stop'],
      userHash: sha32('99'), // a numeric id is an id too
      sessionId: '',
      outputPreview: '{"truncated": ',
    });
    const documents = stepOf({
      'gen_ai.operation.name': 'retrieval',
      'retrieval.documents': '[1, "two", null]',
    });
    expect(documents).toMatchObject({ retrievalDocuments: 3, retrievalTopScore: Number.NaN });
  });
});

describe('toStepInfo', () => {
  it('converts with the converter built once for the options object', () => {
    const span = sampleSpan({ attributes: GEN_AI_CHAT });
    expect(toStepInfo(span, OPTIONS)).toEqual(convert(span));
  });
});

describe('steps no instrumentation names, and the moving GenAI names', () => {
  it('reads faultline.step.type before any convention, and ignores unknown values', () => {
    for (const type of ['user_input', 'final_output', 'interrupt', 'state_change'] as const) {
      expect(
        stepOf({ 'faultline.step.type': type, 'openinference.span.kind': 'CHAIN' }),
      ).toMatchObject({ type, convention: 'faultline', operation: type });
    }
    expect(stepOf({ 'faultline.step.type': 'nap', 'gen_ai.operation.name': 'chat' })).toMatchObject(
      {
        type: 'llm_call',
        convention: 'gen_ai',
      },
    );
  });

  it('makes a LangGraph interrupt, recorded as an exception event, an interrupt step', () => {
    const interrupted = convert(
      sampleSpan({
        name: 'approve_refund',
        attributes: { 'openinference.span.kind': 'CHAIN' },
        events: [
          {
            timeUnixNano: 1n,
            name: 'exception',
            attributes: { 'exception.type': 'langgraph.errors.GraphInterrupt' },
            droppedAttributesCount: 0,
          },
        ],
      }),
    );
    expect(interrupted).toMatchObject({
      type: 'interrupt',
      convention: 'langgraph',
      operation: 'GraphInterrupt',
    });
  });

  it("makes LangGraph's __start__ node user input and its channel writes state changes", () => {
    const chain = { 'openinference.span.kind': 'CHAIN' };
    expect(convert(sampleSpan({ name: '__start__', attributes: chain }))).toMatchObject({
      type: 'user_input',
      convention: 'langgraph',
      operation: '__start__',
    });
    expect(convert(sampleSpan({ name: '__start__.task', attributes: {} }))).toMatchObject({
      type: 'user_input',
    });
    expect(
      convert(sampleSpan({ name: 'ChannelWrite<agent,messages>', attributes: chain })),
    ).toMatchObject({ type: 'state_change', convention: 'langgraph', operation: 'ChannelWrite' });
    expect(convert(sampleSpan({ name: 'agent', attributes: chain })).type).toBe('chain');
  });

  it('reads semantic-conventions-genai v0.1 names beside the older ones', () => {
    const step = stepOf({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'acme-1',
      'gen_ai.usage.input_tokens': 100n,
      'gen_ai.usage.output_tokens': 5n,
      'gen_ai.usage.cache_write.input_tokens': 40n,
    });
    expect(step.usage).toMatchObject({ input: 100, cacheWrite: 40 });
    const workflow = stepOf(
      { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.workflow.name': 'refunds' },
      'invoke_agent',
    );
    expect(workflow).toMatchObject({ type: 'agent', agentName: 'refunds' });
    expect(stepOf({ 'gen_ai.operation.name': 'invoke_workflow' }).type).toBe('chain');
  });
});
