import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/prng.mjs';
import {
  LOG_PROTOBUF_SEED,
  PROTOBUF_SEEDS,
  Rng,
  byteMutations,
  mutateLogBytes,
} from '../helpers/otlp-fuzz.js';
import { varint } from '../helpers/otlp-client.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { MalformedRequest } from '../../src/receivers/otlp/convert.js';
import { TraceProtobufDecoder } from '../../src/receivers/otlp/protobuf-traces.js';
import { LogProtobufDecoder } from '../../src/receivers/otlp/protobuf-logs.js';
import { oracleLogs, oracleTraces } from '../helpers/protobufjs-oracle.js';

/**
 * Differential test of the receiver's own protobuf decoder against protobufjs followed by
 * TraceConverter (the path it replaced, kept for logs and as this oracle): real SDK payloads,
 * their byte-level mutations (the decoder fuzzer's) and crafted wire oddities must give deep-
 * equal conversions (spans, rejections, limit counts) or MalformedRequest from both.
 * The oracle decodes with bounds, as the new decoder always skips children beyond the limits.
 *
 * FUZZ_SEED / FUZZ_CASES as in fuzz.test.ts.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0xd1ff_0b0e);
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);

const defaults = otlpReceiverSchema.parse({}).limits;
const tight = otlpReceiverSchema.parse({
  limits: {
    max_attributes_per_span: 2,
    max_events_per_span: 1,
    max_links_per_span: 1,
    max_array_elements: 1,
    max_attribute_value_length: 16,
    max_value_depth: 2,
  },
}).limits;

interface Pair {
  fresh: { decode(body: Buffer): unknown };
  oracle: (body: Buffer) => unknown;
}
const pairs: Pair[] = [defaults, tight].map((limits) => ({
  fresh: new TraceProtobufDecoder(limits),
  oracle: oracleTraces(limits),
}));
const logPairs: Pair[] = [defaults, tight].map((limits) => ({
  fresh: new LogProtobufDecoder(limits),
  oracle: oracleLogs(limits),
}));

type Outcome = { conversion: unknown } | { malformed: true };

function outcome(decode: () => unknown): Outcome {
  try {
    return { conversion: decode() };
  } catch (error) {
    if (error instanceof MalformedRequest) return { malformed: true };
    throw error;
  }
}

/** Both decoders, with limits `which`, agree on `body`; returns whether it converted. */
function agree(body: Buffer, which: number, label: string, of: Pair[] = pairs): boolean {
  const { fresh, oracle } = of[which]!;
  const expected = outcome(() => oracle(body));
  const actual = outcome(() => fresh.decode(body));
  if (!isDeepStrictEqual(actual, expected)) {
    // The assertion prints the difference.
    expect(actual, `${label} (FUZZ_SEED=${SEED}), body ${body.toString('hex')}`).toEqual(expected);
    throw new Error(`${label}: outcomes differ only in strictness (prototypes or -0)`);
  }
  return 'conversion' in actual;
}

// Minimal wire writer for crafted cases.
const field = (number: number, wire: number, payload: Buffer | number[]): Buffer =>
  Buffer.concat([varint((number << 3) | wire), Buffer.from(payload)]);
const bytes = (number: number, content: Buffer | string): Buffer => {
  const raw = typeof content === 'string' ? Buffer.from(content) : content;
  return field(number, 2, Buffer.concat([varint(raw.length), raw]));
};
const message = (number: number, ...parts: Buffer[]) => bytes(number, Buffer.concat(parts));
const fixed64 = (number: number, value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return field(number, 1, b);
};
const uint = (number: number, value: number) => field(number, 0, varint(value));

const TRACE = Buffer.alloc(16, 0xab);
const SPAN = Buffer.alloc(8, 0xcd);
const kv = (key: string, ...value: Buffer[]) => message(9, bytes(1, key), message(2, ...value));
const str = (s: string | Buffer) => bytes(1, s);

/** A request of one span whose fields after the ids are `extra`; resource and scope parts too. */
const request = (extra: Buffer[], resource: Buffer[] = [], scope: Buffer[] = []) =>
  message(
    1,
    ...resource,
    message(2, ...scope, message(2, bytes(1, TRACE), bytes(2, SPAN), ...extra)),
  );

