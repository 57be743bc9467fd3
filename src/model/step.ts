/** The typed steps an agent trace is made of (SPEC §5.2). `span` is anything else: HTTP, DB, … */
export const STEP_TYPES = [
  'llm_call',
  'embedding',
  'tool_call',
  'retrieval',
  'reranker',
  'agent',
  'chain',
  'guardrail',
  'evaluator',
  'memory_read',
  'memory_write',
  'user_input',
  'final_output',
  'interrupt',
  'state_change',
  'span',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Token usage of one step; 0 where the span did not say. */
export interface TokenUsage {
  input: number;
  output: number;
  total: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

/** The usage of a step whose span said nothing about tokens. */
export const emptyTokenUsage = (): TokenUsage => ({
  input: 0,
  output: 0,
  total: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
});

/** The model a step is reported under: the one that answered, else the one asked for. */
export const effectiveModel = (models: { requestModel: string; responseModel: string }): string =>
  models.responseModel || models.requestModel;

/** An evaluation or annotation the span carries (OpenInference, GenAI, Langfuse, plain). */
export interface Evaluation {
  name: string;
  label: string;
  /** NaN when only a label was given. */
  score: number;
}

/**
 * What Faultline understood of one span as an agent step, whichever convention it used.
 * Extraction is best effort: a missing attribute leaves its field empty (`''`, 0) and is
 * listed in `gaps`, never drops the span.
 */
export interface StepInfo {
  type: StepType;
  /**
   * Which convention decided the type: faultline, langgraph, openinference, gen_ai, langfuse,
   * vercel_ai, fallback, none.
   */
  convention: string;
  /** The operation as the span named it, e.g. `chat`, `execute_tool`, `LLM`, `ai.generateText`. */
  operation: string;
  agentName: string;
  requestModel: string;
  responseModel: string;
  provider: string;
  usage: TokenUsage;
  /** Cost in USD: as the client sent it, or from the configured price table; 0 when unknown. */
  costUsd: number;
  toolName: string;
  /** Tool arguments as sent (usually JSON text), '' when absent. */
  toolArguments: string;
  toolResult: string;
  retrievalDocuments: number;
  /** Highest retrieval score; NaN when none was given. */
  retrievalTopScore: number;
  sessionId: string;
  /** A pseudonym of the user (never the raw id), '' when the span named no user. */
  userHash: string;
  finishReasons: string[];
  /** Redaction-safe, truncated previews of input and output. */
  inputPreview: string;
  outputPreview: string;
  evaluations: Evaluation[];
  /** Kinds of missing information, e.g. `model`, `token_usage` (counted, for the warning metric). */
  gaps: string[];
}

export const STEP_SCHEMA_VERSION = 1;
