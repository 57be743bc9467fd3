import type { Store } from '../store.js';
import { AGENT_TRACES } from '../tables.js';

/**
 * The stored document of one assembled agent trace (docs/schema/agent-trace.v1.json), as JSON
 * text; undefined when the trace is not stored (yet). FINAL picks the newest version when a late
 * span updated the trace. `traceId` must already be validated as 32 lower-case hex characters.
 */
export async function agentTraceDocument(
  store: Store,
  traceId: string,
): Promise<string | undefined> {
  const output = await store.query(
    `SELECT Document FROM ${AGENT_TRACES.in(store.database)} FINAL WHERE TraceId = '${traceId}' LIMIT 1`,
    { format: 'JSONEachRow' },
  );
  const line = output.split('\n', 1)[0];
  return line ? (JSON.parse(line) as { Document: string }).Document : undefined;
}