const deepArray = (levels: number): Buffer => {
  let value = str('leaf');
  for (let i = 0; i < levels; i++) value = message(5, message(1, value));
  return value;
};

const CRAFTED: Record<string, Buffer> = {
  plain: request([bytes(5, 'op'), fixed64(7, 1n), fixed64(8, 2n)]),
  'oneof: later member wins': request([kv('k', str('a'), uint(3, 5))]),
  'oneof: array parts merge': request([
    kv('k', message(5, message(1, str('x'))), message(5, message(1, uint(3, 2)))),
  ]),
  'oneof: array replaced by string then array again': request([
    kv('k', message(5, message(1, str('x'))), str('s'), message(5)),
  ]),
  'KeyValue value in two parts': request([
    message(9, bytes(1, 'k'), message(2, str('long string value here')), message(2, uint(2, 1))),
  ]),
  'KeyValue key twice': request([message(9, bytes(1, 'a'), bytes(1, 'b'), message(2, str('v')))]),
  'status in two parts': request([
    message(15, bytes(2, 'first message'), uint(3, 2)),
    message(15, bytes(2, 'second')),
  ]),
  'resource in two parts': request(
    [],
    [
      message(1, message(1, bytes(1, 'a'), message(2, str('1')))),
      message(1, message(1, bytes(1, 'b'), message(2, str('2'))), uint(2, 3)),
      message(1, message(1, bytes(1, 'c'), message(2, str('3')))),
    ],
  ),
  'scope in two parts': request(
    [],
    [],
    [message(1, bytes(1, 'name')), message(1, bytes(2, 'v1'), message(3, bytes(1, 'x')))],
  ),
  'wrong wire type skipped': request([field(5, 0, [1]), field(7, 0, [5]), field(9, 0, [3])]),
  'unknown group skipped': request([field(20, 3, []), uint(1, 1), field(20, 4, [])]),
  'mismatched end group': request([field(20, 3, []), field(21, 4, [])]),
  'field number 0': request([field(0, 0, [1])]),
  'wire type 6': request([field(20, 6, [])]),
  'invalid UTF-8 name': request([bytes(5, Buffer.from([0x61, 0xff]))]),
  'surrogate in UTF-8': request([bytes(5, Buffer.from([0xed, 0xa0, 0x80]))]),
  'BOM kept': request([bytes(5, Buffer.from([0xef, 0xbb, 0xbf, 0x61]))]),
  'long non-ASCII name': request([bytes(5, 'ünïcödé '.repeat(20))]),
  'negative int and kind': request([
    kv('n', field(3, 0, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
    field(6, 0, [0xff, 0xff, 0xff, 0xff, 0x0f]),
  ]),
  'ten-byte varint': request([
    kv('n', field(3, 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
  ]),
  'eleven-byte varint': request([
    kv('n', field(3, 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
  ]),
  'nested past the value depth': request([kv('d', deepArray(5))]),
  'nested past the recursion limit': request([kv('d', deepArray(60))]),
  'bad link after a good one': request([
    message(13, bytes(1, TRACE), bytes(2, SPAN), bytes(3, 'x'.repeat(40))),
    message(
      13,
      bytes(1, Buffer.alloc(3)),
      message(4, bytes(1, 'k'), message(2, str('y'.repeat(40)))),
    ),
    message(13, bytes(1, TRACE), bytes(2, SPAN), bytes(3, 'z'.repeat(40))),
    kv('a', str('q'.repeat(40))),
  ]),
  'all-zero trace id after attributes': request([
    kv('a', str('q'.repeat(40))),
    bytes(1, Buffer.alloc(16)),
  ]),
  'parent id of the wrong length': request([bytes(4, Buffer.alloc(3, 1))]),
  'many attributes, events, array elements': request([
    ...Array.from({ length: 5 }, (_, i) => kv(`k${i}`, str('v'.repeat(i * 10)))),
    message(11, bytes(2, 'e1'), message(3, bytes(1, 'a'), message(2, str('1')))),
    message(11, bytes(2, 'e2')),
    kv('arr', message(5, message(1, str('a')), message(1, str('b')), message(1, str('c')))),
  ]),
};

/** The crafted cases that are not OTLP at all; the others convert. */
const MALFORMED = new Set([
  'mismatched end group',
  'field number 0',
  'wire type 6',
  'invalid UTF-8 name',
  'surrogate in UTF-8',
  'eleven-byte varint',
  'nested past the recursion limit',
]);

describe('the protobuf trace decoder against protobufjs + TraceConverter', () => {
  it('agrees on real SDK payloads', () => {
    for (const body of PROTOBUF_SEEDS) {
      expect(agree(body, 0, 'seed')).toBe(true);
      agree(body, 1, 'seed, tight limits');
    }
  });

  it.each(Object.entries(CRAFTED))('agrees on a crafted case: %s', (name, body) => {
    const converts = !MALFORMED.has(name);
    expect(agree(body, 0, name)).toBe(converts);
    expect(agree(body, 1, `${name}, tight limits`)).toBe(converts);
  });

  it('agrees on every mutation of the fuzzer', () => {
    const rng = new Rng(SEED);
    const names = Object.keys(byteMutations);
    const tally = { converted: 0, malformed: 0 };
    for (let index = 0; index < CASES; index++) {
      let body: Buffer = rng.pick(PROTOBUF_SEEDS);
      const applied: string[] = [];
      for (let n = 1 + rng.int(3); n > 0; n--) {
        const name = rng.pick(names);
        applied.push(name);
        body = byteMutations[name]!(rng, body, rng.pick(PROTOBUF_SEEDS));
      }
      const converted = agree(body, index % 2, `case ${index} (${applied.join('+')})`);
      tally[converted ? 'converted' : 'malformed']++;
    }
    expect(tally.converted).toBeGreaterThan(CASES / 100);
    expect(tally.malformed).toBeGreaterThan(CASES / 100);
  }, 300_000);
});

/** A logs request of one record whose fields are `fields`. */
const logRequest = (...fields: Buffer[]) => message(1, message(2, message(2, ...fields)));

const CRAFTED_LOGS: Record<string, Buffer> = {
  'body in two parts': logRequest(
    message(5, message(6, message(1, bytes(1, 'a'), message(2, str('1'))))),
    message(6, message(1, bytes(1, 'k'), message(2, str('v')))),
    message(5, message(6, message(1, bytes(1, 'b'), message(2, uint(2, 1))))),
  ),
  'body replaced': logRequest(message(5, str('x'.repeat(40))), message(5, uint(3, 7))),
  'all-zero ids': logRequest(bytes(9, Buffer.alloc(16)), bytes(10, Buffer.alloc(8))),
  'short trace id after a long body': logRequest(
    message(5, str('y'.repeat(40))),
    bytes(9, Buffer.alloc(3, 1)),
  ),
  'span id of the wrong length': logRequest(bytes(10, Buffer.alloc(9, 1))),
  'severity out of range': logRequest(uint(2, 99), bytes(3, 'WARN'), bytes(12, 'gen_ai.choice')),
};

describe('the protobuf logs decoder against protobufjs + LogConverter', () => {
  it.each(Object.entries(CRAFTED_LOGS))('agrees on a crafted case: %s', (name, body) => {
    expect(agree(body, 0, name, logPairs)).toBe(true);
    expect(agree(body, 1, `${name}, tight limits`, logPairs)).toBe(true);
  });

  it('agrees on the SDK payload and every mutation of the logs fuzzer', () => {
    const next = prng(SEED);
    const tally = { converted: 0, malformed: 0 };
    expect(agree(Buffer.from(LOG_PROTOBUF_SEED), 0, 'log seed', logPairs)).toBe(true);
    for (let index = 0; index < CASES; index++) {
      let body: Buffer = Buffer.from(LOG_PROTOBUF_SEED);
      for (let n = 1 + Math.floor(next() * 3); n > 0; n--) body = mutateLogBytes(next, body);
      const converted = agree(body, index % 2, `log case ${index}`, logPairs);
      tally[converted ? 'converted' : 'malformed']++;
    }
    expect(tally.converted).toBeGreaterThan(CASES / 100);
    expect(tally.malformed).toBeGreaterThan(CASES / 100);
  }, 300_000);
});
