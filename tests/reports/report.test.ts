/**
 * `faultline report` and `GET /api/v1/reports` over a daemon on the embedded engine, filled by
 * the OTel SDK with agent runs spread over the past ten days: each section's figures are checked
 * against SQL over the same data, and the HTML is opened in headless Chromium.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { context as otelContext, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/reports/model.js';
import { exportSpans, startAgentDaemon } from '../helpers/agent-traces.js';
import { CLI, type DaemonHandle } from '../helpers/daemon.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;
/** A root span name written by a client, with markup that must not survive into the report. */
const HOSTILE = 'plan <img src=x onerror=alert(1)> | *bold* [link](http://x)';
const TRACES_PER_DAY = 4;

let daemon: DaemonHandle;
let report: Report;
let markdown: string;
let html: string;

/** One agent run at `at`: a root span, an LLM call and a tool call (slower in the last week). */
function agentRun(tracer: Tracer, at: number, i: number, recent: boolean): void {
  const root = tracer.startSpan(HOSTILE, {
    startTime: at,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
  });
  const parent = trace.setSpan(otelContext.active(), root);
  const model = i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini';
  const llm = tracer.startSpan(
    `chat ${model}`,
    {
      startTime: at + 10,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        'gen_ai.response.model': model,
        'gen_ai.agent.name': 'planner',
        'gen_ai.usage.input_tokens': 100 + i,
        'gen_ai.usage.output_tokens': 20 + i,
      },
    },
    parent,
  );
  llm.end(at + 10 + 200 + i * 10);
  const tool = tracer.startSpan(
    'execute_tool search',
    {
      startTime: at + 300,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'search',
        'gen_ai.agent.name': 'planner',
      },
    },
    parent,
  );
  if (recent && i === 0)
    tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search timed out' });
  tool.end(at + 300 + (recent ? 400 : 100) + i * 5);
  root.end(at + 1000);
}

beforeAll(async () => {
  daemon = await startAgentDaemon();
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'report-agent' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('faultline-report-tests');
  const now = Date.now();
  // Days 1–10 ago: the last 7 days are the report's period, days 8–10 the previous one.
  for (let day = 1; day <= 10; day++) {
    for (let i = 0; i < TRACES_PER_DAY; i++) {
      // Two hours into each day back, so day 7 stays inside the period the report computes later.
      agentRun(tracer, now - day * DAY_MS + 2 * 3_600_000 + i * 60_000, i, day <= 7);
    }
  }
  const spans = memory.getFinishedSpans();
  await exportSpans(
    new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
    spans,
  );
  await daemon.queryUntil<{ n: string }>(
    'SELECT count() AS n FROM faultline.agent_traces FINAL',
    (rows) => Number(rows[0]?.n) === 10 * TRACES_PER_DAY,
  );
  await daemon.drained();
  const cli = async (format: string): Promise<string> =>
    (
      await run(
        process.execPath,
        [CLI, 'report', '--config', daemon.configPath, '--since', '7d', '--format', format],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      )
    ).stdout;
  report = JSON.parse(await cli('json')) as Report;
  markdown = await cli('md');
  html = await cli('html');
}, 180_000);

afterAll(async () => {
  await daemon?.cleanup();
});

/** The report's own period as a SQL condition on `column`. */
const inPeriod = (column: string, from = report.period.from, to = report.period.to): string =>
  `${column} >= parseDateTime64BestEffort('${from}', 3) AND ${column} < parseDateTime64BestEffort('${to}', 3)`;

const one = async (sql: string): Promise<Record<string, unknown>> => (await daemon.query(sql))[0]!;

