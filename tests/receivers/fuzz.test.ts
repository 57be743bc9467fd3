import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/prng.mjs';
import { varint } from '../helpers/otlp-client.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { MalformedRequest, TraceConverter } from '../../src/receivers/otlp/convert.js';
import {
  decodeBounds,
  decodeJsonRequest,
  decodeProtobufRequest,
} from '../../src/receivers/otlp/decode.js';
import { jsonEncoding, protobufEncoding } from '../../src/receivers/otlp/wire.js';

/**
 * Fuzzes the OTLP decoders with mutations of real SDK payloads, in process, through the same
 * decode + convert steps the receivers run. Every case must either convert or fail with the
 * receiver's typed decode error (MalformedRequest, answered as 400 / INVALID_ARGUMENT); the run
 * must finish and the heap must not grow with it.
 *
 * Reproducible: FUZZ_SEED=<n> picks the seed (printed on failure with the case index),
 * FUZZ_CASES=<n> the number of protobuf cases (JSON runs 30% as many), FUZZ_DEBUG=1 prints the
 * stack of an unexpected error.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_f417);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
/** JSON cases build and parse much bigger documents (huge arrays, deep nesting): fewer of them. */
const JSON_CASES = Math.ceil(CASES * 0.3);

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Seed payloads: real SDK spans, serialized by the OTLP transformer the SDK exporters use.

function recordAgentSpans(variant: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `fuzz-agent-${variant}`,
      'deployment.environment': 'fuzz',
      'host.cpu.count': 4,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('faultline-fuzz', '0.0.1');
  const agent = tracer.startSpan('invoke_agent booking', {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'booking',
      'session.id': `s-${variant}`,
    },
  });
  const parent = trace.setSpan(context.active(), agent);
  for (let i = 0; i <= variant % 3; i++) {
    const llm = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1200 + i,
          'gen_ai.usage.output_tokens': 87,
          'gen_ai.request.temperature': 0.2,
          'gen_ai.response.finish_reasons': ['stop'],
          'llm.input_messages': JSON.stringify([{ role: 'user', content: 'book a flight ✈' }]),
          'retrieval.scores': [0.91, 0.5, 0.25],
          'flags.cached': [true, false],
        },
      },
      parent,
    );
    llm.addEvent('gen_ai.choice', { index: 0, 'finish.reason': 'stop' });
    llm.end();
  }
  const tool = tracer.startSpan(
    'execute_tool search_flights',
    {
      kind: SpanKind.INTERNAL,
      attributes: { 'gen_ai.tool.name': 'search_flights', 'tool.args': '{"from":"BER"}' },
      links: [{ context: agent.spanContext(), attributes: { 'link.kind': 'caused_by' } }],
    },
    parent,
  );
  tool.recordException(new Error('upstream 503'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'tool failed' });
  tool.end();
  agent.end();
  return memory.getFinishedSpans();
}

const SEED_SPANS = [0, 1, 2, 3].map(recordAgentSpans);
const PROTOBUF_SEEDS = SEED_SPANS.map((spans) =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
);
const JSON_SEEDS = SEED_SPANS.map((spans) =>
  Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
);

// ---------------------------------------------------------------------------------------------
// Byte mutations (both encodings)

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0xc3, 0xed, 0xa0];

type ByteMutation = (rng: Rng, input: Buffer, other: Buffer) => Buffer;

