import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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
import { exportSpans } from '../helpers/agent-traces.js';
import { CLI, startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { freePorts } from '../helpers/ports.js';

/**
 * `faultline replay` as a spawned CLI, on files holding exactly what the OTel SDK's OTLP/HTTP
 * exporters send (captured by a local HTTP server standing in for a collector), replayed into a
 * spawned daemon whose stored rows are then counted.
 */

interface Capture {
  server: Server;
  url: string;
  bodies: Buffer[];
}

/** An HTTP server that keeps every request body and answers 200, as a collector would. */
async function startCapture(): Promise<Capture> {
  const bodies: Buffer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      response.writeHead(200, { 'Content-Type': request.headers['content-type'] }).end();
    });
  });
  const [port] = await freePorts(1);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}/v1/traces`, bodies };
}

/** Records `count` spans of `service`, one trace each. */
function recordSpans(service: string, count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('replay-test');
  for (let i = 0; i < count; i++) {
    tracer
      .startSpan(`chat ${i}`, {
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' },
      })
      .end();
  }
  return memory.getFinishedSpans();
}

async function capture(make: (url: string) => SpanExporter, spans: ReadableSpan[]) {
  const sink = await startCapture();
  try {
    await exportSpans(make(sink.url), spans);
    return sink.bodies;
  } finally {
    sink.server.close();
  }
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('faultline replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-replay-'));
  let daemon: DaemonHandle;
  const spanCount = async (service: string) =>
    (
      await daemon.query<{ n: number }>(
        `SELECT count() AS n FROM faultline.otel_traces WHERE ServiceName = '${service}'`,
      )
    )[0]!.n;

  beforeAll(async () => {
    daemon = await startDaemon();
    // OTLP/JSON as the SDK sends it, saved pretty-printed as one request.
    const [json] = await capture((url) => new JsonExporter({ url }), recordSpans('replay-json', 3));
    writeFileSync(join(dir, 'one.json'), JSON.stringify(JSON.parse(json!.toString()), null, 2));
    // Two JSON requests as JSONL, gzipped.
    const lines = [
      ...(await capture((url) => new JsonExporter({ url }), recordSpans('replay-jsonl', 2))),
      ...(await capture((url) => new JsonExporter({ url }), recordSpans('replay-jsonl', 4))),
    ];
    writeFileSync(join(dir, 'many.jsonl.gz'), gzipSync(lines.map(String).join('\n') + '\n'));
    // A protobuf request, raw and gzipped.
    const [proto] = await capture(
      (url) => new ProtoExporter({ url }),
      recordSpans('replay-proto', 5),
    );
    writeFileSync(join(dir, 'one.pb'), proto!);
    const [protoGz] = await capture(
      (url) => new ProtoExporter({ url }),
      recordSpans('replay-proto-gz', 2),
    );
    writeFileSync(join(dir, 'two.pb.gz'), gzipSync(protoGz!));
  });
  afterAll(async () => {
    await daemon?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-sends OTLP/JSON, JSONL and protobuf files, gzipped or not, and counts them', async () => {
    const files = ['one.json', 'many.jsonl.gz', 'one.pb', 'two.pb.gz'].map((f) => join(dir, f));
    const run = await runCli(['replay', ...files, '--endpoint', `127.0.0.1:${daemon.httpPort}`]);
    expect(run.stdout).toBe(
      '5 request(s) from 4 file(s): 5 accepted, 0 partially rejected (0 span(s) rejected), 0 refused\n',
    );
    expect(run.code).toBe(0);
    await daemon.queryUntil<{ n: number }>(
      "SELECT count() AS n FROM faultline.otel_traces WHERE ServiceName LIKE 'replay-%'",
      (rows) => rows[0]?.n === 16,
    );
    expect(await spanCount('replay-json')).toBe(3);
    expect(await spanCount('replay-jsonl')).toBe(6);
    expect(await spanCount('replay-proto')).toBe(5);
    expect(await spanCount('replay-proto-gz')).toBe(2);
  });

  it('counts refused requests and exits non-zero', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"resourceSpans": "not a list"}\n');
    const run = await runCli(['replay', bad, '--endpoint', `http://127.0.0.1:${daemon.httpPort}`]);
    expect(run.stdout).toContain(
      '0 accepted, 0 partially rejected (0 span(s) rejected), 1 refused',
    );
    expect(run.stderr).toMatch(/bad\.jsonl:1: refused: 400/);
    expect(run.code).toBe(1);
  });

  it('counts a request with some invalid spans as partially rejected', async () => {
    const span = (traceId: string, name: string) => ({
      traceId,
      spanId: '0102030405060708',
      name,
      kind: 1,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000001000000000',
    });
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: 'replay-partial' } }],
          },
          scopeSpans: [
            { spans: [span('0102030405060708090a0b0c0d0e0f10', 'good'), span('abc', 'bad id')] },
          ],
        },
      ],
    };
    const file = join(dir, 'partial.json');
    writeFileSync(file, JSON.stringify(request));
    const run = await runCli(['replay', file, '--endpoint', `127.0.0.1:${daemon.httpPort}`]);
    expect(run.stdout).toContain(
      '0 accepted, 1 partially rejected (1 span(s) rejected), 0 refused',
    );
    expect(run.code).toBe(0);
  });

  it('retries 429 and 503 after Retry-After', async () => {
    // A stand-in for a daemon under backpressure: refuses twice, then accepts.
    const answers = [429, 503, 200];
    const seen: number[] = [];
    const server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const status = answers.shift() ?? 200;
        seen.push(status);
        response.writeHead(status, status === 200 ? {} : { 'Retry-After': '0' }).end();
      });
    });
    const [port] = await freePorts(1);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const run = await runCli(['replay', join(dir, 'one.pb'), '--endpoint', `127.0.0.1:${port}`]);
      expect(seen).toEqual([429, 503, 200]);
      expect(run.stdout).toContain('1 accepted');
      expect(run.code).toBe(0);
    } finally {
      server.close();
    }
  });

  it('says what is wrong with its arguments in one line', async () => {
    const none = await runCli(['replay']);
    expect([none.code, none.stderr]).toEqual([
      2,
      expect.stringMatching(/^faultline: replay needs files/),
    ]);
    const missing = await runCli(['replay', join(dir, 'nope.json')]);
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/);
  });
});
