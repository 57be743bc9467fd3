/**
 * A changed storage.retention takes effect on an existing store at the daemon's next start:
 * spans sent by the OTel SDK with past timestamps, the daemon restarted with a shorter
 * retention, `SHOW CREATE TABLE` shows the new TTL, and OPTIMIZE … FINAL drops the old rows.
 */
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { exportSpans } from '../helpers/agent-traces.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

const DAY_MS = 86_400_000;
let daemon: DaemonHandle | undefined;
let dataDir = '';

const withRetention = (spans: string) => ({
  storageYaml: `  engine: embedded\n  path: ${join(dataDir, 'store')}\n  retention:\n    otel_traces: ${spans}`,
  dataDir,
});

afterAll(async () => {
  await daemon?.cleanup();
});

it('applies a changed retention at restart, and expired spans go at OPTIMIZE FINAL', async () => {
  daemon = await startDaemon();
  dataDir = daemon.dataDir;
  await daemon.stop();
  daemon = await startDaemon(withRetention('30d'));

  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'retention' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('faultline-retention-test');
  for (const daysAgo of [10, 10, 10, 1, 1]) {
    const at = Date.now() - daysAgo * DAY_MS;
    tracer.startSpan(`step ${daysAgo}`, { startTime: at }).end(at + 5);
  }
  await exportSpans(
    new OTLPTraceExporter({ url: `http://127.0.0.1:${daemon.httpPort}/v1/traces` }),
    memory.getFinishedSpans(),
  );
  await daemon.queryUntil<{ n: string }>(
    'SELECT count() AS n FROM faultline.otel_traces',
    (rows) => Number(rows[0]?.n) === 5,
  );
  const [before] = await daemon.query<{ statement: string }>(
    'SHOW CREATE TABLE faultline.otel_traces',
  );
  expect(before!.statement).toContain('toIntervalSecond(2592000)');

  await daemon.stop();
  daemon = await startDaemon(withRetention('5d'));
  const [after] = await daemon.query<{ statement: string }>(
    'SHOW CREATE TABLE faultline.otel_traces',
  );
  expect(after!.statement).toContain('TTL toDateTime(Timestamp) + toIntervalSecond(432000)');
  expect(daemon.logs()).toContain('applying retention');
  await daemon.stop();

  // OPTIMIZE is not read-only SQL, so the test opens the stopped daemon's store itself.
  const store = new EmbeddedStore(join(dataDir, 'store'), 'faultline', 512 * 1024 * 1024);
  await store.open();
  try {
    await store.command('OPTIMIZE TABLE faultline.otel_traces FINAL');
    const left = await store.query('SELECT SpanName FROM faultline.otel_traces ORDER BY SpanName', {
      format: 'TSV',
    });
    expect(left.trim().split('\n')).toEqual(['step 1', 'step 1']);
  } finally {
    await store.close();
  }
});