const byteMutations: Record<string, ByteMutation> = {
  flip(rng, input) {
    const out = Buffer.from(input);
    for (let n = 1 + rng.int(8); n > 0 && out.length > 0; n--)
      out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  set(rng, input) {
    const out = Buffer.from(input);
    for (let n = 1 + rng.int(4); n > 0 && out.length > 0; n--)
      out[rng.int(out.length)] = rng.pick(INTERESTING_BYTES);
    return out;
  },
  truncate(rng, input) {
    return input.subarray(0, rng.int(input.length));
  },
  insert(rng, input) {
    const at = rng.int(input.length + 1);
    const junk = Buffer.from(
      Array.from({ length: 1 + rng.int(16) }, () => rng.pick(INTERESTING_BYTES)),
    );
    return Buffer.concat([input.subarray(0, at), junk, input.subarray(at)]);
  },
  remove(rng, input) {
    const at = rng.int(input.length);
    return Buffer.concat([input.subarray(0, at), input.subarray(at + 1 + rng.int(32))]);
  },
  splice(rng, input, other) {
    const at = rng.int(input.length);
    const from = rng.int(other.length);
    return Buffer.concat([
      input.subarray(0, at),
      other.subarray(from, from + 1 + rng.int(256)),
      input.subarray(at + rng.int(64)),
    ]);
  },
  duplicate(rng, input) {
    const from = rng.int(input.length);
    const part = input.subarray(from, from + 1 + rng.int(128));
    return Buffer.concat([input.subarray(0, from), part, part, input.subarray(from)]);
  },
  /** Rewrites the length after a length-delimited tag to a small, huge or off-by-one value. */
  length(rng, input) {
    const tags: number[] = [];
    for (let i = 0; i < input.length - 1; i++) if ((input[i]! & 0x07) === 2) tags.push(i);
    if (tags.length === 0) return input;
    const at = rng.pick(tags) + 1;
    let end = at;
    while (end < input.length && input[end]! & 0x80) end++;
    const old = input[at]! & 0x7f;
    const value = rng.pick([0, 1, old + 1, Math.max(0, old - 1), 0x7fffffff, 2 ** 32 + 5, 2 ** 28]);
    return Buffer.concat([input.subarray(0, at), varint(value), input.subarray(end + 1)]);
  },
};

// ---------------------------------------------------------------------------------------------
// Structural mutations (JSON)

type Json = unknown;

const WRONG_VALUES: (() => Json)[] = [
  () => null,
  () => 0,
  () => -1,
  () => 1e308,
  () => '18446744073709551616',
  () => '-9223372036854775809',
  () => 'not hex',
  () => '',
  () => true,
  () => [],
  () => ({}),
  () => [null, 1, 'x'],
  () => ({ stringValue: 42 }),
  () => ({ arrayValue: { values: 'x' } }),
  () => ({ kvlistValue: { values: [{ key: 1, value: 'x' }] } }),
  () => '\ud800',
  () => 'a'.repeat(20_000),
  () => ({ __proto__: { polluted: true }, constructor: 'x' }),
];

/** The members of the document's containers (to 40 levels), with a way to replace them. */
function slots(root: Json): { holder: Record<string, Json> | Json[]; key: string | number }[] {
  const found: { holder: Record<string, Json> | Json[]; key: string | number }[] = [];
  const walk = (node: Json, depth: number) => {
    if (depth > 40) return;
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        found.push({ holder: node, key: index });
        walk(child, depth + 1);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        found.push({ holder: node as Record<string, Json>, key });
        walk(child, depth + 1);
      }
    }
  };
  walk(root, 0);
  return found;
}

/**
 * Deep nesting is spliced into the text after JSON.stringify (which would overflow the stack
 * building it): the mutation leaves a placeholder string that `expandNesting` replaces.
 */
const DEEP = /"@@deep:(\d+):(array|anyvalue)@@"/g;

function expandNesting(text: string): string {
  return text.replace(DEEP, (_m, depth: string, form: string) => {
    const n = Number(depth);
    return form === 'array'
      ? `${'['.repeat(n)}"deep"${']'.repeat(n)}`
      : `${'{"arrayValue":{"values":['.repeat(n)}{"stringValue":"deep"}${']}}'.repeat(n)}`;
  });
}

type JsonMutation = (rng: Rng, doc: Json) => Json;

