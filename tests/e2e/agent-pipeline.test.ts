import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS, scenarioRequest } from '../../src/cli/demo/scenarios.js';
import { traceDocumentSchema, type TraceDocument } from '../../src/model/index.js';
import { startAgentDaemon } from '../helpers/agent-traces.js';
import { CLI, type DaemonHandle } from '../helpers/daemon.js';
import { postJson } from '../helpers/otlp-json.js';
import { freePorts } from '../helpers/ports.js';

/** Polls the trace API until `accept` takes the document (traces are written once complete). */
async function traceDocument(
  daemon: DaemonHandle,
  traceId: string,
  accept: (doc: TraceDocument) => boolean = () => true,
): Promise<TraceDocument> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${daemon.adminUrl}/api/v1/traces/${traceId}`);
    if (response.ok) {
      const document = traceDocumentSchema.parse(await response.json());
      if (accept(document)) return document;
    } else {
      expect(response.status).toBe(404);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`trace ${traceId} was not assembled`);
}

describe('the trace API over an assembling, classifying pipeline', () => {
  let daemon: DaemonHandle;
  beforeAll(async () => {
    daemon = await startAgentDaemon();
  });
  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('serves the assembled trace: nested steps, failure on the tool, root cause on the tool', async () => {
    const booking = SCENARIOS.find((s) => s.service === 'booking-agent')!;
    const { traceId, body } = scenarioRequest(booking);
    expect(await postJson(daemon, body)).toBe(200);
    const document = await traceDocument(daemon, traceId);
    expect(document.status).toBe('failed');
    expect(document.service_name).toBe('booking-agent');
    expect(document.agent_name).toBe('booker');
    expect(document.steps).toHaveLength(1);
    const [root] = document.steps;
    expect(root!.type).toBe('agent');
    const tool = root!.children.find((c) => c.type === 'tool_call')!;
    expect(tool.tool_name).toBe('book_flight');
    expect(tool.failures.map((f) => f.class)).toEqual(['tool_error']);
    expect(document.root_cause_span_id).toBe(tool.span_id);
    expect(document.usage.input_tokens).toBe(412);
    expect(document.failure_classes).toEqual(['error_status', 'tool_error']);
  });

  it('stores one agent_traces row per trace and the failures with status new', async () => {
    const { traceId, body } = scenarioRequest(
      SCENARIOS.find((s) => s.service === 'support-agent')!,
    );
    expect(await postJson(daemon, body)).toBe(200);
    await traceDocument(daemon, traceId);
    const [trace] = await daemon.query<{
      Status: string;
      ToolCalls: number;
      FailureClasses: string[];
    }>(
      `SELECT Status, ToolCalls, FailureClasses FROM faultline.agent_traces FINAL WHERE TraceId = '${traceId}'`,
    );
    expect(trace).toEqual({ Status: 'failed', ToolCalls: 6, FailureClasses: ['agent_loop'] });
    const failures = await daemon.query<{ Class: string; Status: string }>(
      `SELECT Class, Status FROM faultline.failures FINAL WHERE TraceId = '${traceId}'`,
    );
    expect(failures).toEqual([{ Class: 'agent_loop', Status: 'new' }]);
  });

  it('updates the trace when a late span arrives, with a higher version', async () => {
    const summary = SCENARIOS.find((s) => s.service === 'summary-agent')!;
    const { traceId, body } = scenarioRequest(summary);
    expect(await postJson(daemon, body)).toBe(200);
    const first = await traceDocument(daemon, traceId);
    const late = JSON.parse(body) as {
      resourceSpans: {
        scopeSpans: { spans: { spanId: string; name: string; parentSpanId: string }[] }[];
      }[];
    };
    const spans = late.resourceSpans[0]!.scopeSpans[0]!.spans;
    const root = spans.find((s) => s.parentSpanId === '')!;
    late.resourceSpans[0]!.scopeSpans[0]!.spans = [
      { ...spans[1]!, spanId: 'fedcba9876543210', name: 'late retry', parentSpanId: root.spanId },
    ];
    expect(await postJson(daemon, JSON.stringify(late))).toBe(200);
    const second = await traceDocument(
      daemon,
      traceId,
      (doc) => doc.span_count === first.span_count + 1,
    );
    expect(second.version).toBeGreaterThan(first.version);
    const rows = await daemon.query<{ n: string }>(
      `SELECT toString(count()) AS n FROM faultline.agent_traces FINAL WHERE TraceId = '${traceId}'`,
    );
    expect(rows).toEqual([{ n: '1' }]);
  });

  it('answers 404 for an unknown trace and 400 for a malformed id', async () => {
    expect((await fetch(`${daemon.adminUrl}/api/v1/traces/${'0'.repeat(31)}1`)).status).toBe(404);
    const bad = await fetch(`${daemon.adminUrl}/api/v1/traces/not-a-trace`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_trace_id');
  });
});

describe('faultline demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a daemon, sends the five scenarios and prints each one’s failure', async () => {
    const [grpc, http, admin] = await freePorts(3);
    const shipped = readFileSync(new URL('../../config/faultline.yaml', import.meta.url), 'utf8');
    const config = join(dir, 'demo.yaml');
    writeFileSync(
      config,
      shipped
        .replace('0.0.0.0:4317', `127.0.0.1:${grpc}`)
        .replace('0.0.0.0:4318', `127.0.0.1:${http}`)
        .replace('0.0.0.0:8888', `127.0.0.1:${admin}`)
        .replace('decision_wait: 10s', 'decision_wait: 500ms')
        .replace('root_wait: 60s', 'root_wait: 2s'),
    );
    const run = spawnSync(process.execPath, [CLI, 'demo', '--config', config], {
      env: {
        ...process.env,
        FAULTLINE_DATA_DIR: join(dir, 'data'),
        FAULTLINE_QUEUE_DIR: join(dir, 'queue'),
        FAULTLINE_ALERTING_QUEUE_DIR: join(dir, 'queue', 'alerting'),
      },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.stderr).toContain('starting one for the demo');
    expect(run.status).toBe(0);
    const rows = run.stdout
      .split('\n')
      .filter((line) => line.includes('\t'))
      .slice(1)
      .map((line) => line.split('\t'));
    const classesOf = (service: string) => rows.filter((r) => r[0] === service).map((r) => r[1]);
    expect(classesOf('booking-agent')).toContain('tool_error');
    expect(classesOf('search-agent')).toContain('validation_error');
    expect(classesOf('summary-agent')).toEqual(['hallucination']);
    expect(classesOf('research-agent')).toContain('timeout');
    expect(classesOf('support-agent')).toEqual(['agent_loop']);
  });
});
