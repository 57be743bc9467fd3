import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

/**
 * Real OpenTelemetry SDK exporters (gRPC, HTTP/protobuf, HTTP/JSON) send spans with every
 * attribute type the SDK can express, events, links, status and resource attributes; each
 * field is read back with SQL. Export success means "stored": no polling.
 */

const START: [number, number] = [1_700_000_000, 123_456_789];
const END: [number, number] = [1_700_000_002, 987_654_321];
const EVENT_TIME: [number, number] = [1_700_000_001, 5];

interface StoredSpan {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  StartNs: string;
  'Events.Name': string[];
  EventNs: string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.Attributes': Record<string, string>[];
}

/** Records one parent/child pair per transport, tagged so each transport's rows can be told apart. */
function recordSpans(transport: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `roundtrip-${transport}`,
      'deployment.environment': 'test',
      'host.cpu.count': 8,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('faultline-tests', '1.2.3');
  const linked = tracer.startSpan('linked', { startTime: START });
  linked.end(END);
  const parent = tracer.startSpan('agent.run', {
    kind: SpanKind.SERVER,
    startTime: START,
    attributes: {
      'attr.string': 'héllo, wörld',
      'attr.int': 9_007_199_254_740_991,
      'attr.negative': -42,
      'attr.double': 3.25,
      'attr.bool': true,
      'attr.strings': ['a', 'b"c'],
      'attr.ints': [1, 2, 3],
      'attr.doubles': [0.5, 1.5],
      'attr.bools': [true, false],
      transport,
    },
    links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'retry-of' } }],
  });
  parent.addEvent(
    'exception',
    { 'exception.type': 'ToolError', 'exception.message': 'boom' },
    EVENT_TIME,
  );
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'tool failed' });
  const child = tracer.startSpan(
    'tool.call',
    { kind: SpanKind.CLIENT, startTime: START },
    trace.setSpan(context.active(), parent),
  );
  child.end(END);
  parent.end(END);
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

const exporters: [string, (daemon: DaemonHandle) => SpanExporter][] = [
  ['grpc', (d) => new GrpcExporter({ url: `http://127.0.0.1:${d.grpcPort}` })],
  ['http-protobuf', (d) => new ProtoExporter({ url: `http://127.0.0.1:${d.httpPort}/v1/traces` })],
  ['http-json', (d) => new JsonExporter({ url: `http://127.0.0.1:${d.httpPort}/v1/traces` })],
];

describe.each(exporters)(
  'spans exported by the OpenTelemetry SDK over %s',
  (transport, makeExporter) => {
    let daemon: DaemonHandle;
    let sent: ReadableSpan[];
    let rows: StoredSpan[];

    beforeAll(async () => {
      daemon = await startDaemon();
      sent = recordSpans(transport);
      const exporter = makeExporter(daemon);
      const result = await exportWith(exporter, sent);
      await exporter.shutdown();
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(0);
      rows = await daemon.query<StoredSpan>(`
      SELECT *, toString(toUnixTimestamp64Nano(Timestamp)) AS StartNs,
             arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS EventNs
      FROM faultline.otel_traces WHERE ServiceName = 'roundtrip-${transport}' ORDER BY SpanName`);
    });

    afterAll(async () => {
      await daemon?.cleanup();
    });

    const stored = (name: string): StoredSpan => {
      const row = rows.find((r) => r.SpanName === name);
      if (!row)
        throw new Error(
          `span ${name} was not stored; rows: ${rows.map((r) => r.SpanName).join(', ')}`,
        );
      return row;
    };
    const source = (name: string): ReadableSpan => sent.find((s) => s.name === name)!;

    it('stores every acknowledged span exactly once', () => {
      expect(rows.map((r) => r.SpanName)).toEqual(['agent.run', 'linked', 'tool.call']);
    });

    it('keeps ids, parent links and trace state as lowercase hex', () => {
      const parent = stored('agent.run');
      const child = stored('tool.call');
      expect(parent.TraceId).toBe(source('agent.run').spanContext().traceId);
      expect(parent.SpanId).toBe(source('agent.run').spanContext().spanId);
      expect(parent.ParentSpanId).toBe('');
      expect(child.ParentSpanId).toBe(parent.SpanId);
      expect(child.TraceId).toBe(parent.TraceId);
    });

    it('keeps timestamps to the nanosecond and the duration in nanoseconds', () => {
      const parent = stored('agent.run');
      expect(parent.StartNs).toBe('1700000000123456789');
      expect(String(parent.Duration)).toBe(String(2_987_654_321 - 123_456_789));
    });

    it('stores kind, status, names, resource and scope as the Collector does', () => {
      const parent = stored('agent.run');
      expect(parent.SpanKind).toBe('Server');
      expect(stored('tool.call').SpanKind).toBe('Client');
      expect(stored('linked').SpanKind).toBe('Internal');
      expect(parent.StatusCode).toBe('Error');
      expect(parent.StatusMessage).toBe('tool failed');
      expect(stored('tool.call').StatusCode).toBe('Unset');
      expect(parent.ServiceName).toBe(`roundtrip-${transport}`);
      expect(parent.ResourceAttributes).toMatchObject({
        'service.name': `roundtrip-${transport}`,
        'deployment.environment': 'test',
        'host.cpu.count': '8',
      });
      expect(parent.ScopeName).toBe('faultline-tests');
      expect(parent.ScopeVersion).toBe('1.2.3');
    });

    it('stores attributes of every type in their documented text form', () => {
      expect(stored('agent.run').SpanAttributes).toEqual({
        'attr.string': 'héllo, wörld',
        'attr.int': '9007199254740991',
        'attr.negative': '-42',
        'attr.double': '3.25',
        'attr.bool': 'true',
        'attr.strings': '["a","b\\"c"]',
        'attr.ints': '[1,2,3]',
        'attr.doubles': '[0.5,1.5]',
        'attr.bools': '[true,false]',
        transport,
      });
    });

    it('stores events with their time and attributes', () => {
      const parent = stored('agent.run');
      expect(parent['Events.Name']).toEqual(['exception']);
      expect(parent.EventNs).toEqual(['1700000001000000005']);
      expect(parent['Events.Attributes']).toEqual([
        { 'exception.type': 'ToolError', 'exception.message': 'boom' },
      ]);
    });

    it('stores links with their ids and attributes', () => {
      const parent = stored('agent.run');
      const linked = stored('linked');
      expect(parent['Links.TraceId']).toEqual([linked.TraceId]);
      expect(parent['Links.SpanId']).toEqual([linked.SpanId]);
      expect(parent['Links.Attributes']).toEqual([{ 'link.reason': 'retry-of' }]);
    });
  },
);
