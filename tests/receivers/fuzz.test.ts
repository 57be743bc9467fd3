import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { JSON_SEEDS, PROTOBUF_SEEDS, Rng, byteMutations } from '../helpers/otlp-fuzz.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { MalformedRequest, TraceConverter } from '../../src/receivers/otlp/convert.js';
import { decodeJsonRequest } from '../../src/receivers/otlp/decode.js';
import { TraceProtobufDecoder } from '../../src/receivers/otlp/protobuf-traces.js';
import { jsonEncoding } from '../../src/receivers/otlp/wire.js';

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
/** Odd protobuf cases decode with tight limits, so children beyond them are skipped. */
const tightLimits = otlpReceiverSchema.parse({
  limits: {
    max_attributes_per_span: 2,
    max_events_per_span: 1,
    max_links_per_span: 0,
    max_array_elements: 1,
  },
}).limits;
const decoders = {
  protobuf: new TraceProtobufDecoder(limits),
  bounded: new TraceProtobufDecoder(tightLimits),
};
const jsonConverter = new TraceConverter(jsonEncoding, limits);

type Outcome = 'converted' | 'malformed';

function receive(encoding: 'protobuf' | 'bounded' | 'json', body: Buffer): Outcome {
  try {
    if (encoding === 'json') jsonConverter.convert(decodeJsonRequest(body));
    else decoders[encoding].decode(body);
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
