import { z } from 'zod';
import { agentTraceDocument } from '../storage/queries/agent-traces.js';
import type { Store } from '../storage/store.js';
import { ApiError } from './respond.js';

const traceIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hexadecimal characters')
  .transform((id) => id.toLowerCase());

/**
 * The assembled agent trace: the versioned document of docs/schema/agent-trace.v1.json, as its
 * JSON text was stored. It is served as it is, not parsed and written again: `JSON.stringify`
 * recurses once per level of the step tree, and ran out of stack on chains of steps deeper
 * than ~2,000, which the document was written without (`traceDocumentJson`).
 */
export async function getTrace(store: Store, rawTraceId: string): Promise<string> {
  const parsed = traceIdSchema.safeParse(rawTraceId);
  if (!parsed.success) throw new ApiError(400, 'invalid_trace_id', parsed.error.issues[0]!.message);
  const document = await agentTraceDocument(store, parsed.data);
  if (document === undefined)
    throw new ApiError(
      404,
      'trace_not_found',
      `no assembled trace ${parsed.data} (yet: traces are written once complete)`,
    );
  return document;
}
