/**
 * The agent trace document's JSON for a large trace, joined from each step's own: byte for
 * byte what one `JSON.stringify` of the document's objects writes, so stored documents and
 * their readers see no change, also for trees too deep for that call.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/prng.mjs';
import {
  summarizeTrace,
  traceDocument,
  traceDocumentJson,
  type AgentTrace,
  type Failure,
  type TraceDocument,
  type TraceStep,
} from '../../src/model/index.js';
import { stepChain, traceStep } from '../helpers/spans.js';

/** The whole tree in one `JSON.stringify`, as a trace of up to 500 steps is written. */
const stringified = (trace: AgentTrace): string =>
  JSON.stringify(traceDocument(trace, summarizeTrace(trace)));

const written = (trace: AgentTrace): string => traceDocumentJson(trace, summarizeTrace(trace));

/** UTF-16 units of every kind a client may send: control characters and lone surrogates too. */
const UNITS = [
  [0x20, 0x7e], // printable ASCII, `"` and `\` among them
  [0x00, 0x1f], // control characters
  [0x7f, 0x7f],
  [0x80, 0x7ff], // two UTF-8 bytes
  [0x800, 0xd7ff], // three
  [0xd800, 0xdbff], // high surrogates: a pair with a low one, else lone
  [0xdc00, 0xdfff], // low surrogates
  [0xe000, 0xffff], // three again, U+2028 and U+2029 among them
] as const;

function randomText(next: () => number, maxLength: number): string {
  const units: number[] = [];
  const length = Math.floor(next() * (maxLength + 1));
  for (let i = 0; i < length; i++) {
    const [low, high] = UNITS[Math.floor(next() * UNITS.length)]!;
    units.push(low + Math.floor(next() * (high - low + 1)));
  }
  return String.fromCharCode(...units);
}

function failure(spanId: string, overrides: Partial<Failure> = {}): Failure {
  return {
    failureId: `f-${spanId}`,
    timeUnixNano: 0n,
    traceId: 'ab'.repeat(16),
    spanId,
    serviceName: 'svc',
    agentName: '',
    stepType: 'tool_call',
    spanName: 'tool',
    operation: 'execute_tool',
    failureClass: 'tool_error',
    severity: 'high',
    rule: 'builtin.tool_error',
    signature: 'sig',
    message: 'failed',
    status: 'new',
    causedBy: '',
    causeSignature: '',
    revision: 0,
    ...overrides,
  };
}

function traceOf(steps: TraceStep[], overrides: Partial<AgentTrace> = {}): AgentTrace {
  return {
    traceId: 'ab'.repeat(16),
    steps,
    incomplete: false,
    droppedSteps: 0,
    failures: [],
    version: 2 ** 32 + 7,
    ...overrides,
  };
}

/** A trace of random shape and content: parents earlier, later, missing or the step itself. */
function randomTrace(next: () => number, size: { min: number; max: number }): AgentTrace {
  const count = size.min + Math.floor(next() * (size.max - size.min + 1));
  const ids = Array.from({ length: count }, (_, i) => i.toString(16).padStart(16, '0'));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const steps = ids.map((spanId) => {
    const start = 1_700_000_000_000_000_000n + BigInt(Math.floor(next() * 20)) * 1_000_000n;
    return traceStep({
      spanId,
      parentSpanId: pick(['', 'ffffffffffffffff', spanId, pick(ids), pick(ids)]),
      name: randomText(next, 12),
      type: pick(['agent', 'llm_call', 'tool_call', 'retrieval', 'span'] as const),
      serviceName: pick(['svc', randomText(next, 6)]),
      startTimeUnixNano: start,
      // Some end before they start: a duration of 0.
      endTimeUnixNano: start + BigInt(Math.floor(next() * 3_000_000)) - 1_000_000n,
      statusCode: Math.floor(next() * 4),
      statusMessage: randomText(next, 20),
      operation: pick(['chat', 'execute_tool', '']),
      model: pick(['gpt-4o', '']),
      toolName: randomText(next, 5),
      usage: {
        input: Math.floor(next() * 5000),
        output: pick([0, 12.5, 1e21, 7]),
        total: Math.floor(next() * 9000),
        cacheRead: 0,
        cacheWrite: 3,
        reasoning: 0,
      },
      costUsd: pick([0, 0.013258240000000001, 1e-7, Number.NaN, Infinity]),
      outputPreview: randomText(next, 300),
      failures:
        next() < 0.3
          ? [failure(spanId, { message: randomText(next, 40), causedBy: pick(['', 'f-other']) })]
          : [],
      ...(next() < 0.1 ? { derived: true } : {}),
    });
  });
  return traceOf(steps, {
    failures: next() < 0.3 ? [failure(ids[0]!, { failureClass: 'agent_loop' })] : [],
    incomplete: next() < 0.2,
  });
}

describe('the trace document JSON', () => {
  it('joins the JSON of a large trace step by step into what one JSON.stringify writes', () => {
    const next = prng(8);
    for (let round = 0; round < 12; round++) {
      // Over the 500 steps stringified whole; random parents make a shallow tree.
      const trace = randomTrace(next, { min: 501, max: 1500 });
      expect(written(trace)).toBe(stringified(trace));
    }
  });

  it('nests a chain as deep as max_steps_per_trace, which JSON.stringify could not', () => {
    const chain = (length: number) => traceOf(stepChain(length));
    // Joined step by step, and still shallow enough for the objects' JSON.stringify.
    const joined = chain(1000);
    expect(written(joined)).toBe(stringified(joined));
    // The default max_steps_per_trace: JSON.stringify of the objects ran out of stack here
    // (from ~2,100 steps in node's main thread), and the row was dead-lettered.
    const deep = chain(5000);
    let step = (JSON.parse(written(deep)) as TraceDocument).steps[0];
    let depth = 0;
    while (step) {
      expect(step.span_id).toBe(`c${depth.toString(16).padStart(15, '0')}`);
      depth++;
      step = step.children[0];
    }
    expect(depth).toBe(5000);
  });

  it('leaves out steps whose parents form a cycle, as the document always did', () => {
    const root = traceStep({ spanId: 'r'.repeat(16), parentSpanId: '' });
    // Enough steps under the root for the document to be joined step by step.
    const under = Array.from({ length: 600 }, () => traceStep({ parentSpanId: root.spanId }));
    const a = traceStep({ spanId: 'a'.repeat(16), parentSpanId: 'b'.repeat(16) });
    const b = traceStep({ spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16) });
    const trace = traceOf([root, ...under, a, b]);
    const json = written(trace);
    expect(json).toBe(stringified(trace));
    expect(json).not.toContain('a'.repeat(16));
    expect((JSON.parse(json) as TraceDocument).steps[0]!.children).toHaveLength(600);
  });
});
