/**
 * Merging Native blocks for one insert, against the encoders themselves: the blocks of a batch's
 * records, merged and written one part after another, must be byte for byte the block the same
 * rows make when encoded together (which `native-block.test.ts` checks against the engine).
 */
import { describe, expect, it } from 'vitest';
import { failureBlockEncoder } from '../../../src/exporters/clickhouse/native/failure-columns.js';
import { mergeNativeBlocks } from '../../../src/exporters/clickhouse/native/merge.js';
import { spanBlockEncoder } from '../../../src/exporters/clickhouse/native/span-columns.js';
import { traceBlockEncoder } from '../../../src/exporters/clickhouse/native/trace-columns.js';
import {
  KeyValueList,
  type AgentTrace,
  type Failure,
  type Span,
  type SpanEvent,
  type StatusCode,
} from '../../../src/model/index.js';
import { sampleSpan, stepInfo, traceStep } from '../../helpers/spans.js';

const resource = {
  attributes: { 'service.name': 'booking-agent', 'host.name': 'h1' },
  droppedAttributesCount: 0,
  schemaUrl: '',
};

/** The n-th of a varied run of spans: empty and full maps, events, links, unicode, steps. */
function variedSpan(n: number): Span {
  const shape = n % 4;
  return sampleSpan({
    resource: shape === 3 ? { ...resource, attributes: { 'service.name': `svc-${n}` } } : resource,
    name: `op ${n} — ä€𝄞`,
    statusCode: (n % 3) as StatusCode,
    attributes:
      shape === 0
        ? {}
        : { 'gen_ai.request.model': 'gpt-4o', n: BigInt(n), text: 'x'.repeat(n * 37), ok: true },
    events: Array.from({ length: shape }, (_, i): SpanEvent => ({
      timeUnixNano: BigInt(n * 10 + i),
      name: `event ${i}`,
      attributes:
        i % 2 ? {} : { 'exception.message': `boom ${n}`, nested: new KeyValueList({ a: 1n }) },
      droppedAttributesCount: 0,
    })),
    links:
      shape === 2
        ? [
            {
              traceId: 'ab'.repeat(16),
              spanId: 'cd'.repeat(8),
              traceState: 'k=v',
              attributes: { k: 'v' },
              droppedAttributesCount: 0,
              flags: 0,
            },
          ]
        : [],
    ...(shape === 1
      ? {
          step: stepInfo({
            type: 'llm_call',
            finishReasons: ['stop', 'length'],
            outputPreview: `answer ${n}`,
          }),
        }
      : {}),
    failures: shape === 2 ? [{ failureClass: 'timeout', severity: 'high' } as Failure] : [],
  });
}

function failure(n: number): Failure {
  return {
    failureId: `f${n}`,
    timeUnixNano: BigInt(n),
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: `${n}`.padStart(16, '0'),
    serviceName: 'booking-agent',
    agentName: 'booker',
    stepType: 'tool_call',
    spanName: `tool ${n}`,
    operation: 'search',
    failureClass: 'tool_error',
    severity: 'medium',
    rule: 'builtin.tool_error',
    signature: `sig${n % 3}`,
    message: `failed ${n}`,
    status: 'new',
    causedBy: n % 2 ? '' : 'f0',
    causeSignature: '',
    revision: n % 2,
  };
}

function trace(n: number): AgentTrace {
  return {
    traceId: n.toString(16).padStart(32, '0'),
    steps: Array.from({ length: 1 + (n % 3) }, (_, i) =>
      traceStep({ name: `step ${i}`, model: i ? 'gpt-4o' : '', outputPreview: 'ok'.repeat(n) }),
    ),
    incomplete: n % 2 === 1,
    droppedSteps: 0,
    failures: [],
    version: n,
  };
}

/** `items` cut into consecutive runs of the given lengths (cycled), each its own block. */
function blocksOf<T>(encode: (items: readonly T[]) => Buffer, items: readonly T[], runs: number[]) {
  const blocks: Buffer[] = [];
  for (let from = 0, r = 0; from < items.length; r++) {
    const to = Math.min(items.length, from + runs[r % runs.length]!);
    blocks.push(encode(items.slice(from, to)));
    from = to;
  }
  return blocks;
}

describe('mergeNativeBlocks', () => {
  it('merges span blocks into the block the same spans make together, byte for byte', async () => {
    const encoder = spanBlockEncoder();
    const spans = Array.from({ length: 23 }, (_, n) => variedSpan(n));
    const whole = encoder.encode(spans);
    for (const runs of [[1], [2, 5], [7, 1, 3], [22]]) {
      const blocks = blocksOf((items) => encoder.encode(items), spans, runs);
      expect(blocks.length).toBeGreaterThan(1);
      expect(Buffer.concat(await mergeNativeBlocks(blocks)).equals(whole)).toBe(true);
    }
  });

  it('merges trace and failure blocks the same way', async () => {
    const traces = traceBlockEncoder();
    const someTraces = Array.from({ length: 9 }, (_, n) => trace(n));
    const failures = failureBlockEncoder();
    const someFailures = Array.from({ length: 11 }, (_, n) => failure(n));
    const mergedTraces = await mergeNativeBlocks(
      blocksOf((t) => traces.encode(t), someTraces, [2, 3]),
    );
    expect(Buffer.concat(mergedTraces).equals(traces.encode(someTraces))).toBe(true);
    const mergedFailures = await mergeNativeBlocks(
      blocksOf((f) => failures.encode(f), someFailures, [4]),
    );
    expect(Buffer.concat(mergedFailures).equals(failures.encode(someFailures))).toBe(true);
  });

  it('yields to the event loop while it merges a large batch', async () => {
    // 100 copies of a 200-span block: ~20,000 rows, tens of ms of walking, so several slices.
    const block = spanBlockEncoder().encode(Array.from({ length: 200 }, (_, n) => variedSpan(n)));
    let otherWorkRan = false;
    const merging = mergeNativeBlocks(Array.from({ length: 100 }, () => block));
    setImmediate(() => (otherWorkRan = true));
    const merged = await merging;
    expect(otherWorkRan).toBe(true);
    expect(merged.length).toBeGreaterThan(100);
  });

  it('passes one block on as it is', async () => {
    const block = spanBlockEncoder().encode([variedSpan(1)]);
    const blocks = [block];
    expect(await mergeNativeBlocks(blocks)).toBe(blocks);
  });

  it('passes blocks on unmerged when they cannot be merged', async () => {
    const spans = spanBlockEncoder().encode([variedSpan(1), variedSpan(2)]);
    const failures = failureBlockEncoder().encode([failure(1)]);
    const differentColumns = [spans, failures];
    expect(await mergeNativeBlocks(differentColumns)).toBe(differentColumns);

    const truncated = [spans, spans.subarray(0, spans.length - 3)];
    expect(await mergeNativeBlocks(truncated)).toBe(truncated);

    // One column `s LowCardinality(String)` of one row 'a': a type the encoders never write.
    const lowCardinality = Buffer.from([
      1,
      1,
      1,
      0x73,
      22,
      ...Buffer.from('LowCardinality(String)'),
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    const unknownType = [lowCardinality, lowCardinality];
    expect(await mergeNativeBlocks(unknownType)).toBe(unknownType);
  });
});
