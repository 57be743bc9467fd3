import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
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
import { ExportTraceServiceRequest } from '../../src/receivers/otlp/proto.js';
import { CLI, startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { grpcExport, jsonError, rpcStatus, sampleSum } from '../helpers/otlp-client.js';
import { createTestCertificates, type TestCertificates } from '../helpers/tls.js';

/**
 * Bearer-token authentication and TLS on the OTLP receivers and the admin port, the admin
 * rate limit, and secrets kept out of logs, metrics and error messages. Clients are real OTel
 * SDK exporters where they can be, plus raw gRPC calls and node's https.
 */

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

const secret = (): string => randomBytes(24).toString('base64url');
const TOKENS = { agents: secret(), batch: secret(), admin: secret() };
const TOKEN_ENV = {
  FAULTLINE_TEST_AGENTS_TOKEN: TOKENS.agents,
  FAULTLINE_TEST_BATCH_TOKEN: TOKENS.batch,
  FAULTLINE_TEST_ADMIN_TOKEN: TOKENS.admin,
};
const OTLP_AUTH = {
  tokens: [
    { name: 'agents', token: '${env:FAULTLINE_TEST_AGENTS_TOKEN}' },
    { name: 'batch', token: '${env:FAULTLINE_TEST_BATCH_TOKEN}' },
  ],
};

// ---------------------------------------------------------------------------------------------
// Clients

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with node's http(s) client; TLS options pass through. */
function send(
  url: string,
  options: RequestOptions & { body?: Uint8Array | string } = {},
): Promise<Answer> {
  const { body, ...rest } = options;
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = client(url, { agent: false, ...rest }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

function protoRequest(traceId: Buffer): Buffer {
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'secure' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8),
                name: 'op',
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000001000000000',
              },
            ],
          },
        ],
      },
    ],
  });
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}

function recordSpan(service: string): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider.getTracer('faultline-security').startSpan('agent.run').end();
  return memory.getFinishedSpans();
}

async function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  return result;
}

const traceIdOf = (spans: ReadableSpan[]): string => spans[0]!.spanContext().traceId;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read-only SQL through the admin API, as JSONEachRow rows. A 429 from the admin rate limit is
 * waited out as its Retry-After says.
 */
