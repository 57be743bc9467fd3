import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/schema/migrations.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { jsonRequest as jsonRequestFor, postJson } from '../helpers/otlp-json.js';

const send = postJson;
const jsonRequest = (traceId: string, count: number) =>
  jsonRequestFor(traceId, count, 'restart-test');

const countSpans = async (daemon: DaemonHandle, traceId: string): Promise<number> => {
  const [row] = await daemon.query<{ n: string }>(
    `SELECT toString(count()) AS n FROM faultline.otel_traces WHERE TraceId = '${traceId}'`,
  );
  return Number(row?.n);
};

describe('the embedded engine across restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-restart-'));
  const running: DaemonHandle[] = [];
  const start = async () => {
    const daemon = await startDaemon({ dataDir });
    running.push(daemon);
    return daemon;
  };

  afterAll(async () => {
    for (const daemon of running) await daemon.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies each migration once and keeps stored spans', async () => {
    const first = await start();
    expect(await send(first, jsonRequest('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1', 5))).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await start();
    expect(await countSpans(second, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1')).toBe(5);
    const versions = await second.query<{ Version: number; n: string }>(
      'SELECT Version, toString(count()) AS n FROM faultline.schema_migrations GROUP BY Version ORDER BY Version',
    );
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ Version: m.version, n: '1' })));
    expect(second.logs()).not.toContain('applying schema migration');
    expect(await second.stop()).toBe(0);
  });

  it('keeps the table definitions unchanged when migrations run again', async () => {
    const daemon = await start();
    const tables = await daemon.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = 'faultline' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual([
      'agent_traces',
      'alerts',
      'exports',
      'failure_signatures',
      'failure_signatures_1h',
      'failure_signatures_1h_mv',
      'failure_signatures_mv',
      'failure_status_changes',
      'failure_symptoms_1h',
      'failure_symptoms_1h_mv',
      'failures',
      'incidents',
      'otel_logs',
      'otel_traces',
      'otel_traces_1m',
      'otel_traces_1m_mv',
      'otel_traces_trace_id_ts',
      'otel_traces_trace_id_ts_mv',
      'schema_migrations',
      'signature_status',
    ]);
    expect(await daemon.stop()).toBe(0);
  });
});

describe('graceful shutdown on SIGTERM', () => {
  /** Sends 10 requests of 20 spans while batches wait a minute; resolves with the statuses. */
  const sendWhileBatchesWait = (daemon: DaemonHandle, prefix: string) =>
    Array.from({ length: 10 }, (_, i) =>
      send(daemon, jsonRequest(`${prefix}${i.toString().padStart(2, '0')}`, 20)),
    );
  const waitForMetric = async (daemon: DaemonHandle, pattern: RegExp) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (pattern.test(await (await fetch(`${daemon.adminUrl}/metrics`)).text())) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`metrics never matched ${pattern}`);
  };
  const storedAfterRestart = async (dataDir: string, prefix: string) => {
    const again = await startDaemon({ dataDir });
    try {
      const [row] = await again.query<{ n: string }>(
        `SELECT toString(count()) AS n FROM faultline.otel_traces WHERE TraceId LIKE '${prefix}%'`,
      );
      return Number(row?.n);
    } finally {
      await again.kill();
    }
  };
  const batchesWaitAMinute = '    batch:\n      timeout: 60s\n      max_rows: 1000000';

  it('delivers the durable queue before exiting 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-sigterm-'));
    const prefix = 'dddddddddddddddddddddddddddddd';
    const daemon = await startDaemon({ dataDir, exporterYaml: batchesWaitAMinute });
    try {
      // Acknowledged once logged: the batch is still waiting when the clients have their 200s.
      expect(await Promise.all(sendWhileBatchesWait(daemon, prefix))).toEqual(Array(10).fill(200));
      await waitForMetric(
        daemon,
        /faultline_queue_rows\{exporter="clickhouse",table="otel_traces"\} 200\b/,
      );
      expect(await daemon.stop()).toBe(0);
      expect(await storedAfterRestart(dataDir, prefix)).toBe(200);
    } finally {
      await daemon.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('without the queue, flushes requests still waiting for their batch, acknowledges them, and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-sigterm-'));
    const prefix = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const daemon = await startDaemon({
      dataDir,
      exporterYaml: batchesWaitAMinute,
      queue: { enabled: false },
    });
    try {
      const inFlight = sendWhileBatchesWait(daemon, prefix);
      // Only the shutdown flush can store these spans and let their requests be answered.
      await waitForMetric(
        daemon,
        /faultline_exporter_pending_rows\{exporter="clickhouse",table="otel_traces"\} 200\b/,
      );
      const exitCode = daemon.stop();
      expect(await Promise.all(inFlight)).toEqual(Array(10).fill(200));
      expect(await exitCode).toBe(0);
      expect(await storedAfterRestart(dataDir, prefix)).toBe(200);
    } finally {
      await daemon.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('storage.create_schema: false', () => {
  it('refuses to start on a store without the tables, saying what to do', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'faultline-noschema-'));
    try {
      const failure = await startDaemon({
        dataDir,
        storageYaml: `  engine: embedded\n  path: ${join(dataDir, 'store')}\n  create_schema: false`,
      }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(failure).toContain('daemon exited with 1');
      expect(failure).toContain('faultline.otel_traces does not exist');
      expect(failure).toContain('storage.create_schema: true');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