const jsonMutations: Record<string, JsonMutation> = {
  wrongType(rng, doc) {
    const all = slots(doc);
    if (all.length === 0) return doc;
    const { holder, key } = rng.pick(all);
    (holder as Record<string | number, Json>)[key] = rng.pick(WRONG_VALUES)();
    return doc;
  },
  remove(rng, doc) {
    const all = slots(doc);
    if (all.length === 0) return doc;
    const { holder, key } = rng.pick(all);
    if (Array.isArray(holder)) holder.splice(key as number, 1);
    else delete holder[key as string];
    return doc;
  },
  deepNesting(rng, doc) {
    const all = slots(doc);
    if (all.length === 0) return doc;
    const { holder, key } = rng.pick(all);
    const depth = rng.pick([16, 64, 1_000, 20_000]);
    const form = rng.int(2) === 0 ? 'array' : 'anyvalue';
    (holder as Record<string | number, Json>)[key] = `@@deep:${depth}:${form}@@`;
    return doc;
  },
  hugeArray(rng, doc) {
    const all = slots(doc);
    if (all.length === 0) return doc;
    const { holder, key } = rng.pick(all);
    const values = Array.from({ length: 5_000 }, (_, i) => ({ intValue: i }));
    (holder as Record<string | number, Json>)[key] = rng.int(2)
      ? { arrayValue: { values } }
      : values.map((value, i) => ({ key: `k${i}`, value }));
    return doc;
  },
  duplicate(rng, doc) {
    const arrays = slots(doc).filter(({ holder }) => Array.isArray(holder));
    if (arrays.length === 0) return doc;
    const { holder, key } = rng.pick(arrays);
    const list = holder as Json[];
    for (let n = rng.int(20); n > 0; n--) list.push(structuredClone(list[key as number]));
    return doc;
  },
};

/** Text-level mutations that keep or break the JSON syntax. */
const hugeNumberText = (rng: Rng, text: string): string =>
  text.replace(/"(startTimeUnixNano|intValue|droppedAttributesCount|kind)":"?\d+"?/, (m) => {
    const [name] = m.split(':');
    return `${name}:${rng.pick(['1e400', '-0', '99999999999999999999999999', '1.5', '-1', '0x10', 'NaN'])}`;
  });

// ---------------------------------------------------------------------------------------------

const limits = otlpReceiverSchema.parse({}).limits;
/**
 * Odd protobuf cases decode as the receivers decode large bodies, skipping children beyond
 * the limits on the wire; tight limits make the skipping happen in these small payloads.
 */
const tightLimits = otlpReceiverSchema.parse({
  limits: {
    max_attributes_per_span: 2,
    max_events_per_span: 1,
    max_links_per_span: 0,
    max_array_elements: 1,
  },
}).limits;
const tightBounds = decodeBounds(tightLimits);
const converters = {
  protobuf: new TraceConverter(protobufEncoding, limits),
  bounded: new TraceConverter(protobufEncoding, tightLimits),
  json: new TraceConverter(jsonEncoding, limits),
};

type Outcome = 'converted' | 'malformed';

function receive(encoding: 'protobuf' | 'bounded' | 'json', body: Buffer): Outcome {
  try {
    const decoded =
      encoding === 'json'
        ? decodeJsonRequest(body)
        : encoding === 'bounded'
          ? decodeProtobufRequest(body, tightBounds, 0)
          : decodeProtobufRequest(body);
    converters[encoding].convert(decoded);
    return 'converted';
  } catch (error) {
    if (error instanceof MalformedRequest) return 'malformed';
    if (process.env.FUZZ_DEBUG) console.error((error as Error).stack?.slice(0, 3000));
    throw error;
  }
}

function fail(encoding: string, index: number, mutation: string, error: unknown): never {
  throw new Error(
    `${encoding} fuzz case ${index} (${mutation}) threw ${String(error)}; ` +
      `reproduce with FUZZ_SEED=${SEED} (the case index is the same for any FUZZ_CASES)`,
    { cause: error },
  );
}

