import { describe, expect, it } from 'vitest';
import { SKIPPED, withBounds, type DecodeBounds } from '../helpers/bounded-decode.js';
import {
  decodeBounds,
  decodeWithProtobufjs,
  protobufEncoding,
} from '../helpers/protobufjs-oracle.js';
import { otlpReceiverSchema } from '../../src/receivers/otlp/config.js';
import { TraceConverter } from '../../src/receivers/otlp/convert.js';
import { ExportTraceServiceRequest } from '../../src/receivers/otlp/proto.js';

/**
 * The protobufjs oracle of the receiver's decoders (tests/helpers/protobufjs-oracle.ts) decodes
 * with bounds, as they skip children beyond the limits unread. Bounded protobuf decoding skips what the converter would drop anyway; what it keeps, and the
 * counts it reports, must be exactly what unbounded decoding gives.
 */

const limits = otlpReceiverSchema.parse({
  limits: {
    max_attributes_per_span: 3,
    max_events_per_span: 1,
    max_links_per_span: 1,
    max_array_elements: 2,
  },
}).limits;

const decodeProtobufRequest = (body: Buffer, bounds?: DecodeBounds) =>
  decodeWithProtobufjs('traces', body, bounds);

const kv = (key: string, value: unknown = { intValue: 1 }) => ({ key, value });
const many = (n: number) => Array.from({ length: n }, (_, i) => kv(`k${i}`, { intValue: i }));

const body = Buffer.from(
  ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: many(5) },
          scopeSpans: [
            {
              scope: { name: 's', attributes: many(4) },
              spans: [
                {
                  traceId: Buffer.alloc(16, 1),
                  spanId: Buffer.alloc(8, 2),
                  name: 'op',
                  attributes: [
                    ...many(2),
                    kv('list', { arrayValue: { values: many(5).map((a) => a.value) } }),
                    ...many(6),
                  ],
                  events: [
                    { name: 'e1', attributes: [kv('map', { kvlistValue: { values: many(4) } })] },
                    { name: 'e2', attributes: many(3) },
                  ],
                  links: [
                    { traceId: Buffer.alloc(16, 3), spanId: Buffer.alloc(8, 4) },
                    { traceId: Buffer.alloc(16, 5), spanId: Buffer.alloc(8, 6) },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish(),
);

interface Decoded {
  resourceSpans: {
    resource: { attributes: unknown[] };
    scopeSpans: {
      scope: { attributes: unknown[] };
      spans: { attributes: unknown[]; events: unknown[]; links: unknown[] }[];
    }[];
  }[];
}

const decodeBounded = (bytes: Buffer): unknown =>
  withBounds(decodeBounds(limits), () => ExportTraceServiceRequest.decode(bytes));

describe('decoding with bounds', () => {
  const bounded = decodeBounded(body) as Decoded;
  const rs = bounded.resourceSpans[0]!;
  const span = rs.scopeSpans[0]!.spans[0]!;

  it('keeps list lengths, with a placeholder for every skipped child', () => {
    expect(rs.resource.attributes).toHaveLength(5);
    expect(rs.resource.attributes.slice(3)).toEqual([SKIPPED, SKIPPED]);
    expect(rs.scopeSpans[0]!.scope.attributes.filter((a) => a === SKIPPED)).toHaveLength(1);
    expect(span.attributes).toHaveLength(9);
    expect(span.attributes.filter((a) => a === SKIPPED)).toHaveLength(6);
    expect(span.events).toHaveLength(2);
    expect(span.events[1]).toBe(SKIPPED);
    expect(span.links[1]).toBe(SKIPPED);
  });

  it('converts to exactly what unbounded decoding converts to', () => {
    const converter = new TraceConverter(protobufEncoding, limits);
    const fromBounded = converter.convert(bounded);
    const fromWhole = converter.convert(decodeProtobufRequest(body));
    expect(fromBounded).toEqual(fromWhole);
    const converted = fromBounded.spans[0]!;
    expect(converted.attributes.list).toEqual([0n, 1n]);
    expect(converted.droppedAttributesCount).toBe(6);
    expect(converted.droppedEventsCount).toBe(1);
    expect(converted.droppedLinksCount).toBe(1);
    expect(fromBounded.stats).toMatchObject({
      droppedAttributes: 6 + 2 + 1,
      droppedEvents: 1,
      droppedLinks: 1,
      truncatedArrays: 2,
    });
  });

  it('leaves decoding without bounds, and after a bounded decode, whole', () => {
    const whole = decodeProtobufRequest(body) as Decoded;
    const wholeSpan = whole.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(wholeSpan.attributes.includes(SKIPPED)).toBe(false);
    expect(wholeSpan.events.includes(SKIPPED)).toBe(false);
  });

  it('is undone when decoding fails halfway', () => {
    expect(() =>
      decodeProtobufRequest(body.subarray(0, body.length - 3), decodeBounds(limits)),
    ).toThrow();
    const whole = decodeProtobufRequest(body) as Decoded;
    expect(whole.resourceSpans[0]!.resource.attributes.includes(SKIPPED)).toBe(false);
  });
});
