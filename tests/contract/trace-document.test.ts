import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  summarizeTrace,
  traceDocumentJson,
  traceDocumentSchema,
  type AgentTrace,
} from '../../src/model/index.js';
import { traceDocumentJsonSchema } from '../../src/model/trace-document-json-schema.js';
import { traceStep } from '../helpers/spans.js';

/**
 * The agent trace document is a published contract (SPEC §5.2). These tests fail when a change
 * would break existing readers, or when the published schema drifts from the code.
 */

type Schema = Record<string, unknown>;

const readJson = (path: string): Schema =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Schema;
const PUBLISHED = readJson('../../docs/schema/agent-trace.v1.json');
/** The v1 schema as first released: never edit it; readers were written against it. */
const BASELINE = readJson('./agent-trace.v1.baseline.json');

function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/$defs/', '');
  return resolve((root.$defs as Record<string, Schema>)[name]!, root);
}

/** Every way the `after` schema would break a reader of the `before` schema, as readable paths. */
function breakingChanges(beforeRoot: Schema, afterRoot: Schema): string[] {
  return compare(beforeRoot, afterRoot, { before: beforeRoot, after: afterRoot }, '$', new Set());
}

function compare(
  baseline: Schema,
  current: Schema,
  roots: { before: Schema; after: Schema },
  path: string,
  seen: Set<string>,
): string[] {
  const before = resolve(baseline, roots.before);
  const after = resolve(current, roots.after);
  const key = `${path}:${JSON.stringify(before).length}`;
  if (seen.has(key) || path.split('.').length > 12) return [];
  seen.add(key);
  const problems: string[] = [];
  if (before.type !== after.type)
    problems.push(`${path}: type ${String(before.type)} became ${String(after.type)}`);
  if ('const' in before && before.const !== after.const) problems.push(`${path}: const changed`);
  if (Array.isArray(before.enum)) {
    const now = new Set((after.enum as unknown[] | undefined) ?? []);
    for (const value of before.enum)
      if (!now.has(value)) problems.push(`${path}: enum value ${String(value)} removed`);
  }
  const required = new Set((after.required as string[] | undefined) ?? []);
  for (const name of (before.required as string[] | undefined) ?? []) {
    if (!required.has(name)) problems.push(`${path}.${name}: no longer required`);
  }
  const props = (after.properties ?? {}) as Record<string, Schema>;
  for (const [name, sub] of Object.entries((before.properties ?? {}) as Record<string, Schema>)) {
    if (!props[name]) problems.push(`${path}.${name}: removed`);
    else problems.push(...compare(sub, props[name], roots, `${path}.${name}`, seen));
  }
  if (before.items && after.items) {
    problems.push(
      ...compare(before.items as Schema, after.items as Schema, roots, `${path}[]`, seen),
    );
  }
  return problems;
}

function sampleTrace(): AgentTrace {
  const base = {
    serviceName: 'booking-agent',
    agentName: 'booker',
    sessionId: 'sess-1',
    userHash: '0123456789abcdef0123456789abcdef',
  };
  return {
    traceId: 'ab'.repeat(16),
    incomplete: false,
    droppedSteps: 0,
    version: 1,
    failures: [],
    steps: [
      traceStep({
        ...base,
        spanId: '1'.repeat(16),
        parentSpanId: '',
        name: 'invoke_agent booker',
        type: 'agent',
        startTimeUnixNano: 10n,
        endTimeUnixNano: 90n,
        statusCode: 2,
        operation: 'invoke_agent',
        // Agent spans often repeat their model calls' totals; the trace must not count them twice.
        usage: { input: 100, output: 20, total: 120, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      }),
      traceStep({
        ...base,
        spanId: '2'.repeat(16),
        parentSpanId: '1'.repeat(16),
        name: 'chat gpt-4o',
        type: 'llm_call',
        startTimeUnixNano: 20n,
        endTimeUnixNano: 40n,
        statusCode: 0,
        model: 'gpt-4o',
        usage: { input: 100, output: 20, total: 120, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
        costUsd: 0.001,
      }),
    ],
  };
}

describe('the agent trace document contract', () => {
  it('publishes exactly the schema the code defines (run `npm run schema` after changing it)', () => {
    expect(traceDocumentJsonSchema()).toEqual(PUBLISHED);
  });

  it('keeps everything a v1 reader relies on: no field removed, retyped or made optional', () => {
    expect(breakingChanges(BASELINE, traceDocumentJsonSchema())).toEqual([]);
  });

  it('detects a breaking change (the check itself can fail)', () => {
    const broken = structuredClone(traceDocumentJsonSchema());
    delete (broken.properties as Schema).status;
    ((broken.$defs as Record<string, Schema>).Step!.properties as Schema).model = {
      type: 'number',
    };
    expect(breakingChanges(BASELINE, broken)).toEqual(
      expect.arrayContaining(['$.status: removed', '$.steps[].model: type string became number']),
    );
  });

  it('produces documents that satisfy the schema, with the step tree nested', () => {
    const trace = sampleTrace();
    const written: unknown = JSON.parse(traceDocumentJson(trace, summarizeTrace(trace)));
    const document = traceDocumentSchema.parse(written);
    // Nothing beyond the schema: parsing drops unknown members.
    expect(document).toEqual(written);
    expect(document.steps).toHaveLength(1);
    expect(document.steps[0]!.children.map((c) => c.name)).toEqual(['chat gpt-4o']);
    expect(document.status).toBe('failed');
    expect(document.root_cause_span_id).toBe('1'.repeat(16));
    expect(document.usage.total_tokens).toBe(120);
  });
});
