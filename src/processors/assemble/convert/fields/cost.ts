import type { Attributes } from '../../../../model/attributes.js';
import { langfuseCost } from '../conventions/langfuse.js';
import { firstAmount, toAmount } from '../values.js';

const TOTAL = [
  'llm.cost.total', // OpenInference
  'gen_ai.usage.cost', // OpenLIT (not in GenAI), read by Langfuse too
];

/**
 * The cost in USD the client sent, which wins over the price table: it knows its contract
 * prices and discounts. `undefined` when it sent none.
 */
export function clientCostOf(attributes: Attributes): number | undefined {
  const total = firstAmount(attributes, TOTAL);
  if (total !== undefined) return total;
  const prompt = toAmount(attributes['llm.cost.prompt']);
  const completion = toAmount(attributes['llm.cost.completion']);
  if (prompt !== undefined || completion !== undefined) return (prompt ?? 0) + (completion ?? 0);
  return langfuseCost(attributes);
}
