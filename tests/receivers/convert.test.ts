import { beforeAll, describe, expect, it } from 'vitest';
import { KeyValueList, attributeToText } from '../../src/model/attributes.js';
import type { AttributeValue, Attributes } from '../../src/model/attributes.js';
import type { Span } from '../../src/model/span.js';
import type { OtlpLimits } from '../../src/receivers/otlp/config.js';
import {
  DEPTH_LIMIT_MARKER,
  MalformedRequest,
  TraceConverter,
} from '../../src/receivers/otlp/convert.js';
import type { Conversion } from '../../src/receivers/otlp/convert.js';
import { ExportTraceServiceRequest } from '../../src/receivers/otlp/proto.js';
import { jsonEncoding } from '../../src/receivers/otlp/wire.js';
import { protobufEncoding } from '../helpers/protobufjs-oracle.js';
import type { WireEncoding } from '../../src/receivers/otlp/wire.js';

/**
 * TraceConverter turns a decoded ExportTraceServiceRequest into model spans. Protobuf inputs
 * are real protobufjs-decoded messages (encoded, then decoded), JSON inputs went through
 * JSON.stringify/JSON.parse, so both look exactly as the receiver hands them over.
 */

const LIMITS: OtlpLimits = {
  max_attributes_per_span: 4,
  max_attribute_value_length: 16,
  max_events_per_span: 2,
  max_links_per_span: 2,
  max_value_depth: 3,
  max_array_elements: 3,
};

const TRACE_ID = '0123456789abcdef0123456789abcdef';
const SPAN_ID = '0123456789abcdef';
const PARENT_ID = 'fedcba9876543210';
const INT64_MIN = '-9223372036854775808';
const INT64_MAX = '9223372036854775807';
const UINT64_MAX = '18446744073709551615';

type Json = Record<string, unknown>;

/** How a test writes ids and bytes, and how the receiver would have decoded the request. */
interface Wire {
  name: WireEncoding['name'];
  encoding: WireEncoding;
  id(hex: string): unknown;
  bytes(data: Uint8Array): unknown;
  decode(request: Json): unknown;
}

const protobufWire: Wire = {
  name: 'protobuf',
  encoding: protobufEncoding,
  id: (hex) => Buffer.from(hex, 'hex'),
  bytes: (data) => Buffer.from(data),
  decode: (request) =>
    ExportTraceServiceRequest.decode(
      ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish(),
    ),
};

const jsonWire: Wire = {
  name: 'json',
  encoding: jsonEncoding,
  id: (hex) => hex,
  bytes: (data) => Buffer.from(data).toString('base64'),
  decode: (request) => JSON.parse(JSON.stringify(request)) as unknown,
};

const WIRES = [protobufWire, jsonWire];

function span(wire: Wire, fields: Json = {}): Json {
  return {
    traceId: wire.id(TRACE_ID),
    spanId: wire.id(SPAN_ID),
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
    ...fields,
  };
}

function request(spans: Json[], resource: Json = {}, scope: Json = {}): Json {
  return { resourceSpans: [{ resource, scopeSpans: [{ scope, spans }] }] };
}

function convert(wire: Wire, spans: Json[], limits: OtlpLimits = LIMITS): Conversion {
  return new TraceConverter(wire.encoding, limits).convert(wire.decode(request(spans)));
}

/** The single span a request converts to. */
function only(wire: Wire, fields: Json, limits: OtlpLimits = LIMITS): Span {
  const conversion = convert(wire, [span(wire, fields)], limits);
  expect(conversion.rejected).toBe(0);
  expect(conversion.spans).toHaveLength(1);
  return conversion.spans[0]!;
}

const kv = (key: string, value: Json | undefined): Json =>
  value === undefined ? { key } : { key, value };
const str = (stringValue: string): Json => ({ stringValue });
const int = (intValue: string | number): Json => ({ intValue });
const array = (...values: Json[]): Json => ({ arrayValue: { values } });
const kvlist = (...values: Json[]): Json => ({ kvlistValue: { values } });

const NO_STATS = {
  truncatedValues: 0,
  droppedAttributes: 0,
  droppedEvents: 0,
  droppedLinks: 0,
  depthLimited: 0,
  truncatedArrays: 0,
};

// =============================================================================================

