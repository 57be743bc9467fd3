import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/prng.mjs';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { LogConverter } from '../../src/receivers/otlp/convert-logs.js';
import { MalformedRequest } from '../../src/receivers/otlp/convert.js';
import { decodeJsonRequest, decodeSignalRequest } from '../../src/receivers/otlp/decode.js';
import { jsonEncoding, protobufEncoding } from '../../src/receivers/otlp/wire.js';

/**
 * Byte-level fuzzing of the logs decoders: a real SDK's log records (GenAI events with
 * structured bodies and attributes) serialized by the OTLP transformer the exporters use, then
 * bytes flipped, cut, duplicated and inserted. Every case must convert or be refused as
 * malformed; nothing else may escape. FUZZ_SEED / FUZZ_CASES as in fuzz.test.ts.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x10_95ee);
const CASES = Math.ceil(Number(process.env.FUZZ_CASES ?? 10_000) * 0.3);
const limits = otlpReceiverSchema.parse({}).limits;

function seedRecords() {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fuzz-logs' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('fuzz', '1.0.0');
  logger.emit({
    eventName: 'gen_ai.client.inference.operation.details',
    severityNumber: SeverityNumber.INFO,
    attributes: {
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: 'hi' }]),
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
    },
  });
  logger.emit({
    body: { message: { content: 'ok', tool_calls: [{ id: 'c1' }] }, index: 0 },
    attributes: { 'event.name': 'gen_ai.choice' },
  });
  logger.emit({ body: 'plain text line', severityText: 'ERROR', severityNumber: 17 });
  return memory.getFinishedLogRecords();
}

function mutate(next: () => number, bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  const at = Math.floor(next() * out.length);
  switch (Math.floor(next() * 4)) {
    case 0:
      out[at] = Math.floor(next() * 256);
      return out;
    case 1:
      return out.subarray(0, at);
    case 2:
      return Buffer.concat([out.subarray(0, at), out.subarray(at - Math.min(at, 8))]);
    default:
      return Buffer.concat([
        out.subarray(0, at),
        Buffer.from([Math.floor(next() * 256)]),
        out.subarray(at),
      ]);
  }
}

describe(`logs decoder fuzzing (seed ${SEED}, ${CASES} cases per encoding)`, () => {
  const records = seedRecords();
  const cases: [string, Uint8Array, (body: Buffer) => unknown, LogConverter][] = [
    [
      'protobuf',
      ProtobufLogsSerializer.serializeRequest(records)!,
      (body) => decodeSignalRequest('logs', body),
      new LogConverter(protobufEncoding, limits),
    ],
    [
      'json',
      JsonLogsSerializer.serializeRequest(records)!,
      (body) => decodeJsonRequest(body),
      new LogConverter(jsonEncoding, limits),
    ],
  ];

  it.each(cases)(
    '%s: every mutation converts or is refused as malformed',
    (_, seed, decode, converter) => {
      expect(converter.convert(decode(Buffer.from(seed))).logs).toHaveLength(3);
      const next = prng(SEED);
      const outcomes = { converted: 0, malformed: 0 };
      for (let i = 0; i < CASES; i++) {
        const body = mutate(next, seed);
        try {
          converter.convert(decode(body));
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
    },
  );
});
