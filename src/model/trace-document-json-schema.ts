import { z } from 'zod';
import { STEP_SCHEMA_VERSION } from './step.js';
import { traceDocumentSchema } from './trace-document.js';

/**
 * The published JSON Schema of the agent trace document (docs/schema/agent-trace.v1.json).
 * Objects are left open: new optional fields must not fail readers that validate.
 */
export function traceDocumentJsonSchema(): Record<string, unknown> {
  return {
    ...(openObjects(z.toJSONSchema(traceDocumentSchema, { target: 'draft-2020-12' })) as object),
    $id: `https://faultline.dev/schema/agent-trace.v${STEP_SCHEMA_VERSION}.json`,
    title: 'Faultline agent trace',
  };
}

function openObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openObjects);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, openObjects(value)]),
  );
}
