import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, trace, type Context } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as HttpJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordExporter,
} from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportSpans,
  traceDocument,
  waitForAgentTraces,
  flattenSteps,
} from '../helpers/agent-traces.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { LOGS_SERVICE_PATH } from '../../src/receivers/otlp/proto.js';
import { grpcExport, metricSum } from '../helpers/otlp-client.js';

/**
 * OTLP logs end to end: the OTel JS logs SDK's three exporters (OTLP/HTTP JSON, OTLP/HTTP
 * protobuf, OTLP/gRPC) send to a spawned daemon, which redacts, joins GenAI events to their
 * spans and stores the records in `otel_logs` as the Collector's ClickHouse exporter would.
 */

const SERVICE = 'logs-test-agent';

interface LogRow {
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  TraceFlags: number;
  SeverityText: string;
  SeverityNumber: number;
  ServiceName: string;
  Body: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  LogAttributes: Record<string, string>;
  EventName: string;
}

/** Emits through a real LoggerProvider and waits until the exporter has sent every record. */
async function emitLogs(
  exporter: LogRecordExporter,
  emit: (provider: LoggerProvider) => void,
): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  emit(provider);
  await provider.forceFlush();
  await provider.shutdown();
}

describe('OTLP logs', () => {
  let daemon: DaemonHandle;
  const http = (path: string) => `http://127.0.0.1:${daemon.httpPort}${path}`;

  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml: '  redact: {}\n  assemble:\n    decision_wait: 1s\n  classify: {}\n',
      pipelineProcessors: ['redact', 'assemble', 'classify'],
      otlp: { http: { max_request_body_size: '64KiB' } },
    });
  }, 60_000);

  afterAll(async () => {
    await daemon?.cleanup();
  });

  const exporters: [string, () => LogRecordExporter, string][] = [
    ['OTLP/HTTP JSON', () => new HttpJsonLogExporter({ url: http('/v1/logs') }), 'http'],
    ['OTLP/HTTP protobuf', () => new ProtoLogExporter({ url: http('/v1/logs') }), 'http'],
    [
      'OTLP/gRPC',
      () => new GrpcLogExporter({ url: `http://127.0.0.1:${daemon.grpcPort}` }),
      'grpc',
    ],
  ];

  it.each(exporters)(
    'stores what the %s exporter sends in otel_logs with the Collector columns',
    async (name, exporter) => {
      const marker = `checkout finished via ${name}`;
      const tracer = new BasicTracerProvider().getTracer('checkout');
      const span = tracer.startSpan('checkout');
      await emitLogs(exporter(), (provider) => {
        provider.getLogger('checkout-logger', '1.2.3').emit({
          severityNumber: SeverityNumber.WARN,
          severityText: 'WARN',
          body: marker,
          attributes: { 'order.items': 3, 'payment.method': 'card' },
          context: trace.setSpan(context.active(), span),
        });
      });
      const rows = await daemon.queryUntil<LogRow>(
        `SELECT * FROM faultline.otel_logs WHERE Body = '${marker}'`,
        (found) => found.length > 0,
      );
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({
        TraceId: span.spanContext().traceId,
        SpanId: span.spanContext().spanId,
        SeverityText: 'WARN',
        SeverityNumber: SeverityNumber.WARN,
        ServiceName: SERVICE,
        ScopeName: 'checkout-logger',
        ScopeVersion: '1.2.3',
        LogAttributes: { 'order.items': '3', 'payment.method': 'card' },
      });
      expect(row.ResourceAttributes['service.name']).toBe(SERVICE);
      expect(new Date(`${row.Timestamp}Z`).getFullYear()).toBeGreaterThanOrEqual(2024);
    },
  );

  it('counts accepted log records by transport', async () => {
    expect(
      await metricSum(daemon.adminUrl, 'faultline_receiver_accepted_log_records_total', {
        transport: 'grpc',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricSum(daemon.adminUrl, 'faultline_receiver_accepted_log_records_total', {
        transport: 'http',
      }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('stores no PII from a log body or its attributes', async () => {
    await emitLogs(new ProtoLogExporter({ url: http('/v1/logs') }), (provider) => {
      provider.getLogger('support').emit({
        body: { message: 'ticket from alice@example.com', ticket: 'T-pii-1' },
        attributes: { 'customer.phone': 'call +1 415 555 0132', 'ticket.id': 'T-pii-1' },
      });
    });
    const rows = await daemon.queryUntil<LogRow>(
      `SELECT Body, LogAttributes FROM faultline.otel_logs WHERE LogAttributes['ticket.id'] = 'T-pii-1'`,
      (found) => found.length > 0,
    );
    const stored = JSON.stringify(rows);
    expect(rows).toHaveLength(1);
    expect(stored).not.toContain('alice@example.com');
    expect(stored).not.toContain('555 0132');
    expect(rows[0]!.Body).toContain('<EMAIL>');
    expect(JSON.parse(rows[0]!.Body)).toMatchObject({ ticket: 'T-pii-1' });
  });

  describe('GenAI events joined to their span', () => {
    /** A chat span without message content, and the event that carries it, in one trace. */
    async function chatWithDetailsEvent(
      question: string,
      answer: string,
      order: 'logs first' | 'spans first',
      finishReason = 'stop',
    ): Promise<string> {
      const recorded = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': SERVICE }),
        spanProcessors: [new SimpleSpanProcessor(recorded)],
      });
      const tracer = tracerProvider.getTracer('agent');
      const root = tracer.startSpan('answer_question');
      const rootContext: Context = trace.setSpan(context.active(), root);
      const chat = tracer.startSpan(
        'chat gpt-4o-mini',
        { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
        rootContext,
      );
      const sendLogs = () =>
        emitLogs(new ProtoLogExporter({ url: http('/v1/logs') }), (provider) => {
          provider.getLogger('agent').emit({
            eventName: 'gen_ai.client.inference.operation.details',
            context: trace.setSpan(context.active(), chat),
            attributes: {
              'gen_ai.input.messages': [
                { role: 'user', parts: [{ type: 'text', content: question }] },
              ],
              'gen_ai.output.messages': [
                {
                  role: 'assistant',
                  parts: [{ type: 'text', content: answer }],
                  finish_reason: finishReason,
                },
              ],
              'gen_ai.response.finish_reasons': [finishReason],
            },
          });
        });
      chat.end();
      root.end();
      const sendSpans = () =>
        exportSpans(
          new OTLPTraceExporter({ url: http('/v1/traces') }),
          recorded.getFinishedSpans(),
        );
      if (order === 'logs first') {
        await sendLogs();
        await sendSpans();
      } else {
        await sendSpans();
        await sendLogs();
      }
      return root.spanContext().traceId;
    }

    it('fills the step previews when the event arrives before the span', async () => {
      const traceId = await chatWithDetailsEvent(
        'Which gate for flight TP 1234?',
        'Gate 42, boarding at 9:10.',
        'logs first',
      );
      const [step] = await daemon.queryUntil<{
        InputPreview: string;
        OutputPreview: string;
        FinishReasons: string[];
      }>(
        `SELECT InputPreview, OutputPreview, FinishReasons FROM faultline.otel_traces
         WHERE TraceId = '${traceId}' AND StepType = 'llm_call'`,
        (rows) => rows.length > 0,
      );
      expect(step).toEqual({
        InputPreview: 'Which gate for flight TP 1234?',
        OutputPreview: 'Gate 42, boarding at 9:10.',
        FinishReasons: ['stop'],
      });
      await waitForAgentTraces(daemon, [traceId]);
      const llm = flattenSteps((await traceDocument(daemon, traceId)).steps).find(
        (s) => s.type === 'llm_call',
      );
      expect(llm?.output_preview).toBe('Gate 42, boarding at 9:10.');
    });

    it('updates the assembled step when the event arrives after the span', async () => {
      const traceId = await chatWithDetailsEvent(
        'What is the baggage allowance?',
        'One cabin bag of 8 kg.',
        'spans first',
      );
      await waitForAgentTraces(daemon, [traceId]);
      const llm = flattenSteps((await traceDocument(daemon, traceId)).steps).find(
        (s) => s.type === 'llm_call',
      );
      expect(llm?.output_preview).toBe('One cabin bag of 8 kg.');
    });

    it("classifies the step by an event's finish reason", async () => {
      const traceId = await chatWithDetailsEvent(
        'Write something violent.',
        '',
        'logs first',
        'content_filter',
      );
      const failures = await daemon.queryUntil<{ Class: string; StepType: string }>(
        `SELECT Class, StepType FROM faultline.failures FINAL WHERE TraceId = '${traceId}'`,
        (rows) => rows.some((row) => row.Class === 'content_filtered'),
      );
      expect(failures).toContainEqual({ Class: 'content_filtered', StepType: 'llm_call' });
    });

    it('redacts event content before it reaches the preview', async () => {
      const traceId = await chatWithDetailsEvent(
        'Mail the receipt to bob@example.org',
        'Sent to bob@example.org.',
        'logs first',
      );
      const rows = await daemon.queryUntil<{ InputPreview: string; OutputPreview: string }>(
        `SELECT InputPreview, OutputPreview FROM faultline.otel_traces
         WHERE TraceId = '${traceId}' AND StepType = 'llm_call'`,
        (found) => found.length > 0,
      );
      expect(rows[0]!.InputPreview).toBe('Mail the receipt to <EMAIL>');
      const stored = await daemon.query(
        `SELECT LogAttributes FROM faultline.otel_logs WHERE TraceId = '${traceId}'`,
      );
      expect(JSON.stringify(stored)).not.toContain('bob@example.org');
    });
  });

  describe('refusals', () => {
    const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
      fetch(http(path), { method: 'POST', body, headers });

    it('answers an undecodable body with 400', async () => {
      const proto = await post('/v1/logs', Buffer.from([0x0a, 0xff, 0xff, 0xff]), {
        'content-type': 'application/x-protobuf',
      });
      expect(proto.status).toBe(400);
      const json = await post('/v1/logs', '{"resourceLogs": ', {
        'content-type': 'application/json',
      });
      expect(json.status).toBe(400);
      expect(((await json.json()) as { message: string }).message).toMatch(/JSON/);
    });

    it('answers a body over the limit with 413, also after decompression', async () => {
      const big = JSON.stringify({ resourceLogs: [], padding: 'x'.repeat(100_000) });
      expect((await post('/v1/logs', big, { 'content-type': 'application/json' })).status).toBe(
        413,
      );
      const bomb = gzipSync(Buffer.from(big));
      const compressed = await post('/v1/logs', bomb, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
      expect(compressed.status).toBe(413);
    });

    it('answers an undecodable gRPC message with INVALID_ARGUMENT', async () => {
      const answer = await grpcExport(
        `127.0.0.1:${daemon.grpcPort}`,
        Buffer.from([0x0a, 0xff, 0xff, 0xff]),
        { path: LOGS_SERVICE_PATH },
      );
      expect(answer.error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(answer.error?.details).toMatch(/cannot decode the protobuf body/);
    });

    it('answers another content type with 415', async () => {
      expect((await post('/v1/logs', 'hello', { 'content-type': 'text/plain' })).status).toBe(415);
    });

    it('rejects a record with a bad span id in partial_success and keeps the rest', async () => {
      const body = JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: SERVICE } }] },
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: '1700000000000000000', body: { stringValue: 'kept-json-1' } },
                  { spanId: 'abc', body: { stringValue: 'rejected' } },
                ],
              },
            ],
          },
        ],
      });
      const response = await post('/v1/logs', body, { 'content-type': 'application/json' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        partialSuccess: {
          rejectedLogRecords: '1',
          errorMessage: '1 log record(s) rejected; first: span_id must be empty or 8 bytes',
        },
      });
      const rows = await daemon.queryUntil<LogRow>(
        `SELECT Body, toUnixTimestamp(Timestamp) AS Seconds FROM faultline.otel_logs WHERE Body = 'kept-json-1'`,
        (found) => found.length > 0,
      );
      expect(rows).toEqual([{ Body: 'kept-json-1', Seconds: 1_700_000_000 }]);
    });
  });

  describe('with bearer tokens', () => {
    let secured: DaemonHandle;
    const TOKEN = 'logs-test-token-0123456789abcdef';

    beforeAll(async () => {
      secured = await startDaemon({
        otlp: { auth: { tokens: [{ name: 'agents', token: TOKEN }] } },
      });
    }, 60_000);

    afterAll(async () => {
      await secured?.cleanup();
    });

    it('refuses logs without a token on both transports and accepts them with one', async () => {
      const url = `http://127.0.0.1:${secured.httpPort}/v1/logs`;
      const refused = await fetch(url, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(refused.status).toBe(401);
      const grpc = await grpcExport(`127.0.0.1:${secured.grpcPort}`, Buffer.alloc(0), {
        path: LOGS_SERVICE_PATH,
      });
      expect(grpc.error?.code).toBe(GrpcStatus.UNAUTHENTICATED);
      await emitLogs(
        new ProtoLogExporter({ url, headers: { authorization: `Bearer ${TOKEN}` } }),
        (provider) => provider.getLogger('auth').emit({ body: 'authorised-log-1' }),
      );
      const rows = await secured.queryUntil(
        `SELECT Body FROM faultline.otel_logs WHERE Body = 'authorised-log-1'`,
        (found) => found.length > 0,
      );
      expect(rows).toEqual([{ Body: 'authorised-log-1' }]);
    });
  });

  it('keeps acknowledged log records through kill -9 (they are in the durable queue)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-logs-kill-'));
    try {
      // Batches wait a minute before insertion, so only the write-ahead log holds the records.
      const slow = await startDaemon({
        dataDir,
        exporterYaml: '    batch:\n      timeout: 1m\n      max_rows: 100000',
      });
      const body = JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [1, 2, 3].map((n) => ({ body: { stringValue: `durable-log-${n}` } })),
              },
            ],
          },
        ],
      });
      const answer = await fetch(`http://127.0.0.1:${slow.httpPort}/v1/logs`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBe(200);
      await slow.kill();
      const again = await startDaemon({ dataDir });
      try {
        const rows = await again.queryUntil<{ Body: string }>(
          `SELECT Body FROM faultline.otel_logs WHERE startsWith(Body, 'durable-log-') ORDER BY Body`,
          (found) => found.length >= 3,
        );
        expect(rows.map((r) => r.Body)).toEqual([
          'durable-log-1',
          'durable-log-2',
          'durable-log-3',
        ]);
      } finally {
        await again.kill();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
