import type { StepType } from '../../../../model/step.js';

/** The conventions a step type can come from, as recorded in `StepInfo.convention`. */
export type Convention =
  | 'faultline'
  | 'langgraph'
  | 'openinference'
  | 'gen_ai'
  | 'langfuse'
  | 'vercel_ai'
  | 'fallback'
  | 'none';

/** What a span is as an agent step, and which attribute said so. */
export interface StepKind {
  type: StepType;
  convention: Convention;
  /** The value that decided, as the span wrote it (`LLM`, `chat`, `ai.toolCall`); '' for fallbacks. */
  operation: string;
}

/** A lookup from a convention's values to step types, with the value kept as the operation. */
export function kindFrom(
  table: ReadonlyMap<string, StepType>,
  convention: Convention,
  value: unknown,
): StepKind | undefined {
  if (typeof value !== 'string') return undefined;
  const type = table.get(value);
  return type === undefined ? undefined : { type, convention, operation: value };
}