describe('faultline report', () => {
  it('serves the same JSON report at GET /api/v1/reports', async () => {
    const response = await fetch(`${daemon.adminUrl}/api/v1/reports?since=7d`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Report;
    expect(body.schema).toBe('faultline.report/v1');
    expect(body.health.traces.total).toBe(report.health.traces.total);
    const bad = await fetch(`${daemon.adminUrl}/api/v1/reports?since=forever`);
    expect(bad.status).toBe(400);
  });

  it('performance: latency percentiles per operation, model and tool match SQL', async () => {
    const tool = report.performance.tools.find((t) => t.name === 'search')!;
    const sql = await one(
      `SELECT count() AS calls, quantileExactInclusive(0.95)(Duration) / 1e6 AS p95,
              quantileExactInclusive(0.5)(Duration) / 1e6 AS p50
       FROM faultline.otel_traces WHERE ToolName = 'search' AND ${inPeriod('Timestamp')}`,
    );
    expect(tool.calls).toBe(Number(sql['calls']));
    expect(tool.calls).toBe(7 * TRACES_PER_DAY);
    expect(tool.p95Ms).toBeCloseTo(Number(sql['p95']), 1);
    expect(tool.p50Ms).toBeCloseTo(Number(sql['p50']), 1);
    expect(tool.previousP95Ms).not.toBeNull();
    expect(report.performance.models.map((m) => m.name).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(report.performance.operations.find((o) => o.name === HOSTILE)?.calls).toBe(
      7 * TRACES_PER_DAY,
    );
  });

  it('usage: calls, tokens and cost by model, agent and service match SQL', async () => {
    const model = report.usage.models.find((m) => m.name === 'gpt-4o')!;
    const sql = await one(
      `SELECT count() AS spans, sum(InputTokens) AS input, sum(OutputTokens) AS output, sum(CostUsd) AS cost
       FROM faultline.otel_traces WHERE Model = 'gpt-4o' AND ${inPeriod('Timestamp')}`,
    );
    expect(model.spans).toBe(Number(sql['spans']));
    expect(model.inputTokens).toBe(Number(sql['input']));
    expect(model.outputTokens).toBe(Number(sql['output']));
    expect(model.costUsd).toBeCloseTo(Number(sql['cost']), 9);
    expect(report.usage.agents.find((a) => a.name === 'planner')?.spans).toBeGreaterThan(0);
    const service = await one(
      `SELECT count() AS spans FROM faultline.otel_traces WHERE ServiceName = 'report-agent' AND ${inPeriod('Timestamp')}`,
    );
    expect(report.usage.services.find((s) => s.name === 'report-agent')?.spans).toBe(
      Number(service['spans']),
    );
  });

  it('health: traces, error rates and failure classes match SQL', async () => {
    const traces = await one(
      `SELECT count() AS total, countIf(Status = 'failed') AS failed
       FROM faultline.agent_traces FINAL WHERE ${inPeriod('Start')}`,
    );
    expect(report.health.traces.total).toBe(Number(traces['total']));
    expect(report.health.traces.failed).toBe(Number(traces['failed']));
    const spans = await one(
      `SELECT count() AS total, countIf(StatusCode = 'Error') AS errors
       FROM faultline.otel_traces WHERE ${inPeriod('Timestamp')}`,
    );
    expect(report.health.spans.errors).toBe(Number(spans['errors']));
    expect(report.health.spans.errors).toBe(7);
    const classes = await daemon.query<{ class: string; n: string }>(
      `SELECT Class AS class, count() AS n FROM faultline.failures FINAL
       WHERE ${inPeriod('Timestamp')} GROUP BY class ORDER BY class`,
    );
    expect(classes.length).toBeGreaterThan(0);
    for (const row of classes) {
      expect(report.health.failureClasses.find((c) => c.class === row.class)?.failures).toBe(
        Number(row.n),
      );
    }
    expect(report.health.topSignatures[0]?.count).toBeGreaterThan(0);
  });

  it('trends: the previous period and the days match SQL', async () => {
    const previous = await one(
      `SELECT count() AS spans FROM faultline.otel_traces
       WHERE ${inPeriod('Timestamp', report.period.previousFrom, report.period.from)}`,
    );
    const spans = report.trends.figures.find((f) => f.name === 'spans')!;
    expect(spans.previous).toBe(Number(previous['spans']));
    expect(spans.current).toBe(report.health.spans.total);
    const days = await daemon.query<{ day: string; n: string }>(
      `SELECT toString(toDate(Timestamp)) AS day, count() AS n FROM faultline.otel_traces
       WHERE ${inPeriod('Timestamp')} GROUP BY day`,
    );
    for (const row of days) {
      expect(report.trends.daily.find((d) => d.day === row.day)?.spans).toBe(Number(row.n));
    }
  });

  it('recommendations name the figures they come from', () => {
    const slower = report.recommendations.find(
      (r) => r.source === 'performance.tools[search].p95Ms',
    );
    expect(slower?.message).toContain('search');
    for (const r of report.recommendations)
      expect(r.source).toMatch(/^(performance|usage|health|trends)\./);
  });

  it('storage: rows and parts per table as system.parts has them', async () => {
    const spans = report.storage.tables.find((t) => t.table === 'otel_traces')!;
    const sql = await one(
      `SELECT sum(rows) AS n FROM system.parts WHERE database = 'faultline' AND table = 'otel_traces' AND active`,
    );
    expect(spans.rows).toBe(Number(sql['n']));
    expect(spans.parts).toBeGreaterThan(0);
    const metrics = await (await fetch(`${daemon.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/faultline_storage_rows\{table="otel_traces"\} \d+/);
    expect(metrics).toMatch(/faultline_storage_compression_ratio\{table="otel_traces"\}/);
  });

  it('escapes client-written text in Markdown and HTML', () => {
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;img');
    expect(markdown).toContain('\\|');
    expect(markdown).toContain('\\*bold\\*');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).not.toMatch(/<script/i);
  });

  it('renders self-contained HTML whose charts draw in headless Chromium', async () => {
    expect(html).not.toMatch(/(src|href)="https?:/);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.route('**/*', (route) =>
        route.request().url().startsWith('data:') ? route.continue() : route.abort(),
      );
      await page.setContent(html, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      const charts = await page.locator('svg.chart').count();
      expect(charts).toBeGreaterThanOrEqual(4);
      const box = await page.locator('svg.chart').first().boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(5);
      const dir = join(import.meta.dirname, '../../docs/screenshots');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      expect(readFileSync(join(dir, 'report.png')).length).toBeGreaterThan(1000);
    } finally {
      await browser.close();
    }
  });
});
