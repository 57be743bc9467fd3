import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { exportSpans } from '../helpers/agent-traces.js';
import { startDaemon, type DaemonHandle, type DaemonOptions } from '../helpers/daemon.js';

/**
 * Users counted out of the box: with no hmac_key configured, the daemon generates one into its
 * data directory at the first start and keeps using it, so a user id sent by the OTel SDK is
 * stored as the same pseudonym before and after a restart; a configured key still wins.
 */
const PIPELINE: DaemonOptions = {
  processorsYaml: '  redact: {}\n  assemble:\n    decision_wait: 200ms\n',
  pipelineProcessors: ['redact', 'assemble'],
};
const USER = 'ada@example.com';

async function sendUserSpan(daemon: DaemonHandle, name: string): Promise<void> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider
    .getTracer('hmac-test')
    .startSpan(name, { attributes: { 'user.id': USER, 'gen_ai.operation.name': 'chat' } })
    .end();
  await exportSpans(
    new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
    memory.getFinishedSpans(),
  );
}

const userHashOf = async (daemon: DaemonHandle, name: string): Promise<string> => {
  const rows = await daemon.queryUntil<{ UserHash: string; user: string }>(
    `SELECT UserHash, SpanAttributes['user.id'] AS user FROM faultline.otel_traces WHERE SpanName = '${name}'`,
    (r) => r.length === 1,
  );
  expect(rows[0]!.user).toBe(rows[0]!.UserHash); // the attribute itself is the pseudonym
  return rows[0]!.UserHash;
};

describe('generated HMAC key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-hmac-'));
  const keyFile = join(dataDir, 'store', 'redaction-hmac.key');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is generated once, owner-only, logged with its path, and keeps pseudonyms stable', async () => {
    const first = await startDaemon({ ...PIPELINE, dataDir });
    await sendUserSpan(first, 'before-restart');
    const before = await userHashOf(first, 'before-restart');
    const firstLogs = first.logs();
    expect(await first.stop()).toBe(0);

    expect(before).toMatch(/^[0-9a-f]{32}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');
    expect(firstLogs).toContain('generated one for user-id pseudonyms');
    expect(firstLogs).toContain(keyFile);
    expect(firstLogs).not.toContain(key.trim());
    expect(firstLogs).not.toContain(USER);

    const second = await startDaemon({ ...PIPELINE, dataDir });
    await sendUserSpan(second, 'after-restart');
    expect(await userHashOf(second, 'after-restart')).toBe(before);
    expect(second.logs()).not.toContain('generated one');
    expect(await second.stop()).toBe(0);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
  });

  it('gives way to a configured key', async () => {
    const configured = await startDaemon({
      processorsYaml: `  redact: { hmac_key: configured-key-0123456789 }\n  assemble:\n    decision_wait: 200ms\n`,
      pipelineProcessors: ['redact', 'assemble'],
    });
    try {
      await sendUserSpan(configured, 'configured');
      const hash = await userHashOf(configured, 'configured');
      const expected = createHmac('sha256', 'configured-key-0123456789').update(USER);
      expect(hash).toBe(expected.digest('hex').slice(0, 32));
      expect(configured.logs()).not.toContain('generated one');
    } finally {
      await configured.cleanup();
    }
  });
});
