import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSpans } from '../helpers/agent-traces.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus-server.js';
import { promtool } from '../helpers/promtool.js';

/**
 * A real Prometheus scrapes a spawned daemon's /metrics every second (in OpenMetrics, which
 * Prometheus asks for) while a real OTel SDK exporter sends spans; the values are read back
 * through Prometheus's query API.
 */

const LABEL_LIMIT = 50;
const UNIQUE_NAMES = 500;
const T0 = Math.floor(Date.now() / 1000) - 60;

function recorder(service: string) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  return { tracer: provider.getTracer('faultline-tests'), spans: () => memory.getFinishedSpans() };
}

/** 12 `checkout` server spans of 120 ms (4 failed) and 3 chat calls of 1.5 s, service `shop`. */
function shopSpans(): ReadableSpan[] {
  const { tracer, spans } = recorder('shop');
  for (let i = 0; i < 12; i++) {
    const span = tracer.startSpan('checkout', {
      kind: SpanKind.SERVER,
      startTime: [T0 + i, 0],
    });
    if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    span.end([T0 + i, 120_000_000]);
  }
  for (let i = 0; i < 3; i++) {
    tracer
      .startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        startTime: [T0 + i, 0],
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 25,
        },
      })
      .end([T0 + i + 1, 500_000_000]);
  }
  return spans();
}

/** One span per order id in its name, as careless instrumentation does, service `orders`. */
function uniqueNameSpans(): ReadableSpan[] {
  const { tracer, spans } = recorder('orders');
  for (let i = 0; i < UNIQUE_NAMES; i++) {
    tracer
      .startSpan(`GET /orders/${(0x1000_0000 + i).toString(16)}`, { startTime: [T0, 0] })
      .end([T0, 5_000_000]);
  }
  return spans();
}

