import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pseudonymizer } from '../../../src/processors/redact/pseudonym.js';
import { startDaemon, type DaemonHandle } from '../../helpers/daemon.js';

/**
 * End to end: a daemon whose pipeline starts with the redact processor receives spans full of
 * personal data and secrets over OTLP (HTTP/JSON for every value type, HTTP/protobuf from the
 * OpenTelemetry SDK). No original value may be found by SQL in any column of any table, in
 * /metrics or in the daemon's logs.
 */

const KEY = 'e2e-only-hmac-key-0123456789abcdef';
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every value that must not be stored, by what it is. */
const PII = {
  email: 'jane.doe@example.com',
  otherEmail: 'ops.lead@example.org',
  phone: '+1 415-555-0132',
  phoneDigits: '4155550132',
  card: '4111 1111 1111 1111',
  cardDigits: '5555555555554444',
  ssn: '123-45-6789',
  iban: 'DE89 3704 0044 0532 0130 00',
  ip: '203.0.113.77',
  ipv6: '2001:db8::8a2e:370:7334',
  jwt: `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'user_42' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`,
  apiKey: 'sk-proj-AbCdEf0123456789_abcdEFGH-ijklmnop',
  githubToken: 'ghp_1234567890abcdefghijABCDEFGHIJ123456',
  bearer: 'Zx9Yw8Vu7Ts6Rq5Po4Nm3',
  urlPassword: 's3cretPw!',
  password: 'hunter22-pass',
  userId: 'user-8d1f2a',
};

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One OTLP/JSON request using every attribute value type, with PII in every string field. */
function otlpJsonRequest() {
  const messages = JSON.stringify([
    { role: 'system', content: 'You are a billing agent.' },
    { role: 'user', content: `I am ${PII.email}, call ${PII.phone}. My IBAN is ${PII.iban}.` },
    {
      role: 'assistant',
      tool_calls: [
        {
          function: {
            name: 'refund',
            arguments: JSON.stringify({ card: PII.cardDigits, ssn: PII.ssn }),
          },
        },
      ],
    },
  ]);
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'pii-e2e'),
            str('host.owner', PII.otherEmail),
            str('user.email', PII.email),
          ],
        },
        scopeSpans: [
          {
            scope: {
              name: `billing for ${PII.email}`,
              version: '1.2.3.4',
              attributes: [str('owner', PII.otherEmail)],
            },
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: `refund ${PII.email}`,
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000001000000000',
                traceState: `vendor=${PII.phone}`,
                attributes: [
                  str(
                    'gen_ai.prompt',
                    `card ${PII.card}, ssn ${PII.ssn}, from ${PII.ip} / ${PII.ipv6}`,
                  ),
                  str('gen_ai.input.messages', messages),
                  str(
                    'input.value',
                    JSON.stringify({ query: `refund for ${PII.email}`, token: PII.jwt }),
                  ),
                  str('http.request.header.authorization', `Bearer ${PII.bearer}`),
                  str(
                    'db.connection_string',
                    `postgres://app:${PII.urlPassword}@db.internal:5432/app`,
                  ),
                  str('db.password', PII.password),
                  str(
                    'log.message',
                    `retrying with Bearer ${PII.bearer}, key ${PII.apiKey}, session ${PII.jwt}`,
                  ),
                  str('user.id', PII.userId),
                  { key: 'user.phone', value: { intValue: PII.phoneDigits } },
                  {
                    key: 'tags',
                    value: {
                      arrayValue: {
                        values: [{ stringValue: 'vip' }, { stringValue: PII.otherEmail }],
                      },
                    },
                  },
                  {
                    key: 'request',
                    value: {
                      kvlistValue: {
                        values: [
                          str('authorization', `token ${PII.githubToken}`),
                          {
                            key: 'nested',
                            value: { kvlistValue: { values: [str('contact', PII.email)] } },
                          },
                        ],
                      },
                    },
                  },
                  {
                    key: 'raw',
                    value: { bytesValue: Buffer.from(`raw ${PII.email}`).toString('base64') },
                  },
                  str('gen_ai.request.model', 'gpt-4o-2024-08-06'),
                  { key: 'gen_ai.usage.input_tokens', value: { intValue: '1234' } },
                ],
                events: [
                  {
                    timeUnixNano: '1700000000500000000',
                    name: `exception for ${PII.email}`,
                    attributes: [
                      str('exception.type', 'RefundError'),
                      str('exception.message', `card ${PII.card} declined for ${PII.email}`),
                      str(
                        'exception.stacktrace',
                        `at refund (https://app:${PII.urlPassword}@api.example.com/v2)\n  user ${PII.phone}`,
                      ),
                    ],
                  },
                ],
                links: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: '00f067aa0ba902b7',
                    attributes: [
                      str('link.reason', `retry of ${PII.otherEmail} with ${PII.githubToken}`),
                    ],
                  },
                ],
                status: { code: 2, message: `refund to ${PII.iban} failed for ${PII.email}` },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A span from the OpenTelemetry SDK, exported as OTLP/HTTP protobuf. */
