import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { prometheusExporterFactory } from '../../../src/exporters/prometheus/factory.js';
import type { PrometheusExporter } from '../../../src/exporters/prometheus/exporter.js';
import { spansBatch, type Span } from '../../../src/model/index.js';
import { exposeTo, openMetrics, text } from '../../../src/telemetry/exposition.js';
import { promtool } from '../../helpers/promtool.js';
import { sampleSpan, stepInfo } from '../../helpers/spans.js';
import { settingsFor } from '../../helpers/test-doubles.js';

function exporter(config: Record<string, unknown> = {}): {
  exporter: PrometheusExporter;
  registry: Registry;
} {
  const settings = settingsFor('prometheus', prometheusExporterFactory.configSchema.parse(config));
  return {
    exporter: prometheusExporterFactory.create(settings) as PrometheusExporter,
    registry: settings.metrics,
  };
}

const service = (name: string) => ({
  attributes: { 'service.name': name },
  droppedAttributesCount: 0,
  schemaUrl: '',
});

/** A 1.5 s chat call to gpt-4o-mini with 120 input and 30 output tokens, costing $0.002. */
function chatSpan(overrides: Partial<Span> = {}): Span {
  return sampleSpan({
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_001_500_000_000n,
    step: stepInfo({
      type: 'llm_call',
      operation: 'chat',
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      usage: { input: 120, output: 30, total: 150, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
      costUsd: 0.002,
    }),
    ...overrides,
  });
}

/** Sample lines of `text` whose name is `name`, as `labels value` (exemplars kept). */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

describe('prometheus exporter', () => {
  describe('span metrics', () => {
    it('counts calls and observes durations by service, span name, kind and status, with the connector spellings', async () => {
      const { exporter: e, registry } = exporter();
      await e.consume(
        spansBatch([
          sampleSpan({ name: 'checkout', kind: 2, resource: service('shop') }),
          sampleSpan({ name: 'checkout', kind: 2, resource: service('shop') }),
          sampleSpan({ name: 'checkout', kind: 2, statusCode: 2, resource: service('shop') }),
        ]),
      );
      const body = await text(registry);
      expect(samples(body, 'traces_span_metrics_calls_total').sort()).toEqual([
        '{service_name="shop",span_name="checkout",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_ERROR"} 1',
        '{service_name="shop",span_name="checkout",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"} 2',
      ]);
      const unset =
        'service_name="shop",span_name="checkout",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"';
      // sampleSpan lasts 250 ms: first bucket at or above it is 0.4 s.
      expect(samples(body, 'traces_span_metrics_duration_seconds_bucket')).toEqual(
        expect.arrayContaining([
          `{le="0.2",${unset}} 0`,
          `{le="0.4",${unset}} 2`,
          `{le="+Inf",${unset}} 2`,
        ]),
      );
      expect(samples(body, 'traces_span_metrics_duration_seconds_sum')).toContain(`{${unset}} 0.5`);
      expect(samples(body, 'traces_span_metrics_duration_seconds_bucket')).toHaveLength(2 * 17);
    });
  });

  describe('GenAI metrics', () => {
    it('record token usage, operation duration and cost of model calls only', async () => {
      const { exporter: e, registry } = exporter();
      await e.consume(
        spansBatch([
          chatSpan(),
          chatSpan({ statusCode: 2 }),
          // An agent span repeating its children's totals is not a model call.
          sampleSpan({
            step: stepInfo({
              type: 'agent',
              usage: {
                input: 999,
                output: 999,
                total: 1998,
                cacheRead: 0,
                cacheWrite: 0,
                reasoning: 0,
              },
              costUsd: 5,
            }),
          }),
        ]),
      );
      const body = await text(registry);
      const call =
        'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"';
      expect(samples(body, 'gen_ai_client_token_usage_sum').sort()).toEqual([
        `{${call},gen_ai_token_type="input"} 240`,
        `{${call},gen_ai_token_type="output"} 60`,
      ]);
      expect(samples(body, 'gen_ai_client_token_usage_bucket')).toContain(
        `{le="256",${call},gen_ai_token_type="input"} 2`,
      );
      expect(samples(body, 'gen_ai_client_operation_duration_seconds_count').sort()).toEqual([
        `{${call},error_type=""} 1`,
        `{${call},error_type="_OTHER"} 1`,
      ]);
      expect(samples(body, 'gen_ai_client_operation_duration_seconds_bucket')).toContain(
        `{le="1.28",${call},error_type=""} 0`,
      );
      expect(samples(body, 'gen_ai_client_operation_duration_seconds_bucket')).toContain(
        `{le="2.56",${call},error_type=""} 1`,
      );
      expect(samples(body, 'faultline_llm_cost_usd_total')).toEqual([
        '{gen_ai_request_model="gpt-4o-mini",gen_ai_provider_name="openai"} 0.004',
      ]);
    });

    it('names the failure class the classify processor found as error_type', async () => {
      const { exporter: e, registry } = exporter();
      const failed = chatSpan({ statusCode: 2 });
      failed.failures = [{ failureClass: 'rate_limited' } as NonNullable<Span['failures']>[number]];
      await e.consume(spansBatch([failed]));
      expect(
        samples(await text(registry), 'gen_ai_client_operation_duration_seconds_count'),
      ).toEqual([
        '{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",error_type="rate_limited"} 1',
      ]);
    });
  });

  describe('bounded cardinality', () => {
    it('collapses span names beyond the limit into __other__ and counts the overflow', async () => {
      const { exporter: e, registry } = exporter({ max_label_values: 20 });
      const spans = Array.from({ length: 500 }, (_, i) =>
        sampleSpan({ name: `GET /orders/${i.toString(16).padStart(8, '0')}` }),
      );
      await e.consume(spansBatch(spans));
      const calls = samples(await text(registry), 'traces_span_metrics_calls_total');
      expect(calls).toHaveLength(21);
      expect(calls).toContain(
        '{service_name="sample-service",span_name="__other__",span_kind="SPAN_KIND_INTERNAL",status_code="STATUS_CODE_UNSET"} 480',
      );
      expect(samples(await text(registry), 'faultline_metric_label_overflow_total')).toEqual([
        '{metric="traces_span_metrics_calls_total",label="span_name"} 480',
      ]);
    });

    it('caps the series of a metric: label sets beyond it share the all-__other__ series', async () => {
      const { exporter: e, registry } = exporter({ max_label_values: 100, max_series: 10 });
      // 4 services × 4 names: each label within its limit, 16 label sets against a cap of 10.
      const spans = [0, 1, 2, 3].flatMap((s) =>
        [0, 1, 2, 3].map((n) => sampleSpan({ name: `op-${n}`, resource: service(`svc-${s}`) })),
      );
      await e.consume(spansBatch(spans));
      const body = await text(registry);
      const calls = samples(body, 'traces_span_metrics_calls_total');
      expect(calls).toHaveLength(11);
      expect(calls).toContain(
        '{service_name="__other__",span_name="__other__",span_kind="SPAN_KIND_INTERNAL",status_code="STATUS_CODE_UNSET"} 6',
      );
      expect(samples(body, 'faultline_metric_series_overflow_total')).toEqual([
        '{metric="traces_span_metrics_calls_total"} 6',
      ]);
      // Label sets that got a series before the cap keep it.
      await e.consume(spansBatch([sampleSpan({ name: 'op-0', resource: service('svc-0') })]));
      expect(samples(await text(registry), 'traces_span_metrics_calls_total')).toContain(
        '{service_name="svc-0",span_name="op-0",span_kind="SPAN_KIND_INTERNAL",status_code="STATUS_CODE_UNSET"} 2',
      );
    });

    it('applies a per-metric override instead of the default limit', async () => {
      const { exporter: e, registry } = exporter({
        max_label_values: 1000,
        metric_overrides: { faultline_llm_cost_usd_total: { max_label_values: 1 } },
      });
      await e.consume(
        spansBatch(
          ['a', 'b', 'c'].map((model) =>
            chatSpan({
              step: stepInfo({ type: 'llm_call', requestModel: model, provider: 'p', costUsd: 1 }),
            }),
          ),
        ),
      );
      const body = await text(registry);
      expect(samples(body, 'faultline_llm_cost_usd_total').sort()).toEqual([
        '{gen_ai_request_model="__other__",gen_ai_provider_name="p"} 2',
        '{gen_ai_request_model="a",gen_ai_provider_name="p"} 1',
      ]);
      // The same models stay distinct where the default limit applies.
      expect(samples(body, 'gen_ai_client_operation_duration_seconds_count')).toHaveLength(3);
    });
  });

  describe('exposition', () => {
    /** What /metrics writes for `accept`, through a response that records it. */
    async function served(registry: Registry, accept: string | undefined) {
      const chunks: string[] = [];
      let contentType = '';
      const response = Object.assign(new EventEmitter(), {
        writeHead(_status: number, headers: Record<string, string>) {
          contentType = headers['Content-Type']!;
          return response;
        },
        write: (chunk: string) => chunks.push(chunk) > 0,
        end: (chunk: string) => chunks.push(chunk),
      });
      await exposeTo(response as unknown as ServerResponse, registry, accept);
      return { contentType, body: chunks.join('') };
    }

    it('serves OpenMetrics with trace exemplars when asked, classic text otherwise', async () => {
      const { exporter: e, registry } = exporter();
      const span = chatSpan();
      await e.consume(spansBatch([span]));

      const classic = await served(registry, 'text/plain;version=0.0.4');
      expect(classic.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(classic.body).not.toContain('# EOF');
      expect(classic.body).not.toContain('trace_id');

      const prometheusAccept =
        'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
      const om = await served(registry, prometheusAccept);
      expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(om.body.endsWith('# EOF\n')).toBe(true);
      const exemplar = ` # {trace_id="${span.traceId}",span_id="${span.spanId}"} 1.5 `;
      expect(
        om.body
          .split('\n')
          .find((l) => l.startsWith('traces_span_metrics_duration_seconds_bucket{le="2"')),
      ).toContain(exemplar);
      expect(
        om.body.split('\n').find((l) => l.startsWith('gen_ai_client_token_usage_bucket{le="256"')),
      ).toContain(` # {trace_id="${span.traceId}",span_id="${span.spanId}"} 120 `);
      // Counter families drop `_total`; their samples keep it.
      expect(om.body).toContain('# TYPE traces_span_metrics_calls counter\n');
      expect(om.body).toContain('\ntraces_span_metrics_calls_total{');
      // Rendering OpenMetrics leaves the text format as it was.
      expect((await served(registry, undefined)).body).toBe(classic.body);
    });

    it('keeps text for clients preferring it, and no exemplars when switched off', async () => {
      const { exporter: e, registry } = exporter({ exemplars: false });
      await e.consume(spansBatch([chatSpan()]));
      expect(
        (await served(registry, 'text/plain;q=0.9,application/openmetrics-text;q=0.5')).body,
      ).not.toContain('# EOF');
      expect(await openMetrics(registry)).not.toContain('trace_id');
    });

    it('writes the same text as prom-client would from the same values', async () => {
      const { exporter: e, registry } = exporter();
      await e.consume(
        spansBatch([chatSpan(), chatSpan({ statusCode: 2 }), sampleSpan({ name: 'a "b"\\c' })]),
      );
      const served = await text(registry);
      expect(served).toContain('gen_ai_client_token_usage_bucket{le="+Inf"');
      expect(served).toBe(await registry.metrics());
    });

    it('writes large families in slices that join into the same text and OpenMetrics', async () => {
      const { exporter: e, registry } = exporter();
      // 6,000 span names, 1,001 series (the label limit's 1,000 and __other__): histogram
      // families of several slices each.
      await e.consume(
        spansBatch(Array.from({ length: 6_000 }, (_, i) => sampleSpan({ name: `op-${i}` }))),
      );
      const chunks: string[] = [];
      const response = Object.assign(new EventEmitter(), {
        writeHead: () => response,
        write: (chunk: string) => chunks.push(chunk) > 0,
        end: (chunk: string) => chunks.push(chunk),
      });
      await exposeTo(response as unknown as ServerResponse, registry, undefined);
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks.join('')).toBe(await registry.metrics());
      const om = await openMetrics(registry);
      expect(om.match(/^traces_span_metrics_calls_total\{/gm)).toHaveLength(1_001);
      expect(om.match(/^# EOF$/gm)).toHaveLength(1);
    });

    it('passes promtool check metrics', async () => {
      const { exporter: e, registry } = exporter();
      await e.consume(spansBatch([chatSpan(), sampleSpan({ name: 'quote " and \\ back\nslash' })]));
      const { code, output } = await promtool(['check', 'metrics'], await text(registry));
      expect(output).toBe('');
      expect(code).toBe(0);
    });
  });

  describe('lifecycle', () => {
    it('refuses a second prometheus exporter on the same registry', () => {
      const settings = settingsFor('prometheus', prometheusExporterFactory.configSchema.parse({}));
      prometheusExporterFactory.create(settings);
      expect(() => prometheusExporterFactory.create({ ...settings, id: 'prometheus/two' })).toThrow(
        /only one prometheus exporter/,
      );
    });
  });
});
