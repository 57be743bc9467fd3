import type { Attributes } from '../../../../model/attributes.js';
import { STEP_TYPES, type StepType } from '../../../../model/step.js';
import type { StepKind } from './kind.js';

/**
 * Faultline's own attribute, `faultline.step.type`, for the steps the GenAI conventions do not
 * name (`user_input`, `final_output`, `interrupt`, `state_change`; only LangGraph's runs carry
 * some of them) and for agents without an instrumentation library: the tracer helper (`faultline/tracer`) writes it. The value is a
 * step type as stored; an unknown value decides nothing.
 */
export const STEP_TYPE = 'faultline.step.type';

const KNOWN: ReadonlySet<string> = new Set(STEP_TYPES.filter((type) => type !== 'span'));

export function faultlineKind(attributes: Attributes): StepKind | undefined {
  const value = attributes[STEP_TYPE];
  if (typeof value !== 'string' || !KNOWN.has(value)) return undefined;
  return { type: value as StepType, convention: 'faultline', operation: value };
}