async function exportSdkSpan(daemon: DaemonHandle): Promise<void> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'pii-e2e-sdk', 'enduser.id': PII.userId }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const span = provider.getTracer('pii-e2e').startSpan(`send to ${PII.email}`, {
    attributes: {
      'gen_ai.prompt': `reach me at ${PII.phone}`,
      'net.peer.ip': PII.ip,
      emails: [PII.email, PII.otherEmail],
    },
  });
  span.addEvent('exception', { 'exception.message': `bad card ${PII.card}` });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `for ${PII.email}` });
  span.end();
  const exporter = new ProtoExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` });
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(memory.getFinishedSpans(), resolve),
  );
  await exporter.shutdown();
  if (result.code !== 0) throw result.error ?? new Error('export failed');
}

/** Which original values occur in `text`, by name. */
function leaks(text: string): string[] {
  return Object.entries(PII)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => name);
}

describe('a daemon with the redact processor', () => {
  let daemon: DaemonHandle;
  let stored: Record<string, unknown[]>;

  beforeAll(async () => {
    daemon = await startDaemon({
      processorsYaml: '  redact:\n    hmac_key: ${env:FAULTLINE_REDACTION_KEY}\n',
      pipelineProcessors: ['redact'],
      env: { FAULTLINE_REDACTION_KEY: KEY },
    });
    const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(otlpJsonRequest()),
    });
    expect(response.status).toBe(200);
    await exportSdkSpan(daemon);
    // Every column of every table and view in the database, as ClickHouse returns it.
    const tables = await daemon.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'faultline' ORDER BY name",
    );
    stored = {};
    for (const { name } of tables)
      stored[name] = await daemon.query(`SELECT * FROM faultline.\`${name}\``);
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  it('stores both spans', () => {
    const names = (stored.otel_traces as { ServiceName: string }[])
      .map((r) => r.ServiceName)
      .sort();
    expect(names).toEqual(['pii-e2e', 'pii-e2e-sdk']);
  });

  it('stores no original value in any column of any table', () => {
    for (const [table, rows] of Object.entries(stored)) {
      expect(leaks(JSON.stringify(rows)), `values found in faultline.${table}`).toEqual([]);
    }
  });

  it('stores tokens, pseudonyms and the audit attributes in their place', () => {
    const row = (stored.otel_traces as Record<string, unknown>[]).find(
      (r) => r.ServiceName === 'pii-e2e',
    )!;
    const spanAttributes = row.SpanAttributes as Record<string, string>;
    const pseudonyms = new Pseudonymizer(KEY);
    expect(row.SpanName).toBe('refund <EMAIL>');
    expect(row.StatusMessage).toBe('refund to <IBAN> failed for <EMAIL>');
    expect(row.TraceState).toBe('vendor=<PHONE>');
    expect(spanAttributes['user.id']).toBe(pseudonyms.of(PII.userId));
    expect((row.ResourceAttributes as Record<string, string>)['user.email']).toBe(
      pseudonyms.of(PII.email),
    );
    expect(spanAttributes['db.password']).toBe('<REDACTED>');
    expect(spanAttributes['user.phone']).toBe('<PHONE>');
    expect(spanAttributes['gen_ai.request.model']).toBe('gpt-4o-2024-08-06');
    expect(spanAttributes['gen_ai.usage.input_tokens']).toBe('1234');
    expect(Number(spanAttributes['redaction.count'])).toBeGreaterThan(20);
    expect(JSON.parse(spanAttributes['redaction.entities']!)).toEqual(
      expect.arrayContaining([
        'email',
        'phone',
        'credit_card',
        'us_ssn',
        'iban',
        'ip_address',
        'jwt',
        'api_key',
        'bearer_token',
        'url_credentials',
        'blocked_key',
        'hashed_key',
      ]),
    );
    expect(JSON.parse(spanAttributes['gen_ai.input.messages']!)).toMatchObject([
      { role: 'system', content: 'You are a billing agent.' },
      { role: 'user', content: 'I am <EMAIL>, call <PHONE>. My IBAN is <IBAN>.' },
      // JSON inside JSON: the arguments string is parsed and redacted too (`ssn` is a blocked key).
      { tool_calls: [{ function: { arguments: '{"card":"<CREDIT_CARD>","ssn":"<REDACTED>"}' } }] },
    ]);
  });

  it('counts redactions by entity in /metrics, with no original value there', async () => {
    const metrics = await (await fetch(`${daemon.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/faultline_redactions_total\{entity="email"\} \d+/);
    expect(metrics).toMatch(/faultline_redactions_total\{entity="hashed_key"\} \d+/);
    expect(leaks(metrics)).toEqual([]);
  });

  it('writes no original value to its logs', () => {
    expect(daemon.logs()).toContain('redacting spans');
    expect(leaks(daemon.logs())).toEqual([]);
  });
});
