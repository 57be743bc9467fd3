import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { prng } from '../../bench/prng.mjs';
import { varint } from './otlp-client.js';

/**
 * The OTLP trace fuzzer's inputs: real SDK payloads (agent spans with events, links, arrays,
 * an error status) and log records (GenAI events with structured bodies) in both encodings, and
 * byte-level mutations of them. Shared by the decoder
 * fuzz test and the differential test of the protobuf decoder against protobufjs.
 */

export class Rng {
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
export const PROTOBUF_SEEDS = SEED_SPANS.map((spans) =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
);
export const JSON_SEEDS = SEED_SPANS.map((spans) =>
  Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
);

// ---------------------------------------------------------------------------------------------
// Byte mutations (both encodings)

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0xc3, 0xed, 0xa0];

export type ByteMutation = (rng: Rng, input: Buffer, other: Buffer) => Buffer;

export const byteMutations: Record<string, ByteMutation> = {
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
// Logs: a real SDK's log records

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

/** One byte-level mutation of a log request: a byte set, a cut, a repeat or an insertion. */
export function mutateLogBytes(next: () => number, bytes: Uint8Array): Buffer {
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

const LOG_RECORDS = seedRecords();
export const LOG_PROTOBUF_SEED = ProtobufLogsSerializer.serializeRequest(LOG_RECORDS)!;
export const LOG_JSON_SEED = JsonLogsSerializer.serializeRequest(LOG_RECORDS)!;