/** A full collection, so heap samples compare live data rather than garbage. */
const collect: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heapAfterGc(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

interface Tally {
  converted: number;
  malformed: number;
  heapGrowth: number;
}

/** Runs `cases` mutated inputs; the heap is sampled after a warm-up quarter and at the end. */
function run(
  encoding: 'protobuf' | 'json',
  cases: number,
  mutate: (rng: Rng, index: number) => { name: string; body: Buffer },
): Tally {
  const decodeAs = (index: number) =>
    encoding === 'protobuf' && index % 2 === 1 ? 'bounded' : encoding;
  const rng = new Rng(SEED ^ (encoding === 'json' ? 0x9e3779b9 : 0));
  const tally: Tally = { converted: 0, malformed: 0, heapGrowth: 0 };
  let heapAtWarmup = 0;
  for (let index = 0; index < cases; index++) {
    if (index === Math.floor(cases / 4)) heapAtWarmup = heapAfterGc();
    const { name, body } = mutate(rng, index);
    try {
      tally[receive(decodeAs(index), body)]++;
    } catch (error) {
      fail(decodeAs(index), index, name, error);
    }
  }
  tally.heapGrowth = heapAfterGc() - heapAtWarmup;
  return tally;
}

const MiB = 1024 * 1024;

describe(`decoder fuzzing (seed ${SEED}, ${CASES} protobuf and ${JSON_CASES} JSON cases)`, () => {
  it('the unmutated seed payloads convert', () => {
    for (const body of PROTOBUF_SEEDS) expect(receive('protobuf', body)).toBe('converted');
    for (const body of JSON_SEEDS) expect(receive('json', body)).toBe('converted');
  });

  it('protobuf: every mutation converts or is refused as malformed', () => {
    const names = Object.keys(byteMutations);
    const tally = run('protobuf', CASES, (rng) => {
      let body: Buffer = rng.pick(PROTOBUF_SEEDS);
      const applied: string[] = [];
      // Stack one to three mutations, as coverage-guided fuzzers do.
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const name = rng.pick(names);
        applied.push(name);
        body = byteMutations[name]!(rng, body, rng.pick(PROTOBUF_SEEDS));
      }
      return { name: applied.join('+'), body };
    });
    // Both outcomes occur: the mutations neither all break nor all miss the structure.
    expect(tally.converted).toBeGreaterThan(CASES / 100);
    expect(tally.malformed).toBeGreaterThan(CASES / 100);
    expect(tally.heapGrowth).toBeLessThan(32 * MiB);
  }, 300_000);

  it('JSON: structural, type, number and byte mutations convert or are refused as malformed', () => {
    const structural = Object.keys(jsonMutations);
    const bytes = Object.keys(byteMutations);
    const tally = run('json', JSON_CASES, (rng) => {
      const seed = rng.pick(JSON_SEEDS);
      const kind = rng.int(4);
      if (kind === 0) {
        const name = rng.pick(bytes);
        return { name, body: byteMutations[name]!(rng, seed, rng.pick(JSON_SEEDS)) };
      }
      if (kind === 1) {
        return { name: 'huge-number', body: Buffer.from(hugeNumberText(rng, seed.toString())) };
      }
      let doc = JSON.parse(seed.toString()) as Json;
      const applied: string[] = [];
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const name = rng.pick(structural);
        applied.push(name);
        doc = jsonMutations[name]!(rng, doc);
      }
      const body = Buffer.from(expandNesting(JSON.stringify(doc)));
      return { name: applied.join('+'), body };
    });
    expect(tally.converted).toBeGreaterThan(JSON_CASES / 100);
    expect(tally.malformed).toBeGreaterThan(JSON_CASES / 100);
    expect(tally.heapGrowth).toBeLessThan(32 * MiB);
  }, 300_000);

  it('refuses an intValue given as a deeply nested array as malformed (found by this fuzzer)', () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const body = Buffer.from(
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}",` +
        `"spanId":"${'cd'.repeat(8)}","attributes":[{"key":"k","value":{"intValue":${deep}}}]}]}]}]}`,
    );
    expect(receive('json', body)).toBe('malformed');
  });

  it('refuses nesting deeper than the JSON parser can walk as malformed, not as a crash', () => {
    const depth = 200_000;
    const body = Buffer.from(`{"resourceSpans":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    expect(receive('json', body)).toBe('malformed');
  });
});
