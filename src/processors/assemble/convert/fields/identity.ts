import { createHash } from 'node:crypto';
import type { Attributes } from '../../../../model/attributes.js';
import { isPseudonym } from '../../../../model/pseudonym.js';
import type { StepType } from '../../../../model/step.js';
import { firstId, firstText } from '../values.js';

const SESSION = [
  'session.id', // OpenInference, and Langfuse's current key
  'gen_ai.conversation.id', // GenAI
  'langfuse.session.id', // Langfuse's earlier key
  'ai.telemetry.metadata.sessionId', // Vercel AI SDK metadata, as Langfuse reads it
];
const USER = [
  'user.id', // OpenInference, Langfuse
  'enduser.id', // OpenTelemetry general attributes
  'langfuse.user.id',
  'ai.telemetry.metadata.userId',
];
const AGENT = [
  'gen_ai.agent.name', // GenAI
  'agent.name', // OpenInference
  // semantic-conventions-genai v0.1: a workflow is invoked as an agent (`invoke_agent`).
  'gen_ai.workflow.name',
  // Vercel AI SDK: the function id names the calling function; the SDK's own GenAI mapping
  // writes it as gen_ai.agent.name.
  'ai.telemetry.functionId',
];
/** GenAI agent span names: `invoke_agent {name}`, `create_agent {name}`, or the bare operation. */
const AGENT_SPAN_NAME = /^(?:invoke_agent|create_agent)(?: (.+))?$/s;

export const sessionIdOf = (attributes: Attributes): string => firstId(attributes, SESSION);

/**
 * The agent's name; on an agent step without one, from its span name: OpenInference and
 * Langfuse name agent spans after the agent, GenAI writes `invoke_agent {name}`. A bare GenAI
 * operation or a Vercel operation id (`ai.generateText`) names no agent.
 */
export function agentNameOf(attributes: Attributes, type: StepType, spanName: string): string {
  const name = firstText(attributes, AGENT);
  if (name || type !== 'agent') return name;
  const genAi = AGENT_SPAN_NAME.exec(spanName);
  if (genAi) return genAi[1] ?? '';
  return spanName.startsWith('ai.') ? '' : spanName;
}

/** Users repeat across the spans of a trace; the memory is bounded because ids come from clients. */
const REMEMBERED_USERS = 4096;

/**
 * Turns the span's user id into `StepInfo.userHash`, which is never the raw id: a value already
 * pseudonymised by the redact processor (HMAC, 32 hex characters) is kept, so the same user
 * keeps one hash; anything else is replaced by the first 32 hex characters of its SHA-256.
 */
export class UserHasher {
  private readonly remembered = new Map<string, string>();

  hashOf(attributes: Attributes): string {
    const id = firstId(attributes, USER);
    if (id === '' || isPseudonym(id)) return id;
    let hash = this.remembered.get(id);
    if (hash === undefined) {
      hash = createHash('sha256').update(id).digest('hex').slice(0, 32);
      if (this.remembered.size >= REMEMBERED_USERS) this.remembered.clear();
      this.remembered.set(id, hash);
    }
    return hash;
  }
}
