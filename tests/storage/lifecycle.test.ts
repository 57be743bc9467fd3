/**
 * Retention, archival and storage use on the embedded engine (chDB), over the real schema.
 * One data directory for the file: closing the store and opening it again is the restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/reports/build.js';
import { reportPeriod } from '../../src/reports/period.js';
import { renderReport } from '../../src/reports/render.js';
import { storageSchema, type StorageConfig } from '../../src/storage/config.js';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { archiveExpiring, listArchive } from '../../src/storage/lifecycle/archive.js';
import { applyRetention } from '../../src/storage/lifecycle/retention.js';
import { storageUsage } from '../../src/storage/lifecycle/usage.js';
import { migrate } from '../../src/storage/schema/migrate.js';
import { silentLogger } from '../helpers/test-doubles.js';

const DAY_MS = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'faultline-lifecycle-'));
const database = 'faultline';
let store: EmbeddedStore;

const configWith = (storage: Record<string, unknown>): StorageConfig =>
  storageSchema.parse({ path: join(dir, 'store'), ...storage });

async function restart(config: StorageConfig): Promise<void> {
  await store?.close();
  store = new EmbeddedStore(join(dir, 'store'), database, 512 * 1024 * 1024);
  await store.open();
  await migrate(store, { database }, silentLogger);
  await applyRetention(store, config, { database }, silentLogger);
}

const rows = async <T>(sql: string): Promise<T[]> =>
  (await store.query(sql, { format: 'JSONEachRow' }))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

const count = async (sql: string): Promise<number> =>
  Number((await rows<{ n: string }>(`SELECT count() AS n FROM ${sql}`))[0]!.n);

const createTable = async (table: string): Promise<string> =>
  (await store.query(`SHOW CREATE TABLE ${database}.${table}`, { format: 'TSVRaw' })).trim();

/** Spans `daysAgo` days old, `n` of them, with SDK-like columns. */
async function insertSpans(daysAgo: number, n: number): Promise<void> {
  const ts = BigInt(Date.now() - daysAgo * DAY_MS) * 1_000_000n;
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      Timestamp: String(ts + BigInt(i)),
      TraceId: `trace-${daysAgo}-${i}`,
      SpanId: `span-${i}`,
      SpanName: 'chat',
      ServiceName: 'svc',
      Duration: 1000 + i,
    }),
  );
  await store.insert('otel_traces', Buffer.from(lines.join('\n')));
}

beforeAll(async () => {
  await restart(configWith({}));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('retention', () => {
  it('gives every table its default retention, the roll-ups longer than the spans', async () => {
    expect(await createTable('otel_traces')).toContain(
      'TTL toDateTime(Timestamp) + toIntervalSecond(2592000)',
    );
    expect(await createTable('otel_traces')).toContain('ttl_only_drop_parts = 1');
    expect(await createTable('otel_traces_1m')).toContain(
      'TTL toDateTime(Minute) + toIntervalSecond(31536000)',
    );
    expect(await createTable('failures')).toContain('toIntervalSecond(31536000)');
    expect(await createTable('agent_traces')).toContain('toIntervalSecond(7776000)');
    expect(await createTable('otel_logs')).toContain('toIntervalSecond(2592000)');
    expect(await createTable('exports')).toContain('toIntervalSecond(31536000)');
    // A signature's review status is kept as long as its failures; the roll-ups outlive them.
    expect(await createTable('signature_status')).toContain(
      'TTL toDateTime(ChangedAt) + toIntervalSecond(31536000)',
    );
    expect(await createTable('failure_signatures')).toContain(
      'TTL toDateTime(LastSeen) + toIntervalSecond(63072000)',
    );
    for (const rollUp of ['failure_signatures_1h', 'failure_symptoms_1h']) {
      expect(await createTable(rollUp)).toContain(
        'TTL toDateTime(Hour) + toIntervalSecond(63072000)',
      );
    }
  });

  it('applies a changed retention at the next start, and expired rows go at OPTIMIZE FINAL', async () => {
    await insertSpans(10, 5);
    await insertSpans(1, 3);
    expect(await count(`${database}.otel_traces`)).toBe(8);

    await restart(configWith({ retention: { otel_traces: '5d' } }));
    expect(await createTable('otel_traces')).toContain(
      'TTL toDateTime(Timestamp) + toIntervalSecond(432000)',
    );
    await store.command(`OPTIMIZE TABLE ${database}.otel_traces FINAL`);
    expect(await count(`${database}.otel_traces`)).toBe(3);
  });

  it('reads the old storage.ttl as the spans retention, and 0 removes the TTL', async () => {
    await restart(configWith({ ttl: '7d' }));
    expect(await createTable('otel_traces')).toContain('toIntervalSecond(604800)');
    await restart(configWith({ retention: { otel_traces: 0 } }));
    expect(await createTable('otel_traces')).not.toContain('TTL');
  });
});

describe('archival', () => {
  it('writes expiring days to Parquet files whose rows match, readable with file()', async () => {
    await insertSpans(20, 7);
    await insertSpans(19, 4);
    const config = configWith({
      retention: { otel_traces: '21d' },
      archive: { path: join(dir, 'archive'), ahead: '2d' },
    });
    await restart(config);
    const written = await archiveExpiring(store, config, silentLogger);
    const spans = written.filter((file) => file.table === 'otel_traces');
    // Day 20 ends 19 days ago and expires within 2 days; day 19 does not yet.
    expect(spans).toHaveLength(1);
    const [file] = spans;
    const day = new Date(Date.now() - 20 * DAY_MS).toISOString().slice(0, 10);
    expect(file!.day).toBe(day);
    expect(file!.path.endsWith(`otel_traces/otel_traces-${day}.parquet`)).toBe(true);
    const archived = await count(`file('${file!.path}', 'Parquet')`);
    const stored = await count(
      `${database}.otel_traces WHERE toDate(Timestamp) = toDate('${day}')`,
    );
    expect(archived).toBe(7);
    expect(archived).toBe(stored);
    // A glob reads a whole table's archive back; a second pass writes nothing again.
    expect(await count(`file('${join(dir, 'archive')}/otel_traces/*.parquet', 'Parquet')`)).toBe(7);
    expect(
      (await archiveExpiring(store, config, silentLogger)).filter((f) => f.table === 'otel_traces'),
    ).toHaveLength(0);
    expect(listArchive(join(dir, 'archive')).map((f) => f.day)).toContain(day);

    // faultline report lists what was archived.
    const scope = { database, archivePath: join(dir, 'archive') };
    const report = await buildReport(store, scope, reportPeriod('7d'));
    expect(report.storage.archive).toContainEqual({
      table: 'otel_traces',
      day,
      path: file!.path,
      bytes: file!.bytes,
    });
    expect(renderReport(report, 'md')).toContain(`| otel\\_traces | ${day} |`);
  });
});

describe('storage use', () => {
  it('reports rows, parts, bytes and compression per table as system.parts has them', async () => {
    const usage = await storageUsage(store, { database });
    const spans = usage.find((table) => table.table === 'otel_traces')!;
    expect(spans.rows).toBe(await count(`${database}.otel_traces`));
    expect(spans.parts).toBeGreaterThan(0);
    expect(spans.bytesOnDisk).toBeGreaterThan(0);
    expect(spans.compressionRatio).toBeGreaterThan(0);
  });
});
