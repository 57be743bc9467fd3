import { describe, expect, it } from 'vitest';
import { KeyValueList } from '../../src/model/attributes.js';
import type { OtlpLimits } from '../../src/receivers/otlp/config.js';
import { LogConverter } from '../../src/receivers/otlp/convert-logs.js';
import { DEPTH_LIMIT_MARKER } from '../../src/receivers/otlp/convert.js';
import { ExportLogsServiceRequest } from '../../src/receivers/otlp/proto.js';
import { jsonEncoding } from '../../src/receivers/otlp/wire.js';
import { LogProtobufDecoder } from '../../src/receivers/otlp/protobuf-logs.js';

/**
 * LogConverter turns a decoded ExportLogsServiceRequest into model log records, under the same
 * limits as spans. Protobuf inputs are encoded and decoded by the receiver's own decoder.
 */

const LIMITS: OtlpLimits = {
  max_attributes_per_span: 2,
  max_attribute_value_length: 16,
  max_events_per_span: 2,
  max_links_per_span: 2,
  max_value_depth: 2,
  max_array_elements: 3,
};
const TRACE_ID = '0123456789abcdef0123456789abcdef';
const SPAN_ID = '0123456789abcdef';

const request = (logRecords: Record<string, unknown>[]) => ({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
      schemaUrl: 's/1.26.0',
      scopeLogs: [{ scope: { name: 'app', version: '2.0' }, logRecords }],
    },
  ],
});

describe('LogConverter', () => {
  it('reads OTLP/JSON: hex ids, enum names, 64-bit times as strings, structured bodies', () => {
    const converted = new LogConverter(jsonEncoding, LIMITS).convert(
      request([
        {
          timeUnixNano: '1700000000123456789',
          observedTimeUnixNano: '1700000000223456789',
          severityNumber: 'SEVERITY_NUMBER_WARN',
          severityText: 'WARN',
          traceId: TRACE_ID.toUpperCase(),
          spanId: SPAN_ID,
          flags: 1,
          eventName: 'gen_ai.choice',
          body: { kvlistValue: { values: [{ key: 'index', value: { intValue: '0' } }] } },
          attributes: [
            { key: 'a', value: { stringValue: 'x'.repeat(40) } },
            { key: 'b', value: { boolValue: true } },
            { key: 'c', value: { doubleValue: 1.5 } },
          ],
        },
      ]),
    );
    expect(converted.rejected).toBe(0);
    const [record] = converted.logs;
    expect(record).toMatchObject({
      timeUnixNano: 1700000000123456789n,
      observedTimeUnixNano: 1700000000223456789n,
      severityNumber: 13,
      severityText: 'WARN',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      flags: 1,
      eventName: 'gen_ai.choice',
      body: new KeyValueList({ index: 0n }),
      attributes: { a: 'x'.repeat(16), b: true },
      droppedAttributesCount: 1,
    });
    expect(record!.resource.schemaUrl).toBe('s/1.26.0');
    expect(record!.scope).toMatchObject({ name: 'app', version: '2.0' });
    expect(converted.stats).toMatchObject({ truncatedValues: 1, droppedAttributes: 1 });
  });

  it('reads protobuf as decoded by the receiver, ids as bytes', () => {
    const bytes = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject(
        request([
          {
            timeUnixNano: 5,
            severityNumber: 17,
            traceId: Buffer.from(TRACE_ID, 'hex'),
            spanId: Buffer.from(SPAN_ID, 'hex'),
            body: { stringValue: 'failed' },
          },
        ]),
      ),
    ).finish();
    const converted = new LogProtobufDecoder(LIMITS).decode(Buffer.from(bytes));
    expect(converted.logs).toHaveLength(1);
    expect(converted.logs[0]).toMatchObject({
      timeUnixNano: 5n,
      severityNumber: 17,
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      body: 'failed',
    });
  });

  it('keeps records without ids, rejects ids of the wrong length, bounds body depth', () => {
    const converted = new LogConverter(jsonEncoding, LIMITS).convert(
      request([
        { body: { stringValue: 'no ids' }, traceId: '0'.repeat(32) },
        { body: { stringValue: 'bad id' }, traceId: 'abcd' },
        {
          body: {
            arrayValue: {
              values: [{ arrayValue: { values: [{ arrayValue: { values: [] } }] } }],
            },
          },
        },
      ]),
    );
    expect(converted.rejected).toBe(1);
    expect(converted.firstRejection).toBe('trace_id must be empty or 16 bytes');
    expect(converted.logs.map((r) => [r.traceId, r.spanId])).toEqual([
      ['', ''],
      ['', ''],
    ]);
    expect(converted.logs[1]!.body).toEqual([[DEPTH_LIMIT_MARKER]]);
    expect(converted.stats.depthLimited).toBe(1);
  });
});