describe.each(WIRES)('TraceConverter with the $name encoding', (wire) => {
  describe('converts every field of a span', () => {
    const linkedTrace = 'aa'.repeat(16);
    const linkedSpan = 'bb'.repeat(8);
    const conversion = new TraceConverter(wire.encoding, LIMITS).convert(
      wire.decode(
        request(
          [
            span(wire, {
              parentSpanId: wire.id(PARENT_ID),
              traceState: 'k=v',
              flags: 257,
              name: 'agent.run',
              kind: 3,
              attributes: [kv('a', str('b'))],
              droppedAttributesCount: 1,
              events: [
                {
                  timeUnixNano: '1700000000500000000',
                  name: 'exception',
                  attributes: [kv('e', int(1))],
                  droppedAttributesCount: 2,
                },
              ],
              droppedEventsCount: 3,
              links: [
                {
                  traceId: wire.id(linkedTrace),
                  spanId: wire.id(linkedSpan),
                  traceState: 'l=1',
                  attributes: [kv('l', { boolValue: true })],
                  droppedAttributesCount: 4,
                  flags: 1,
                },
              ],
              droppedLinksCount: 5,
              status: { code: 2, message: 'failed' },
            }),
            span(wire, { spanId: wire.id(PARENT_ID), name: 'root' }),
          ],
          {
            attributes: [kv('service.name', str('svc'))],
            droppedAttributesCount: 6,
          },
          { name: 'scope', version: '1.0', attributes: [kv('s', str('t'))] },
        ),
      ),
    );
    const [first, second] = conversion.spans;

    it('keeps ids as lowercase hex and timestamps as exact bigints', () => {
      expect(first!.traceId).toBe(TRACE_ID);
      expect(first!.spanId).toBe(SPAN_ID);
      expect(first!.parentSpanId).toBe(PARENT_ID);
      expect(first!.startTimeUnixNano).toBe(1_700_000_000_000_000_000n);
      expect(first!.endTimeUnixNano).toBe(1_700_000_001_000_000_000n);
    });

    it('keeps names, kind, status, flags, trace state and dropped counts', () => {
      expect(first).toMatchObject({
        traceState: 'k=v',
        flags: 257,
        name: 'agent.run',
        kind: 3,
        statusCode: 2,
        statusMessage: 'failed',
        droppedAttributesCount: 1,
        droppedEventsCount: 3,
        droppedLinksCount: 5,
      });
      expect(first!.attributes).toEqual({ a: 'b' });
    });

    it('keeps events and links with their own attributes and counts', () => {
      expect(first!.events).toEqual([
        {
          timeUnixNano: 1_700_000_000_500_000_000n,
          name: 'exception',
          attributes: { e: 1n },
          droppedAttributesCount: 2,
        },
      ]);
      expect(first!.links).toEqual([
        {
          traceId: linkedTrace,
          spanId: linkedSpan,
          traceState: 'l=1',
          attributes: { l: true },
          droppedAttributesCount: 4,
          flags: 1,
        },
      ]);
    });

    it('shares one resource and one scope object between the spans of a scope', () => {
      expect(first!.resource).toEqual({
        attributes: { 'service.name': 'svc' },
        droppedAttributesCount: 6,
        schemaUrl: '',
      });
      expect(first!.scope).toEqual({
        name: 'scope',
        version: '1.0',
        attributes: { s: 't' },
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
      expect(second!.resource).toBe(first!.resource);
      expect(second!.scope).toBe(first!.scope);
      expect(second!.name).toBe('root');
    });

    it('reports nothing rejected and no limit hit', () => {
      expect(conversion.rejected).toBe(0);
      expect(conversion.firstRejection).toBe('');
      expect(conversion.stats).toEqual(NO_STATS);
    });
  });

  describe('fills absent optional fields with their defaults', () => {
    it('converts a span with nothing but its ids', () => {
      const conversion = new TraceConverter(wire.encoding, LIMITS).convert(
        wire.decode({
          resourceSpans: [
            { scopeSpans: [{ spans: [{ traceId: wire.id(TRACE_ID), spanId: wire.id(SPAN_ID) }] }] },
          ],
        }),
      );
      expect(conversion.rejected).toBe(0);
      expect(conversion.spans).toEqual([
        {
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          parentSpanId: '',
          traceState: '',
          flags: 0,
          name: '',
          kind: 0,
          startTimeUnixNano: 0n,
          endTimeUnixNano: 0n,
          attributes: {},
          droppedAttributesCount: 0,
          events: [],
          droppedEventsCount: 0,
          links: [],
          droppedLinksCount: 0,
          statusCode: 0,
          statusMessage: '',
          resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
          scope: {
            name: '',
            version: '',
            attributes: {},
            droppedAttributesCount: 0,
            schemaUrl: '',
          },
        },
      ]);
    });

    it('treats an empty parent id as a root span', () => {
      expect(only(wire, { parentSpanId: wire.id('') }).parentSpanId).toBe('');
    });

    it('converts an empty request, resource and scope to no spans', () => {
      const converter = new TraceConverter(wire.encoding, LIMITS);
      expect(converter.convert(wire.decode({})).spans).toEqual([]);
      expect(converter.convert(wire.decode({ resourceSpans: [{}] })).spans).toEqual([]);
      expect(
        converter.convert(wire.decode({ resourceSpans: [{ scopeSpans: [{}] }] })).spans,
      ).toEqual([]);
    });
  });

  describe('converts every AnyValue type without loss', () => {
    let attributes: Attributes;
    beforeAll(() => {
      attributes = only(
        wire,
        {
          attributes: [
            kv('string', str('text')),
            kv('empty.string', str('')),
            kv('true', { boolValue: true }),
            kv('false', { boolValue: false }),
            kv('int.min', int(INT64_MIN)),
            kv('int.max', int(INT64_MAX)),
            kv('int.zero', int('0')),
            kv('double', { doubleValue: 1.5 }),
            kv('double.nan', { doubleValue: 'NaN' }),
            kv('double.inf', { doubleValue: 'Infinity' }),
            kv('double.neginf', { doubleValue: '-Infinity' }),
            kv('bytes', { bytesValue: wire.bytes(new Uint8Array([0, 1, 255])) }),
            kv('array', array(str('a'), int(INT64_MIN), array({ boolValue: true }))),
            kv('kvlist', kvlist(kv('k', int(INT64_MAX)), kv('inner', kvlist(kv('x', str('y')))))),
            kv('empty.array', array()),
            kv('empty.kvlist', kvlist()),
            kv('unset', {}),
            kv('absent', undefined),
          ],
        },
        { ...LIMITS, max_attributes_per_span: 32 },
      ).attributes;
    });

    it('keeps strings and booleans', () => {
      expect(attributes.string).toBe('text');
      expect(attributes['empty.string']).toBe('');
      expect(attributes.true).toBe(true);
      expect(attributes.false).toBe(false);
    });

    it('keeps int64 extremes exact as bigint', () => {
      expect(attributes['int.min']).toBe(-(2n ** 63n));
      expect(attributes['int.max']).toBe(2n ** 63n - 1n);
      expect(attributes['int.zero']).toBe(0n);
    });

    it('keeps doubles including NaN and the infinities', () => {
      expect(attributes.double).toBe(1.5);
      expect(attributes['double.nan']).toBeNaN();
      expect(attributes['double.inf']).toBe(Infinity);
      expect(attributes['double.neginf']).toBe(-Infinity);
    });

    it('keeps bytes as a Uint8Array', () => {
      expect(attributes.bytes).toBeInstanceOf(Uint8Array);
      expect([...(attributes.bytes as Uint8Array)]).toEqual([0, 1, 255]);
    });

    it('keeps nested arrays and kvlists', () => {
      expect(attributes.array).toEqual(['a', -(2n ** 63n), [true]]);
      const list = attributes.kvlist as KeyValueList;
      expect(list).toBeInstanceOf(KeyValueList);
      expect(list.entries.k).toBe(2n ** 63n - 1n);
      expect(list.entries.inner).toBeInstanceOf(KeyValueList);
      expect((list.entries.inner as KeyValueList).entries).toEqual({ x: 'y' });
      expect(attributes['empty.array']).toEqual([]);
      expect((attributes['empty.kvlist'] as KeyValueList).entries).toEqual({});
    });

    it('turns an unset or absent value into an empty string', () => {
      expect(attributes.unset).toBe('');
      expect(attributes.absent).toBe('');
    });
  });

  describe('keeps the last of duplicate keys', () => {
    it('in span attributes', () => {
      const attributes = only(wire, {
        attributes: [kv('k', str('first')), kv('other', str('o')), kv('k', str('last'))],
      }).attributes;
      expect(attributes).toEqual({ k: 'last', other: 'o' });
    });

    it('in kvlist values', () => {
      const value = only(wire, {
        attributes: [kv('map', kvlist(kv('k', int(1)), kv('k', int(2))))],
      }).attributes.map as KeyValueList;
      expect(value.entries).toEqual({ k: 2n });
    });
  });

  describe('limits attributes per span, event, link, resource and scope', () => {
    const six = Array.from({ length: 6 }, (_, i) => kv(`a${i}`, int(i)));
    const firstFour = { a0: 0n, a1: 1n, a2: 2n, a3: 3n };

    it('keeps the first attributes of a span and adds the rest to its dropped count', () => {
      const conversion = convert(wire, [
        span(wire, { attributes: six, droppedAttributesCount: 1 }),
      ]);
      const [converted] = conversion.spans;
      expect(converted!.attributes).toEqual(firstFour);
      expect(converted!.droppedAttributesCount).toBe(1 + 2);
      expect(conversion.stats).toEqual({ ...NO_STATS, droppedAttributes: 2 });
    });

    it('limits event and link attributes the same way', () => {
      const conversion = convert(wire, [
        span(wire, {
          events: [{ name: 'e', attributes: six }],
          links: [{ traceId: wire.id(TRACE_ID), spanId: wire.id(SPAN_ID), attributes: six }],
        }),
      ]);
      const [converted] = conversion.spans;
      expect(converted!.events[0]!.attributes).toEqual(firstFour);
      expect(converted!.events[0]!.droppedAttributesCount).toBe(2);
      expect(converted!.links[0]!.attributes).toEqual(firstFour);
      expect(converted!.links[0]!.droppedAttributesCount).toBe(2);
      expect(conversion.stats.droppedAttributes).toBe(4);
    });

    it('limits resource and scope attributes and counts what they drop', () => {
      const conversion = new TraceConverter(wire.encoding, LIMITS).convert(
        wire.decode(request([span(wire)], { attributes: six }, { attributes: six })),
      );
      const [converted] = conversion.spans;
      expect(converted!.resource.attributes).toEqual(firstFour);
      expect(converted!.scope.attributes).toEqual(firstFour);
      expect(conversion.stats.droppedAttributes).toBe(4);
    });
  });

  describe('truncates values longer than max_attribute_value_length and counts them', () => {
    const long = 'x'.repeat(40);
    const cut = 'x'.repeat(LIMITS.max_attribute_value_length);

    it('truncates string and bytes attribute values, keys included', () => {
      const conversion = convert(wire, [
        span(wire, {
          attributes: [
            kv('string', str(long)),
            kv('bytes', { bytesValue: wire.bytes(new Uint8Array(40).fill(9)) }),
            kv('exact', str(cut)),
            kv(`key-${long}`, str('v')),
          ],
        }),
      ]);
      const { attributes } = conversion.spans[0]!;
      expect(attributes.string).toBe(cut);
      expect([...(attributes.bytes as Uint8Array)]).toEqual(new Array(16).fill(9));
      expect(attributes.exact).toBe(cut);
      expect(attributes[`key-${long}`.slice(0, 16)]).toBe('v');
      expect(conversion.stats).toEqual({ ...NO_STATS, truncatedValues: 3 });
    });

    it('truncates strings nested in arrays and kvlists', () => {
      const conversion = convert(wire, [
        span(wire, { attributes: [kv('a', array(str(long), kvlist(kv('k', str(long)))))] }),
      ]);
      const value = conversion.spans[0]!.attributes.a as AttributeValue[];
      expect(value[0]).toBe(cut);
      expect((value[1] as KeyValueList).entries.k).toBe(cut);
      expect(conversion.stats.truncatedValues).toBe(2);
    });

    it('truncates the name, trace state, status message, and event and link text', () => {
      const conversion = convert(wire, [
        span(wire, {
          name: long,
          traceState: long,
          status: { code: 1, message: long },
          events: [{ name: long }],
          links: [{ traceId: wire.id(TRACE_ID), spanId: wire.id(SPAN_ID), traceState: long }],
        }),
      ]);
      const [converted] = conversion.spans;
      expect(converted!.name).toBe(cut);
      expect(converted!.traceState).toBe(cut);
      expect(converted!.statusMessage).toBe(cut);
      expect(converted!.events[0]!.name).toBe(cut);
      expect(converted!.links[0]!.traceState).toBe(cut);
      expect(conversion.stats.truncatedValues).toBe(5);
    });

    it('does not split a surrogate pair at the cut', () => {
      // 15 ASCII characters, then an emoji whose two UTF-16 units straddle the limit of 16.
      const value = `${'a'.repeat(15)}😀tail`;
      const converted = only(wire, { attributes: [kv('emoji', str(value))] });
      expect(converted.attributes.emoji).toBe('a'.repeat(15));
    });
  });

  describe('limits events and links per span', () => {
    it('keeps the first events and adds the rest to the dropped count', () => {
      const events = ['e0', 'e1', 'e2', 'e3'].map((name) => ({ name }));
      const conversion = convert(wire, [span(wire, { events, droppedEventsCount: 1 })]);
      const [converted] = conversion.spans;
      expect(converted!.events.map((event) => event.name)).toEqual(['e0', 'e1']);
      expect(converted!.droppedEventsCount).toBe(1 + 2);
      expect(conversion.stats).toEqual({ ...NO_STATS, droppedEvents: 2 });
    });

    it('keeps the first links and adds the rest to the dropped count', () => {
      const ids = ['01', '02', '03'];
      const links = ids.map((byte) => ({
        traceId: wire.id(byte.repeat(16)),
        spanId: wire.id(byte.repeat(8)),
      }));
      const conversion = convert(wire, [span(wire, { links })]);
      const [converted] = conversion.spans;
      expect(converted!.links.map((link) => link.spanId)).toEqual(['01'.repeat(8), '02'.repeat(8)]);
      expect(converted!.droppedLinksCount).toBe(1);
      expect(conversion.stats).toEqual({ ...NO_STATS, droppedLinks: 1 });
    });

    it('drops every event when the limit is zero', () => {
      const converted = only(
        wire,
        { events: [{ name: 'e' }] },
        { ...LIMITS, max_events_per_span: 0 },
      );
      expect(converted.events).toEqual([]);
      expect(converted.droppedEventsCount).toBe(1);
    });
  });

  describe('replaces values nested deeper than max_value_depth by a marker', () => {
    it('replaces an array or kvlist at the maximum depth and counts it', () => {
      const conversion = convert(wire, [
        span(wire, {
          attributes: [
            kv('arrays', array(array(array(array(int(1)))), str('ok'))),
            kv(
              'kvlists',
              kvlist(kv('a', kvlist(kv('b', kvlist(kv('c', kvlist(kv('d', str('deep'))))))))),
            ),
            kv('allowed', array(array(array(int(1))))),
          ],
        }),
      ]);
      const { attributes } = conversion.spans[0]!;
      expect(attributes.arrays).toEqual([[[DEPTH_LIMIT_MARKER]], 'ok']);
      const a = (attributes.kvlists as KeyValueList).entries.a as KeyValueList;
      const b = a.entries.b as KeyValueList;
      expect({ ...b.entries }).toEqual({ c: DEPTH_LIMIT_MARKER });
      expect(attributes.allowed).toEqual([[[1n]]]);
      expect(conversion.stats).toEqual({ ...NO_STATS, depthLimited: 2 });
    });

    it('keeps a flat array under a depth limit of 1, and replaces one nested in it', () => {
      const converted = only(
        wire,
        { attributes: [kv('flat', array(int(1), str('s'))), kv('nested', array(array(int(1))))] },
        { ...LIMITS, max_value_depth: 1 },
      );
      expect(converted.attributes.flat).toEqual([1n, 's']);
      expect(converted.attributes.nested).toEqual([DEPTH_LIMIT_MARKER]);
    });
  });

  describe('cuts arrays and kvlists to max_array_elements', () => {
    it('keeps the first elements and entries and counts each cut value once', () => {
      const conversion = convert(wire, [
        span(wire, {
          attributes: [
            kv('long', array(int(1), int(2), int(3), int(4), int(5))),
            kv('wide', kvlist(kv('a', int(1)), kv('b', int(2)), kv('c', int(3)), kv('d', int(4)))),
            kv('fits', array(int(1), int(2), int(3))),
          ],
        }),
      ]);
      const { attributes } = conversion.spans[0]!;
      expect(attributes.long).toEqual([1n, 2n, 3n]);
      expect(Object.keys((attributes.wide as KeyValueList).entries)).toEqual(['a', 'b', 'c']);
      expect(attributes.fits).toEqual([1n, 2n, 3n]);
      expect(conversion.stats).toEqual({ ...NO_STATS, truncatedArrays: 2 });
    });
  });

  describe('rejects spans with invalid ids and counts them for partial success', () => {
    const valid = (): Json => span(wire, { name: 'valid' });
    const link = (fields: Json): Json => ({
      links: [{ traceId: wire.id(TRACE_ID), spanId: wire.id(SPAN_ID), ...fields }],
    });
    const cases: [string, Json, string][] = [
      ['a short trace id', { traceId: wire.id('ab'.repeat(15)) }, 'trace_id must be 16 bytes'],
      ['a missing trace id', { traceId: undefined }, 'trace_id must not be empty or all zeros'],
      [
        'an all-zero trace id',
        { traceId: wire.id('00'.repeat(16)) },
        'trace_id must not be empty or all zeros',
      ],
      ['a long span id', { spanId: wire.id('ab'.repeat(9)) }, 'span_id must be 8 bytes'],
      ['a missing span id', { spanId: undefined }, 'span_id must not be empty or all zeros'],
      [
        'an all-zero span id',
        { spanId: wire.id('00'.repeat(8)) },
        'span_id must not be empty or all zeros',
      ],
      [
        'a short parent span id',
        { parentSpanId: wire.id('ab'.repeat(7)) },
        'parent_span_id must be empty or 8 bytes',
      ],
      [
        'a link with a short trace id',
        link({ traceId: wire.id('ab'.repeat(8)) }),
        'link trace_id must be 16 bytes',
      ],
      [
        'a link without a span id',
        link({ spanId: undefined }),
        'link span_id must not be empty or all zeros',
      ],
    ];

    it.each(cases)('rejects a span with %s', (_name, fields, reason) => {
      const conversion = convert(wire, [valid(), span(wire, { name: 'bad', ...fields }), valid()]);
      expect(conversion.rejected).toBe(1);
      expect(conversion.firstRejection).toBe(reason);
      expect(conversion.spans.map((s) => s.name)).toEqual(['valid', 'valid']);
    });

    it('counts every rejected span and reports the first reason', () => {
      const conversion = convert(wire, [
        span(wire, { spanId: undefined }),
        valid(),
        span(wire, { traceId: wire.id('ab'.repeat(15)) }),
        span(wire, { parentSpanId: wire.id('ab') }),
      ]);
      expect(conversion.rejected).toBe(3);
      expect(conversion.firstRejection).toBe('span_id must not be empty or all zeros');
      expect(conversion.spans).toHaveLength(1);
    });
  });

  describe('reads enums given as numbers', () => {
    it('maps every span kind and status code, and out-of-range numbers to zero', () => {
      const kinds = [0, 1, 2, 3, 4, 5, 9].map((kind) =>
        only(wire, { kind, status: { code: kind } }),
      );
      expect(kinds.map((s) => s.kind)).toEqual([0, 1, 2, 3, 4, 5, 0]);
      expect(kinds.map((s) => s.statusCode)).toEqual([0, 1, 2, 0, 0, 0, 0]);
    });
  });

  describe('reads 64-bit timestamps exactly', () => {
    it('keeps the largest unsigned 64-bit timestamp', () => {
      const converted = only(wire, { startTimeUnixNano: '0', endTimeUnixNano: UINT64_MAX });
      expect(converted.startTimeUnixNano).toBe(0n);
      expect(converted.endTimeUnixNano).toBe(2n ** 64n - 1n);
    });
  });
});

// =============================================================================================

describe('TraceConverter with the json encoding reads the OTLP/JSON quirks', () => {
  const converter = new TraceConverter(jsonEncoding, LIMITS);
  const jsonSpan = (fields: Json): Json => span(jsonWire, fields);
  const convertJson = (spans: Json[]): Conversion =>
    converter.convert(jsonWire.decode(request(spans)));
  const onlyJson = (fields: Json): Span => only(jsonWire, fields);

  it('reads enums given by name, and unknown names as zero', () => {
    const names = [
      ['SPAN_KIND_UNSPECIFIED', 'STATUS_CODE_UNSET'],
      ['SPAN_KIND_INTERNAL', 'STATUS_CODE_OK'],
      ['SPAN_KIND_SERVER', 'STATUS_CODE_ERROR'],
      ['SPAN_KIND_CLIENT', 'STATUS_CODE_ERROR'],
      ['SPAN_KIND_PRODUCER', 'STATUS_CODE_OK'],
      ['SPAN_KIND_CONSUMER', 'STATUS_CODE_UNSET'],
      ['SPAN_KIND_BOGUS', 'server'],
    ];
    const spans = names.map(([kind, code]) => onlyJson({ kind, status: { code } }));
    expect(spans.map((s) => s.kind)).toEqual([0, 1, 2, 3, 4, 5, 0]);
    expect(spans.map((s) => s.statusCode)).toEqual([0, 1, 2, 2, 1, 0, 0]);
  });

  it('reads uppercase and mixed-case hex ids as lowercase', () => {
    const converted = onlyJson({
      traceId: TRACE_ID.toUpperCase(),
      spanId: 'AbCdEf0123456789',
      parentSpanId: PARENT_ID.toUpperCase(),
      links: [{ traceId: 'FF'.repeat(16), spanId: 'EE'.repeat(8) }],
    });
    expect(converted.traceId).toBe(TRACE_ID);
    expect(converted.spanId).toBe('abcdef0123456789');
    expect(converted.parentSpanId).toBe(PARENT_ID);
    expect(converted.links[0]).toMatchObject({ traceId: 'ff'.repeat(16), spanId: 'ee'.repeat(8) });
  });

  it('rejects ids that are not hex', () => {
    const conversion = convertJson([jsonSpan({ spanId: '0123456789abcdeg' })]);
    expect(conversion.rejected).toBe(1);
    expect(conversion.firstRejection).toBe('span_id must be 8 bytes');
  });

  it('reads 64-bit integers given as strings and as numbers', () => {
    const converted = onlyJson({
      startTimeUnixNano: 1_700_000_000_000_000_000,
      endTimeUnixNano: '1700000000000000001',
      events: [{ timeUnixNano: 5 }],
      attributes: [kv('n', int(-42)), kv('s', int('-42')), kv('max', int(INT64_MAX))],
    });
    expect(converted.startTimeUnixNano).toBe(1_700_000_000_000_000_000n);
    expect(converted.endTimeUnixNano).toBe(1_700_000_000_000_000_001n);
    expect(converted.events[0]!.timeUnixNano).toBe(5n);
    expect(converted.attributes).toEqual({ n: -42n, s: -42n, max: 2n ** 63n - 1n });
  });

  const badTimes: [string, unknown][] = [
    ['a word', 'soon'],
    ['a negative number', '-1'],
    ['a fraction', 1.5],
    ['a decimal string with a fraction', '1.5'],
    ['a value over 2^64-1', '18446744073709551616'],
    ['a boolean', true],
  ];

  it.each(badTimes)('rejects a span whose start time is %s', (_name, startTimeUnixNano) => {
    const conversion = convertJson([jsonSpan({ startTimeUnixNano })]);
    expect(conversion.rejected).toBe(1);
    expect(conversion.firstRejection).toBe(
      'start_time_unix_nano and end_time_unix_nano must be unsigned 64-bit integers',
    );
  });

  it('rejects a span whose end time is not an unsigned 64-bit integer', () => {
    const conversion = convertJson([jsonSpan({ endTimeUnixNano: '-5' })]);
    expect(conversion.rejected).toBe(1);
  });

  it('rejects a span with an event whose time is not an unsigned 64-bit integer', () => {
    const conversion = convertJson([jsonSpan({ events: [{ timeUnixNano: 'later' }] })]);
    expect(conversion.rejected).toBe(1);
    expect(conversion.firstRejection).toBe(
      'event time_unix_nano must be an unsigned 64-bit integer',
    );
  });

  it('reads doubles given as numbers, numeric strings and the non-finite names', () => {
    const converted = onlyJson({
      attributes: [
        kv('n', { doubleValue: 2.5 }),
        kv('s', { doubleValue: '-0.25' }),
        kv('nan', { doubleValue: 'NaN' }),
        kv('inf', { doubleValue: 'Infinity' }),
      ],
    });
    expect(converted.attributes).toEqual({ n: 2.5, s: -0.25, nan: NaN, inf: Infinity });
  });

  it('reads bytes in the standard and URL-safe base64 alphabets', () => {
    const converted = onlyJson({
      attributes: [kv('std', { bytesValue: '+/8=' }), kv('url', { bytesValue: '-_8' })],
    });
    expect([...(converted.attributes.std as Uint8Array)]).toEqual([0xfb, 0xff]);
    expect([...(converted.attributes.url as Uint8Array)]).toEqual([0xfb, 0xff]);
  });

  it('ignores unknown fields at every level', () => {
    const extra = { unknownField: 1, another: { nested: ['x'] } };
    const conversion = converter.convert({
      ...extra,
      resourceSpans: [
        {
          ...extra,
          resource: {
            ...extra,
            attributes: [{ ...extra, key: 'r', value: { ...extra, stringValue: 'v' } }],
          },
          scopeSpans: [
            {
              ...extra,
              scope: { ...extra, name: 's' },
              spans: [
                {
                  ...jsonSpan({}),
                  ...extra,
                  status: { ...extra, code: 2 },
                  events: [{ ...extra, name: 'e' }],
                  links: [{ ...extra, traceId: TRACE_ID, spanId: SPAN_ID }],
                  attributes: [
                    {
                      ...extra,
                      key: 'k',
                      value: { ...extra, arrayValue: { ...extra, values: [] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(conversion.rejected).toBe(0);
    const [converted] = conversion.spans;
    expect(converted!.resource.attributes).toEqual({ r: 'v' });
    expect(converted!.scope.name).toBe('s');
    expect(converted!.statusCode).toBe(2);
    expect(converted!.events[0]!.name).toBe('e');
    expect(converted!.links).toHaveLength(1);
    expect(converted!.attributes).toEqual({ k: [] });
  });

  // The protobuf JSON mapping accepts 32-bit integers as strings too, as the Collector does.
  it('reads 32-bit counts and flags given as strings', () => {
    const converted = onlyJson({
      flags: '257',
      droppedAttributesCount: '2',
      droppedEventsCount: '3',
      droppedLinksCount: '4',
    });
    expect(converted).toMatchObject({
      flags: 257,
      droppedAttributesCount: 2,
      droppedEventsCount: 3,
      droppedLinksCount: 4,
    });
  });
});

describe('TraceConverter with the protobuf encoding reads int64 values exactly', () => {
  it('keeps int64 extremes decoded as Long', () => {
    const converted = only(protobufWire, {
      attributes: [kv('min', int(INT64_MIN)), kv('max', int(INT64_MAX)), kv('neg', int(-1))],
    });
    expect(converted.attributes).toEqual({ min: -(2n ** 63n), max: 2n ** 63n - 1n, neg: -1n });
  });
});

describe('attribute keys are plain data', () => {
  // Keys are client data: "__proto__" must be an entry, not a change to an object's prototype.
  it.each(WIRES)('keeps a "__proto__" attribute as an entry ($name)', (wire) => {
    const converted = only(wire, {
      attributes: [kv('__proto__', str('x')), kv('list', kvlist(kv('__proto__', int(1))))],
    });
    expect(Object.hasOwn(converted.attributes, '__proto__')).toBe(true);
    expect(converted.attributes['__proto__']).toBe('x');
    const list = converted.attributes.list as KeyValueList;
    expect(Object.hasOwn(list.entries, '__proto__')).toBe(true);
  });

  it('keeps a "__proto__" attribute with a kvlist value out of the inherited keys', () => {
    const converted = only(jsonWire, {
      attributes: [kv('__proto__', kvlist(kv('k', str('v'))))],
    });
    const keys: string[] = [];
    for (const key in converted.attributes) keys.push(key);
    expect(keys).toEqual(['__proto__']);
  });
});

// =============================================================================================

describe('TraceConverter refuses structurally wrong requests as MalformedRequest', () => {
  const converter = new TraceConverter(jsonEncoding, LIMITS);
  const withSpan = (fields: Json): Json => request([span(jsonWire, fields)]);
  const cases: [string, unknown, string][] = [
    ['a request that is a list', [], 'the request must be an object'],
    ['a request that is a string', 'spans', 'the request must be an object'],
    ['resourceSpans that is an object', { resourceSpans: {} }, 'resourceSpans must be a list'],
    ['resourceSpans that is a string', { resourceSpans: 'x' }, 'resourceSpans must be a list'],
    [
      'a resourceSpans entry that is a number',
      { resourceSpans: [1] },
      'resourceSpans[] must be an object',
    ],
    [
      'a resource that is a list',
      { resourceSpans: [{ resource: [] }] },
      'resource must be an object',
    ],
    [
      'scopeSpans that is an object',
      { resourceSpans: [{ scopeSpans: {} }] },
      'scopeSpans must be a list',
    ],
    [
      'a scope that is a string',
      { resourceSpans: [{ scopeSpans: [{ scope: 's' }] }] },
      'scope must be an object',
    ],
    [
      'spans that is an object',
      { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] },
      'spans must be a list',
    ],
    [
      'a span that is a string',
      { resourceSpans: [{ scopeSpans: [{ spans: ['span'] }] }] },
      'spans[] must be an object',
    ],
    [
      'attributes that is an object',
      withSpan({ attributes: { a: 1 } }),
      'attributes must be a list',
    ],
    [
      'an attribute that is a string',
      withSpan({ attributes: ['a'] }),
      'attributes[] must be an object',
    ],
    [
      'a value that is a string',
      withSpan({ attributes: [{ key: 'a', value: 'b' }] }),
      'value must be an object',
    ],
    [
      'array values that is an object',
      withSpan({ attributes: [kv('a', { arrayValue: { values: {} } })] }),
      'arrayValue.values must be a list',
    ],
    [
      'a kvlist that is a list',
      withSpan({ attributes: [kv('a', { kvlistValue: [] })] }),
      'kvlistValue must be an object',
    ],
    ['events that is an object', withSpan({ events: {} }), 'events must be a list'],
    ['an event that is a number', withSpan({ events: [3] }), 'events[] must be an object'],
    ['links that is a string', withSpan({ links: 'l' }), 'links must be a list'],
    ['a status that is a number', withSpan({ status: 2 }), 'status must be an object'],
  ];

  it.each(cases)('refuses %s', (_name, malformed, message) => {
    expect(() => converter.convert(malformed)).toThrow(MalformedRequest);
    expect(() => converter.convert(malformed)).toThrow(message);
  });

  it('refuses the whole request even when earlier spans were valid', () => {
    const malformed = {
      resourceSpans: [
        { scopeSpans: [{ spans: [span(jsonWire)] }] },
        { scopeSpans: [{ spans: [span(jsonWire)] }], resource: 'r' },
      ],
    };
    expect(() => converter.convert(malformed)).toThrow('resource must be an object');
  });

  it('reads null, and null lists, as empty', () => {
    expect(converter.convert(null).spans).toEqual([]);
    expect(converter.convert({ resourceSpans: null }).spans).toEqual([]);
    expect(converter.convert({ resourceSpans: [{ scopeSpans: [{ spans: null }] }] }).spans).toEqual(
      [],
    );
  });
});

// =============================================================================================

describe('attributeToText writes the documented text forms', () => {
  const cases: [string, AttributeValue, string][] = [
    ['a string as it is', 'héllo "x"', 'héllo "x"'],
    ['an empty string', '', ''],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['an int', 42n, '42'],
    ['the smallest int64', -(2n ** 63n), '-9223372036854775808'],
    ['the largest int64', 2n ** 63n - 1n, '9223372036854775807'],
    ['a double', 1.5, '1.5'],
    ['a double in the shortest round-trip form', 0.1 + 0.2, '0.30000000000000004'],
    ['an integral double without a fraction', 3, '3'],
    ['a large double in exponent form', 1e21, '1e+21'],
    ['NaN', NaN, 'NaN'],
    ['+Infinity', Infinity, '+Inf'],
    ['-Infinity', -Infinity, '-Inf'],
    ['bytes in base64', new Uint8Array([0, 1, 2, 253, 254, 255]), 'AAEC/f7/'],
    ['empty bytes', new Uint8Array(), ''],
    ['an empty array', [], '[]'],
    ['an empty kvlist', new KeyValueList({}), '{}'],
    [
      'an array as JSON with exact int64',
      ['a', 2n ** 63n - 1n, -(2n ** 63n), true, 1.5],
      '["a",9223372036854775807,-9223372036854775808,true,1.5]',
    ],
    [
      'non-finite doubles inside an array as strings',
      [NaN, Infinity, -Infinity],
      '["NaN","+Inf","-Inf"]',
    ],
    ['bytes inside an array as base64 strings', [new Uint8Array([1, 2, 3])], '["AQID"]'],
    ['strings inside an array JSON-escaped', ['a"b', 'line\nbreak'], '["a\\"b","line\\nbreak"]'],
    [
      'a kvlist as a JSON object in insertion order',
      new KeyValueList({ z: 1n, a: 'x', 'k"q': false }),
      '{"z":1,"a":"x","k\\"q":false}',
    ],
    [
      'nested arrays and kvlists',
      [new KeyValueList({ list: [1n, [2n]], map: new KeyValueList({ b: new Uint8Array([255]) }) })],
      '[{"list":[1,[2]],"map":{"b":"/w=="}}]',
    ],
  ];

  it.each(cases)('writes %s', (_name, value, text) => {
    expect(attributeToText(value)).toBe(text);
  });

  it('writes every nested text form as valid JSON', () => {
    const value = new KeyValueList({ a: [1n, 'x', true, 2.5, NaN], b: new KeyValueList({}) });
    expect(JSON.parse(attributeToText(value))).toEqual({
      a: [1, 'x', true, 2.5, 'NaN'],
      b: {},
    });
  });

  it('matches the converter: what the receiver reads is written back the same', () => {
    const attributes: Attributes = only(jsonWire, {
      attributes: [kv('arr', array(int(INT64_MIN), { doubleValue: 'Infinity' }))],
    }).attributes;
    expect(attributeToText(attributes.arr!)).toBe('[-9223372036854775808,"+Inf"]');
  });
});