async function query(
  adminUrl: string,
  sql: string,
  options: RequestOptions = {},
): Promise<Record<string, unknown>[]> {
  for (let attempt = 1; ; attempt++) {
    const answer = await send(`${adminUrl}/api/v1/query`, {
      ...options,
      method: 'POST',
      headers: { 'Content-Type': JSON_TYPE, ...options.headers },
      body: JSON.stringify({ sql, format: 'JSONEachRow' }),
    });
    if (answer.status === 429 && attempt < 10) {
      await sleep(Number(answer.headers['retry-after']) * 1000);
      continue;
    }
    if (answer.status !== 200)
      throw new Error(`query failed (${answer.status}): ${answer.body.toString()}`);
    return answer.body
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

const storedCount = async (
  adminUrl: string,
  traceId: string,
  options: RequestOptions = {},
): Promise<number> => {
  const [row] = await query(
    adminUrl,
    `SELECT toUInt32(count()) AS n FROM faultline.otel_traces WHERE TraceId = '${traceId}'`,
    options,
  );
  return Number(row!.n);
};

/** The span count once it reaches `expected` (acknowledged spans may be stored a batch later). */
async function storedEventually(
  adminUrl: string,
  traceId: string,
  options: RequestOptions,
  expected = 1,
): Promise<number> {
  let count = 0;
  for (let attempt = 0; attempt < 50 && count < expected; attempt++) {
    if (attempt > 0) await sleep(200);
    count = await storedCount(adminUrl, traceId, options);
  }
  return count;
}

// =============================================================================================

describe('bearer-token authentication', () => {
  let daemon: DaemonHandle;
  const adminAuth = { headers: { Authorization: `Bearer ${TOKENS.admin}` } };
  const otlpHttp = () => `http://127.0.0.1:${daemon.httpPort}/v1/traces`;
  const refused = async (listener: string, reason: string): Promise<number> =>
    sampleSum(
      (await send(`${daemon.adminUrl}/metrics`)).body.toString(),
      'faultline_auth_refused_requests_total',
      { listener, reason },
    );

  beforeAll(async () => {
    daemon = await startDaemon({
      env: TOKEN_ENV,
      otlp: { auth: OTLP_AUTH, http: { cors: { allowed_origins: ['https://app.example'] } } },
      adminYaml: '  bearer_token: ${env:FAULTLINE_TEST_ADMIN_TOKEN}\n',
    });
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  describe('OTLP/HTTP', () => {
    const post = (body: Buffer, headers: Record<string, string>) =>
      send(otlpHttp(), { method: 'POST', headers: { 'Content-Type': PROTOBUF, ...headers }, body });

    it('refuses a request without a token with 401, WWW-Authenticate and a Status', async () => {
      const traceId = randomBytes(16);
      const before = await refused('otlp/http', 'missing');
      const answer = await post(protoRequest(traceId), {});
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(rpcStatus(answer.body)).toEqual({
        code: GrpcStatus.UNAUTHENTICATED,
        message: 'authentication required: send Authorization: Bearer <token>',
      });
      expect(await refused('otlp/http', 'missing')).toBe(before + 1);
      expect(await storedCount(daemon.adminUrl, traceId.toString('hex'), adminAuth)).toBe(0);
    });

    it('refuses an unknown token and a header that is not a bearer token', async () => {
      const unknown = await refused('otlp/http', 'unknown_token');
      const malformed = await refused('otlp/http', 'malformed');
      const wrong = await post(protoRequest(randomBytes(16)), {
        Authorization: `Bearer ${TOKENS.agents}x`,
      });
      expect(wrong.status).toBe(401);
      expect(rpcStatus(wrong.body).message).toBe('the bearer token is not valid');
      const basic = await send(otlpHttp(), {
        method: 'POST',
        headers: { 'Content-Type': JSON_TYPE, Authorization: `Basic ${TOKENS.agents}` },
        body: '{}',
      });
      expect(basic.status).toBe(401);
      expect(jsonError(basic.body).code).toBe(GrpcStatus.UNAUTHENTICATED);
      // The admin token is not an OTLP token.
      const admin = await post(protoRequest(randomBytes(16)), adminAuth.headers);
      expect(admin.status).toBe(401);
      expect(await refused('otlp/http', 'unknown_token')).toBe(unknown + 2);
      expect(await refused('otlp/http', 'malformed')).toBe(malformed + 1);
    });

    it('accepts every configured token', async () => {
      for (const token of [TOKENS.agents, TOKENS.batch]) {
        const traceId = randomBytes(16);
        const answer = await post(protoRequest(traceId), { Authorization: `Bearer ${token}` });
        expect(answer.status).toBe(200);
        expect(await storedEventually(daemon.adminUrl, traceId.toString('hex'), adminAuth)).toBe(1);
      }
    });

    it('answers a CORS preflight without a token and lets browsers send one', async () => {
      const answer = await send(otlpHttp(), {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(answer.headers['access-control-allow-headers']).toMatch(/Authorization/);
    });

    it('lets the OTel SDK exporter in with its token, and not without', async () => {
      const spans = recordSpan('auth-http-sdk');
      const url = otlpHttp();
      const without = await exportWith(new ProtoExporter({ url }), spans);
      expect(without.code).toBe(ExportResultCode.FAILED);
      const withToken = await exportWith(
        new ProtoExporter({ url, headers: { Authorization: `Bearer ${TOKENS.agents}` } }),
        spans,
      );
      expect(withToken.error).toBeUndefined();
      expect(await storedEventually(daemon.adminUrl, traceIdOf(spans), adminAuth)).toBe(1);
    });
  });

  describe('OTLP/gRPC', () => {
    const call = (metadata?: Record<string, string>) =>
      grpcExport(`127.0.0.1:${daemon.grpcPort}`, protoRequest(randomBytes(16)), {
        ...(metadata ? { metadata } : {}),
      });

    it('answers a call without or with a wrong token with UNAUTHENTICATED', async () => {
      const before = await refused('otlp/grpc', 'missing');
      const none = await call();
      expect(none.error?.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(none.error?.details).toBe(
        'authentication required: send Authorization: Bearer <token>',
      );
      expect((await call({ authorization: `Bearer ${TOKENS.admin}` })).error?.code).toBe(
        GrpcStatus.UNAUTHENTICATED,
      );
      expect(await refused('otlp/grpc', 'missing')).toBe(before + 1);
    });

    it('accepts a call with a configured token', async () => {
      const answer = await call({ authorization: `Bearer ${TOKENS.batch}` });
      expect(answer.error).toBeNull();
    });

    it('lets the OTel SDK gRPC exporter in with its token in metadata', async () => {
      const spans = recordSpan('auth-grpc-sdk');
      const url = `http://127.0.0.1:${daemon.grpcPort}`;
      const without = await exportWith(new GrpcExporter({ url }), spans);
      expect(without.code).toBe(ExportResultCode.FAILED);
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${TOKENS.agents}`);
      const withToken = await exportWith(new GrpcExporter({ url, metadata }), spans);
      expect(withToken.error).toBeUndefined();
      expect(await storedEventually(daemon.adminUrl, traceIdOf(spans), adminAuth)).toBe(1);
    });
  });

  describe('admin API', () => {
    it('needs the admin token under /api/, while health and metrics stay open', async () => {
      const sql = JSON.stringify({ sql: 'SELECT 1 AS one', format: 'JSONEachRow' });
      const url = `${daemon.adminUrl}/api/v1/query`;
      const headers = { 'Content-Type': JSON_TYPE };
      const none = await send(url, { method: 'POST', headers, body: sql });
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body.toString())).toEqual({
        error: {
          code: 'unauthorized',
          message: 'authentication required: send Authorization: Bearer <token>',
        },
      });
      const otlpToken = await send(url, {
        method: 'POST',
        headers: { ...headers, Authorization: `Bearer ${TOKENS.agents}` },
        body: sql,
      });
      expect(otlpToken.status).toBe(401);
      const ok = await send(url, {
        method: 'POST',
        headers: { ...headers, ...adminAuth.headers },
        body: sql,
      });
      expect(ok.status).toBe(200);
      expect((await send(`${daemon.adminUrl}/healthz`)).status).toBe(200);
      expect((await send(`${daemon.adminUrl}/metrics`)).status).toBe(200);
      expect(await refused('admin', 'missing')).toBeGreaterThanOrEqual(1);
    });
  });

  describe('the SQL endpoint is read-only', () => {
    const run = (sql: string) =>
      send(`${daemon.adminUrl}/api/v1/query`, {
        method: 'POST',
        headers: { 'Content-Type': JSON_TYPE, ...adminAuth.headers },
        body: JSON.stringify({ sql }),
      });
    const spans = () =>
      query(daemon.adminUrl, 'SELECT toUInt32(count()) AS n FROM faultline.otel_traces', adminAuth);

    it('refuses writes, DDL, setting changes and second statements by parsing (400)', async () => {
      const before = await spans();
      for (const sql of [
        'INSERT INTO faultline.otel_traces (TraceId) VALUES (1)',
        'DROP TABLE faultline.otel_traces',
        'ALTER TABLE faultline.otel_traces DELETE WHERE 1',
        'SELECT 1; DROP TABLE faultline.otel_traces',
        'SELECT 1 SETTINGS readonly = 0',
        'SET readonly = 0',
        "SELECT 1 INTO OUTFILE '/tmp/x'",
      ]) {
        const answer = await run(sql);
        expect(answer.status, sql).toBe(400);
        expect(JSON.parse(answer.body.toString()), sql).toMatchObject({
          error: { code: 'not_read_only' },
        });
      }
      expect(await spans()).toEqual(before);
    });

    it("refuses what passes the parser by ClickHouse's readonly setting (400)", async () => {
      for (const sql of [
        "SELECT * FROM file('/etc/hostname', 'LineAsString')",
        "SELECT * FROM file('/etc/hostname', 'LineAsString') -- trailing comment",
      ]) {
        const answer = await run(sql);
        expect(answer.status, sql).toBe(400);
        const { error } = JSON.parse(answer.body.toString()) as {
          error: { code: string; message: string };
        };
        expect(error.code, sql).toBe('not_read_only');
        expect(error.message, sql).toMatch(/readonly/i);
      }
    });
  });

  describe('secrets', () => {
    it('never shows a token value in logs or metrics', async () => {
      const metrics = (await send(`${daemon.adminUrl}/metrics`)).body.toString();
      const logs = daemon.logs();
      expect(logs).toMatch(/OTLP\/HTTP listening/);
      for (const value of Object.values(TOKENS)) {
        expect(logs).not.toContain(value);
        expect(metrics).not.toContain(value);
      }
    });
  });
});

describe('token configuration errors name the key, never the value', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-secrets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (command: string, yaml: string, env: Record<string, string>) => {
    const file = join(dir, `${command}.yaml`);
    writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, [CLI, command, '--config', file, file], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };

  const config = (adminPort: number) => `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
    auth:
      tokens:
        - { name: short, token: '\${env:FAULTLINE_TEST_SHORT}' }
        - { name: spaced, token: '\${env:FAULTLINE_TEST_SPACED}' }
exporters:
  clickhouse: {}
storage:
  path: ${join(dir, 'store')}
admin:
  endpoint: 127.0.0.1:${adminPort}
  bearer_token: \${env:FAULTLINE_TEST_ADMIN_SHORT}
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [clickhouse] }
`;
  const env = {
    FAULTLINE_TEST_SHORT: 'tooShort-3f9a',
    FAULTLINE_TEST_SPACED: 'long enough but has spaces 7c1e',
    FAULTLINE_TEST_ADMIN_SHORT: 'admin-9d2b',
  };

  it.each(['validate-config', 'serve'])('%s refuses the tokens without printing them', (cmd) => {
    const { status, output } = run(cmd, config(0), env);
    expect(status).not.toBe(0);
    expect(output).toMatch(/receivers\.otlp\.auth\.tokens\[0\]\.token/);
    expect(output).toMatch(/receivers\.otlp\.auth\.tokens\[1\]\.token/);
    expect(output).toMatch(/admin\.bearer_token/);
    for (const value of Object.values(env)) expect(output).not.toContain(value);
  });
});

describe('TLS on the OTLP receivers and the admin port', () => {
  let daemon: DaemonHandle;
  let dir: string;
  let certs: TestCertificates;
  const RATE = { requests_per_second: 1, burst: 5 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
    certs = createTestCertificates(dir);
    const serverTls = { cert_file: certs.certFile, key_file: certs.keyFile };
    daemon = await startDaemon({
      otlp: {
        grpc: { tls: serverTls },
        http: { tls: { ...serverTls, client_ca_file: certs.caFile } },
      },
      adminYaml:
        `  tls: ${JSON.stringify(serverTls)}\n` + `  rate_limit: ${JSON.stringify(RATE)}\n`,
      adminCa: certs.ca,
    });
  });

  afterAll(async () => {
    await daemon?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => ({ ca: certs.ca });
  const otlpHttps = () => `https://localhost:${daemon.httpPort}/v1/traces`;
  const clientCert = () => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });

  it('logs that each listener speaks TLS', () => {
    expect(daemon.logs()).toMatch(/"tls":true[^\n]*OTLP\/gRPC listening/);
    expect(daemon.logs()).toMatch(/"tls":true[^\n]*OTLP\/HTTP listening/);
  });

  it('accepts the OTel SDK gRPC exporter over TLS, and refuses a plaintext channel', async () => {
    const spans = recordSpan('tls-grpc-sdk');
    const url = `https://localhost:${daemon.grpcPort}`;
    const result = await exportWith(
      new GrpcExporter({ url, credentials: credentials.createSsl(certs.ca) }),
      spans,
    );
    expect(result.error).toBeUndefined();
    expect(await storedEventually(daemon.adminUrl, traceIdOf(spans), admin())).toBe(1);
    const plain = await grpcExport(`127.0.0.1:${daemon.grpcPort}`, protoRequest(randomBytes(16)));
    expect(plain.error?.code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('accepts HTTPS with a client certificate from the configured CA (mutual TLS)', async () => {
    const traceId = randomBytes(16);
    const answer = await send(otlpHttps(), {
      method: 'POST',
      headers: { 'Content-Type': PROTOBUF },
      body: protoRequest(traceId),
      ...clientCert(),
    });
    expect(answer.status).toBe(200);
    expect(await storedEventually(daemon.adminUrl, traceId.toString('hex'), admin())).toBe(1);
  });

  it('accepts the OTel SDK HTTP exporter over HTTPS with its client certificate', async () => {
    const spans = recordSpan('tls-http-sdk');
    const result = await exportWith(
      new ProtoExporter({ url: otlpHttps(), httpAgentOptions: clientCert() }),
      spans,
    );
    expect(result.error).toBeUndefined();
    expect(await storedEventually(daemon.adminUrl, traceIdOf(spans), admin())).toBe(1);
  });

  it('refuses clients without a certificate, with one from another CA, and plain HTTP', async () => {
    const body = protoRequest(randomBytes(16));
    const headers = { 'Content-Type': PROTOBUF };
    await expect(
      send(otlpHttps(), { method: 'POST', headers, body, ca: certs.ca }),
    ).rejects.toThrow();
    await expect(
      send(otlpHttps(), {
        method: 'POST',
        headers,
        body,
        ca: certs.ca,
        cert: certs.strangerCert,
        key: certs.strangerKey,
      }),
    ).rejects.toThrow();
    await expect(
      fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, { method: 'POST', headers, body }),
    ).rejects.toThrow();
    // A server certificate the client does not trust is refused by the client.
    await expect(send(`${daemon.adminUrl}/healthz`)).rejects.toThrow();
  });

  it('serves the admin port over HTTPS only', async () => {
    expect((await send(`${daemon.adminUrl}/healthz`, admin())).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${daemon.adminPort}/healthz`)).rejects.toThrow();
  });

  it('rate-limits /api/ per client with 429 and Retry-After, not health or metrics', async () => {
    const sql = JSON.stringify({ sql: 'SELECT 1', format: 'JSONEachRow' });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        send(`${daemon.adminUrl}/api/v1/query`, {
          method: 'POST',
          headers: { 'Content-Type': JSON_TYPE },
          body: sql,
          ...admin(),
        }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(12 - RATE.burst);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    for (const answer of limited) {
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(answer.body.toString())).toMatchObject({
        error: { code: 'rate_limited' },
      });
    }
    expect((await send(`${daemon.adminUrl}/healthz`, admin())).status).toBe(200);
    expect((await send(`${daemon.adminUrl}/metrics`, admin())).status).toBe(200);
    await sleep(Number(limited[0]!.headers['retry-after']) * 1000 + 100);
    expect(await query(daemon.adminUrl, 'SELECT 1 AS one', admin())).toEqual([{ one: 1 }]);
  });
});
