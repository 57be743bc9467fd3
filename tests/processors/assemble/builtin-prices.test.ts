import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PRICES_FILE,
  builtinPrices,
} from '../../../src/processors/assemble/convert/builtin-prices.js';
import {
  createStepConverter,
  priceTableSchema,
} from '../../../src/processors/assemble/convert/index.js';
import { sampleSpan } from '../../helpers/spans.js';

/** The cost of 1M input and 1M output tokens of `model`, with `prices` configured. */
const costOf = (model: string, prices: unknown = {}): number =>
  createStepConverter({ prices: priceTableSchema.parse(prices), previewLength: 0 })(
    sampleSpan({
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        'gen_ai.usage.input_tokens': 1_000_000n,
        'gen_ai.usage.output_tokens': 1_000_000n,
      },
    }),
  ).costUsd;

describe('built-in price table', () => {
  it('is dated, names a source per provider, and covers the major providers', () => {
    const file = JSON.parse(readFileSync(BUILTIN_PRICES_FILE, 'utf8')) as {
      checked: string;
      providers: Record<string, { source: string }>;
    };
    expect(file.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(file.providers)).toEqual(
      expect.arrayContaining(['openai', 'anthropic', 'google', 'mistral', 'together', 'groq']),
    );
    for (const provider of Object.values(file.providers))
      expect(provider.source).toMatch(/^https:/);
    expect(Object.keys(builtinPrices().table).length).toBeGreaterThan(80);
  });

  it('prices versioned names with no configuration, by their base model', () => {
    expect(costOf('gpt-4o-mini-2024-07-18')).toBeCloseTo(0.15 + 0.6, 12);
    expect(costOf('gpt-4o-2024-08-06')).toBeCloseTo(2.5 + 10, 12);
    expect(costOf('claude-sonnet-4-5-20250929')).toBeCloseTo(3 + 15, 12);
    expect(costOf('claude-3-5-haiku-latest')).toBeCloseTo(0.8 + 4, 12);
    expect(costOf('gemini-2.5-flash-preview-05-20')).toBeCloseTo(0.3 + 2.5, 12);
    expect(costOf('mistral-large-latest')).toBeCloseTo(0.5 + 1.5, 12);
  });

  it('takes the longest base name, and never one that only shares a prefix', () => {
    expect(costOf('gpt-4.1-mini-2025-04-14')).toBeCloseTo(0.4 + 1.6, 12); // not gpt-4.1
    expect(costOf('gpt-4o-mini')).toBeCloseTo(0.75, 12); // not gpt-4o
    expect(costOf('gpt-4')).toBe(30 + 60);
    expect(costOf('gpt-4-0613')).toBe(30 + 60);
    expect(costOf('gpt-5.9')).toBe(0); // not gpt-5: a new version is a new model
  });

  it('sees through cloud and router prefixes', () => {
    expect(costOf('us.anthropic.claude-sonnet-4-20250514-v1:0')).toBeCloseTo(18, 12); // Bedrock
    expect(costOf('claude-3-5-sonnet-v2@20241022')).toBeCloseTo(18, 12); // Vertex AI
    expect(costOf('models/gemini-2.5-pro')).toBeCloseTo(11.25, 12); // Gemini API resource name
    expect(costOf('openai/gpt-4o-mini')).toBeCloseTo(0.75, 12); // OpenRouter, LiteLLM
    expect(costOf('meta.llama3-3-70b-instruct-v1:0')).toBeCloseTo(1.44, 12); // Bedrock Llama
    // A host's own name for an open model keeps the host's price.
    expect(costOf('meta-llama/Llama-3.3-70B-Instruct-Turbo')).toBeCloseTo(1.76, 12);
    expect(costOf('llama-3.3-70b-versatile')).toBeCloseTo(0.59 + 0.79, 12);
  });

  it('is overridden and extended by configured prices, and switched off by a zero default', () => {
    expect(costOf('gpt-4o-mini-2024-07-18', { 'gpt-4o-mini': { input: 1, output: 1 } })).toBe(2);
    expect(costOf('acme-1', { 'acme-*': { input: 2, output: 3 } })).toBe(5);
    expect(costOf('gpt-4o-mini', { 'acme-*': { input: 2, output: 3 } })).toBeCloseTo(0.75, 12);
    expect(costOf('gpt-4o', { '*': { input: 0, output: 0 } })).toBe(0);
  });
});
