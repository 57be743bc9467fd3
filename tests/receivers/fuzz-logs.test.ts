import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/prng.mjs';
import { LOG_JSON_SEED, LOG_PROTOBUF_SEED, mutateLogBytes } from '../helpers/otlp-fuzz.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { LogConverter, type LogConversion } from '../../src/receivers/otlp/convert-logs.js';
import { MalformedRequest } from '../../src/receivers/otlp/convert.js';
import { decodeJsonRequest } from '../../src/receivers/otlp/decode.js';
import { LogProtobufDecoder } from '../../src/receivers/otlp/protobuf-logs.js';
import { jsonEncoding } from '../../src/receivers/otlp/wire.js';

/**
 * Byte-level fuzzing of the logs decoders: a real SDK's log records (GenAI events with
 * structured bodies and attributes) serialized by the OTLP transformer the exporters use, then
 * bytes flipped, cut, duplicated and inserted. Every case must convert or be refused as
 * malformed; nothing else may escape. FUZZ_SEED / FUZZ_CASES as in fuzz.test.ts.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x10_95ee);
const CASES = Math.ceil(Number(process.env.FUZZ_CASES ?? 10_000) * 0.3);
const limits = otlpReceiverSchema.parse({}).limits;

describe(`logs decoder fuzzing (seed ${SEED}, ${CASES} cases per encoding)`, () => {
  const protobufLogs = new LogProtobufDecoder(limits);
  const jsonLogs = new LogConverter(jsonEncoding, limits);
  const cases: [string, Uint8Array, (body: Buffer) => LogConversion][] = [
    ['protobuf', LOG_PROTOBUF_SEED, (body) => protobufLogs.decode(body)],
    ['json', LOG_JSON_SEED, (body) => jsonLogs.convert(decodeJsonRequest(body))],
  ];

  it.each(cases)('%s: every mutation converts or is refused as malformed', (_, seed, decode) => {
    expect(decode(Buffer.from(seed)).logs).toHaveLength(3);
    const next = prng(SEED);
    const outcomes = { converted: 0, malformed: 0 };
    for (let i = 0; i < CASES; i++) {
      const body = mutateLogBytes(next, seed);
      try {
        decode(body);
        outcomes.converted++;
      } catch (error) {
        if (!(error instanceof MalformedRequest))
          throw new Error(`case ${i} threw ${String(error)} (FUZZ_SEED=${SEED})`, {
            cause: error,
          });
        outcomes.malformed++;
      }
    }
    expect(outcomes.converted + outcomes.malformed).toBe(CASES);
    expect(outcomes.malformed).toBeGreaterThan(0);
  });
});