describe('metrics scraped by a real Prometheus', () => {
  let daemon: DaemonHandle;
  let prometheus: PrometheusHandle;
  let shop: ReadableSpan[];

  /** Polls a PromQL expression until it has a result, then returns its value(s). */
  async function eventually(expr: string, until: (values: number[]) => boolean) {
    let values: number[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      values = (await prometheus.query(expr)).map((r) => r.value);
      if (until(values)) return values;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${expr} stayed at [${values.join(', ')}]\n${prometheus.logs()}`);
  }

  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml: `  assemble:\n    decision_wait: 500ms\n  classify: {}\n`,
      pipelineProcessors: ['assemble', 'classify'],
      exportersYaml: `  prometheus:\n    max_label_values: ${LABEL_LIMIT}\n`,
      pipelineExporters: ['clickhouse', 'prometheus'],
    });
    prometheus = await startPrometheus(`127.0.0.1:${daemon.adminPort}`);
    shop = shopSpans();
    const send = (spans: ReadableSpan[]) =>
      exportSpans(
        new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
        spans,
      );
    await send(shop);
    await send(uniqueNameSpans());
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await daemon?.cleanup();
  });

  it('counts calls per span name and status as sent', async () => {
    const calls = (status: string) =>
      `traces_span_metrics_calls_total{job="faultline",service_name="shop",span_name="checkout",span_kind="SPAN_KIND_SERVER",status_code="${status}"}`;
    expect(await eventually(calls('STATUS_CODE_UNSET'), (v) => v[0] === 8)).toEqual([8]);
    expect(await eventually(calls('STATUS_CODE_ERROR'), (v) => v[0] === 4)).toEqual([4]);
    // 120 ms spans: none at or below 100 ms, all at or below 200 ms.
    const bucket = (le: string) =>
      `sum(traces_span_metrics_duration_seconds_bucket{span_name="checkout",le="${le}"})`;
    expect(await eventually(bucket('0.1'), (v) => v.length === 1)).toEqual([0]);
    expect(await eventually(bucket('0.2'), (v) => v[0] === 12)).toEqual([12]);
  });

  it('records token usage, model call durations and cost from the GenAI attributes', async () => {
    const tokens = await eventually(
      'sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini"})',
      (v) => v.length === 2,
    );
    expect(tokens.sort((a, b) => a - b)).toEqual([75, 300]);
    expect(
      await eventually(
        'gen_ai_client_operation_duration_seconds_count{gen_ai_request_model="gpt-4o-mini"}',
        (v) => v[0] === 3,
      ),
    ).toEqual([3]);
    // 1.5 s calls fall into the conventions' 2.56 s bucket, not the 1.28 s one.
    expect(
      await eventually(
        'gen_ai_client_operation_duration_seconds_bucket{gen_ai_request_model="gpt-4o-mini",le="1.28"}',
        (v) => v.length === 1,
      ),
    ).toEqual([0]);
    // 3 × (100 × 0.15 + 25 × 0.60) / 1M USD
    const [cost] = await eventually(
      'faultline_llm_cost_usd_total{gen_ai_request_model="gpt-4o-mini",gen_ai_provider_name="openai"}',
      (v) => v.length === 1,
    );
    expect(cost).toBeCloseTo(0.00009, 10);
  });

  it('counts the classified failures', async () => {
    expect(
      await eventually('sum(faultline_failures_total{service="shop"})', (v) => v[0] === 4),
    ).toEqual([4]);
  });

  it('keeps span names within the label limit: unique names collapse into __other__', async () => {
    // `checkout` and `chat gpt-4o-mini` took two of the limit's span names.
    const other = UNIQUE_NAMES - (LABEL_LIMIT - 2);
    expect(
      await eventually(
        'traces_span_metrics_calls_total{service_name="orders",span_name="__other__"}',
        (v) => v[0] === other,
      ),
    ).toEqual([other]);
    expect(
      await eventually('count(traces_span_metrics_calls_total{service_name="orders"})', (v) =>
        Boolean(v.length),
      ),
    ).toEqual([LABEL_LIMIT - 2 + 1]);
    expect(
      await eventually(
        'faultline_metric_label_overflow_total{metric="traces_span_metrics_calls_total",label="span_name"}',
        (v) => v[0] === other,
      ),
    ).toEqual([other]);
  });

  it('stores exemplars carrying the trace ids of the spans, from the OpenMetrics scrape', async () => {
    const traceIds = new Set(shop.map((span) => span.spanContext().traceId));
    let exemplars: Record<string, string>[] = [];
    for (let attempt = 0; attempt < 60 && !exemplars.length; attempt++) {
      exemplars = await prometheus.exemplars(
        'traces_span_metrics_duration_seconds_bucket{span_name="checkout"}',
      );
      if (!exemplars.length) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(exemplars.length).toBeGreaterThan(0);
    for (const labels of exemplars) {
      expect(traceIds.has(labels.trace_id!)).toBe(true);
      expect(labels.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('serves OpenMetrics with exemplars on Accept, classic text that passes promtool otherwise', async () => {
    const om = await fetch(`${daemon.adminUrl}/metrics`, {
      headers: { Accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(om.headers.get('content-type')).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    const omText = await om.text();
    expect(omText.endsWith('# EOF\n')).toBe(true);
    expect(omText).toMatch(
      /^traces_span_metrics_duration_seconds_bucket\{le="0\.2",service_name="shop",span_name="checkout",[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} 0\.12 \d+(\.\d+)?$/m,
    );

    const classic = await fetch(`${daemon.adminUrl}/metrics`);
    expect(classic.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await classic.text();
    expect(text).not.toContain('# EOF');
    expect(text).toContain('traces_span_metrics_calls_total{service_name="shop"');
    const { code, output } = await promtool(['check', 'metrics'], text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('scrapes the daemon successfully every time', async () => {
    expect(await eventually('up{job="faultline"}', (v) => v[0] === 1)).toEqual([1]);
    // A scrape Prometheus could not parse would show as up == 0 at some point.
    expect(
      await eventually('min_over_time(up{job="faultline"}[1m])', (v) => v.length === 1),
    ).toEqual([1]);
  });
});
