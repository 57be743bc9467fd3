import type { Span } from '../../../model/span.js';
import {
  effectiveModel,
  emptyTokenUsage,
  type StepInfo,
  type StepType,
  type TokenUsage,
} from '../../../model/step.js';
import type { PriceTable } from './config.js';
import { OBSERVATION_TYPE } from './conventions/langfuse.js';
import { clientCostOf } from './fields/cost.js';
import { evaluationsOf } from './fields/evaluations.js';
import { finishReasonsOf } from './fields/finish-reasons.js';
import { UserHasher, agentNameOf, sessionIdOf } from './fields/identity.js';
import { modelsOf } from './fields/models.js';
import type { Models } from './fields/models.js';
import { previewer } from './fields/previews.js';
import { documentsOf } from './fields/retrieval.js';
import type { Documents } from './fields/retrieval.js';
import { toolOf } from './fields/tool.js';
import { usageOf } from './fields/usage.js';
import { builtinPrices } from './builtin-prices.js';
import { compilePriceTable, costOf, layeredPrices } from './prices.js';
import type { PriceLookup } from './prices.js';
import { stepKindOf } from './step-type.js';

/**
 * The usage of a step that reported none, shared by all of them (most spans are not model
 * calls): frozen, since nothing downstream writes into a step's usage.
 */
const NO_USAGE: TokenUsage = Object.freeze(emptyTokenUsage());

export interface ConvertOptions {
  /** Model prices, as configured (`prices`); they win over the built-in table. */
  prices: PriceTable;
  /** Characters of input / output previews (`preview_length`); 0 turns previews off. */
  previewLength: number;
}

export type StepConverter = (span: Span) => StepInfo;

/**
 * The kinds of missing information listed in `StepInfo.gaps`: a closed set, so a warning
 * metric labelled by kind stays bounded. Each is recorded only where the step type needs it:
 * - `model`: an llm_call or embedding without a model name;
 * - `provider`, `token_usage`: an llm_call without them;
 * - `cost`: an llm_call neither the client nor the price table could price;
 * - `tool_name`: a tool_call with no tool name, not even in its span name;
 * - `agent_name`: an agent step with no name, not even in its span name;
 * - `retrieval_documents`: a retrieval or reranker step that does not say what it returned
 *   (0 documents then means "unknown", not "empty").
 */
export const GAP_KINDS = [
  'model',
  'provider',
  'token_usage',
  'cost',
  'tool_name',
  'agent_name',
  'retrieval_documents',
] as const;
export type GapKind = (typeof GAP_KINDS)[number];

/**
 * The step types priced from the table: the model calls themselves. Agents and chains often
 * report the summed usage of the calls under them; pricing that too would count it twice.
 */
const PRICED: ReadonlySet<StepType> = new Set(['llm_call', 'embedding']);

/** The steps that return documents; on others, document attributes are not looked for. */
const DOCUMENT_STEPS: ReadonlySet<StepType> = new Set(['retrieval', 'reranker']);

/**
 * Builds the span → StepInfo conversion for a configuration: the price table is compiled and
 * the preview function chosen once, here, so converting a span only reads its attributes.
 * Best effort: nothing a span carries, or lacks, makes it throw.
 */
export function createStepConverter(options: ConvertOptions): StepConverter {
  const priceOf = layeredPrices(
    compilePriceTable(options.prices),
    compilePriceTable(builtinPrices().table),
  );
  const previews = previewer(options.previewLength);
  const users = new UserHasher();
  return (span) => {
    const attributes = span.attributes;
    const { type, convention, operation } = stepKindOf(attributes, span.name, span.events);
    const models = modelsOf(attributes);
    const usage = usageOf(attributes);
    const cost =
      clientCostOf(attributes) ??
      (usage && PRICED.has(type) ? tableCost(priceOf, models, billed(type, usage)) : undefined);
    const { toolName, toolArguments, toolResult } = toolOf(attributes, type, span.name);
    const documents = DOCUMENT_STEPS.has(type) ? documentsOf(attributes) : undefined;
    const agentName = agentNameOf(attributes, type, span.name);
    const { inputPreview, outputPreview } = previews(attributes);
    return {
      type,
      convention,
      operation,
      agentName,
      requestModel: models.requestModel,
      responseModel: models.responseModel,
      provider: models.provider,
      usage: usage ?? NO_USAGE,
      costUsd: cost ?? 0,
      toolName,
      toolArguments,
      toolResult,
      retrievalDocuments: documents?.count ?? 0,
      retrievalTopScore: documents?.topScore ?? Number.NaN,
      sessionId: sessionIdOf(attributes),
      userHash: users.hashOf(attributes),
      finishReasons: finishReasonsOf(attributes),
      inputPreview,
      outputPreview,
      evaluations: evaluationsOf(span, attributes[OBSERVATION_TYPE] !== undefined),
      gaps: gapsOf(type, { models, usage, cost, toolName, agentName, documents }),
    };
  };
}

const converters = new WeakMap<ConvertOptions, StepConverter>();

/**
 * Converts one span. The converter built for `options` is kept with it (keep one options
 * object, or hold the `createStepConverter` result, so it is built once).
 */
export function toStepInfo(span: Span, options: ConvertOptions): StepInfo {
  let convert = converters.get(options);
  if (!convert) {
    convert = createStepConverter(options);
    converters.set(options, convert);
  }
  return convert(span);
}

/** Prices the usage by the model that answered, else by the one requested. */
function tableCost(priceOf: PriceLookup, models: Models, usage: TokenUsage): number | undefined {
  const prices =
    (models.responseModel ? priceOf(models.responseModel) : undefined) ??
    (models.requestModel ? priceOf(models.requestModel) : undefined);
  return prices && costOf(prices, usage);
}

/**
 * An embedding reads tokens and writes none, so a total alone (the Vercel AI SDK's
 * `ai.usage.tokens`) is its input count.
 */
function billed(type: StepType, usage: TokenUsage): TokenUsage {
  return type === 'embedding' && usage.input === 0 && usage.output === 0
    ? { ...usage, input: usage.total }
    : usage;
}

interface Found {
  models: Models;
  usage: TokenUsage | undefined;
  cost: number | undefined;
  toolName: string;
  agentName: string;
  documents: Documents | undefined;
}

function gapsOf(type: StepType, found: Found): GapKind[] {
  const gaps: GapKind[] = [];
  const model = effectiveModel(found.models);
  switch (type) {
    case 'llm_call':
      if (!model) gaps.push('model');
      if (!found.models.provider) gaps.push('provider');
      if (!found.usage) gaps.push('token_usage');
      if (found.cost === undefined) gaps.push('cost');
      break;
    case 'embedding':
      if (!model) gaps.push('model');
      break;
    case 'tool_call':
      if (!found.toolName) gaps.push('tool_name');
      break;
    case 'agent':
      if (!found.agentName) gaps.push('agent_name');
      break;
    case 'retrieval':
    case 'reranker':
      if (!found.documents) gaps.push('retrieval_documents');
      break;
    default:
      break;
  }
  return gaps;
}
