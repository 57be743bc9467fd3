/**
 * `storage.compression` on the embedded engine (chDB), over the real schema: the codecs tables
 * are created with, and an existing store switched both ways at start-up. The migrations' own
 * statements, run as written into a second database, are the reference for the Collector's
 * codecs (one chDB instance per process, and migrate records versions in the store's database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageSchema } from '../../src/storage/config.js';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { applyCompression, codecChanges } from '../../src/storage/lifecycle/compression.js';
import { migrate } from '../../src/storage/schema/migrate.js';
import { MIGRATIONS } from '../../src/storage/schema/migrations.js';
import { renderStatements } from '../../src/storage/schema/target.js';
import { queryRows } from '../../src/storage/sql.js';
import { silentLogger } from '../helpers/test-doubles.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-compression-'));
let store: EmbeddedStore;

/** `table.column` → `CODEC(…)` of every compressed column of `database`. */
async function codecs(database: string): Promise<Map<string, string>> {
  const rows = await queryRows<{ table: string; name: string; compression_codec: string }>(
    store,
    `SELECT table, name, compression_codec FROM system.columns
WHERE database = '${database}' AND compression_codec != '' ORDER BY table, name`,
  );
  return new Map(rows.map((r) => [`${r.table}.${r.name}`, r.compression_codec]));
}

let createdLz4: Map<string, string>;

const withCompression = (compression: 'lz4' | 'zstd') =>
  storageSchema.parse({ path: join(dir, 'store'), compression });

beforeAll(async () => {
  store = new EmbeddedStore(join(dir, 'store'), 'faultline', 512 * 1024 * 1024);
  await store.open();
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storage.compression', () => {
  it('creates tables with LZ4 by default, keeping Delta in front of it', async () => {
    const { compression } = storageSchema.parse({});
    expect(compression).toBe('lz4');
    await migrate(store, { database: 'faultline', compression }, silentLogger);
    createdLz4 = await codecs('faultline');
    expect(createdLz4.size).toBeGreaterThan(100);
    for (const [column, codec] of createdLz4) expect(codec, column).not.toContain('ZSTD');
    expect(createdLz4.get('otel_traces.Timestamp')).toBe('CODEC(Delta(8), LZ4)');
    expect(createdLz4.get('otel_traces.SpanAttributes')).toBe('CODEC(LZ4)');
    expect(createdLz4.get('otel_traces.Events.Attributes')).toBe('CODEC(LZ4)');
  });

  it('switches an existing store both ways to the codecs a fresh store has, rewriting no rows', async () => {
    await store.command('CREATE DATABASE as_written');
    for (const migration of MIGRATIONS) {
      for (const statement of migration.statements({ database: 'as_written' })) {
        await store.command(statement);
      }
    }
    const collectors = await codecs('as_written');
    expect(collectors.get('otel_traces.SpanAttributes')).toBe('CODEC(ZSTD(1))');
    expect(collectors.get('agent_traces.Document')).toBe('CODEC(ZSTD(3))');

    const span = { TraceId: 'kept', SpanName: 'chat', ServiceName: 'svc', Duration: 7 };
    await store.insert('otel_traces', Buffer.from(JSON.stringify(span)));
    const target = { database: 'faultline' };

    // Every level as the migrations wrote it, long text at ZSTD(3) included; then back.
    await applyCompression(store, withCompression('zstd'), target, silentLogger);
    expect(await codecs('faultline')).toEqual(collectors);
    await applyCompression(store, withCompression('lz4'), target, silentLogger);
    expect(await codecs('faultline')).toEqual(createdLz4);

    const kept = await queryRows<{ n: number; d: number }>(
      store,
      `SELECT count() AS n, any(Duration) AS d FROM faultline.otel_traces WHERE TraceId = 'kept'`,
    );
    expect(kept).toEqual([{ n: 1, d: 7 }]);
    const mutations = await queryRows(store, `SELECT * FROM system.mutations`);
    expect(mutations).toEqual([]);
  });

  it('leaves a table alone when its codecs are the configured ones', () => {
    const columns = [
      { table: 'otel_traces', name: 'SpanAttributes', compression_codec: 'CODEC(LZ4)' },
      { table: 'otel_traces', name: 'Timestamp', compression_codec: 'CODEC(Delta(8), LZ4)' },
      { table: 'otel_traces', name: 'Flags', compression_codec: 'CODEC(Delta(8))' },
    ];
    expect(codecChanges(columns, 'lz4', 'faultline')).toEqual([]);
    expect(codecChanges(columns, 'zstd', 'faultline')).toEqual([
      {
        table: 'otel_traces',
        columns: 2,
        statement:
          'ALTER TABLE faultline.otel_traces MODIFY COLUMN `SpanAttributes` CODEC(ZSTD(1)), MODIFY COLUMN `Timestamp` CODEC(Delta(8), ZSTD(1))',
      },
    ]);
  });

  it('renders the change for a cluster as ClickHouse parses it (no cluster runs here)', async () => {
    const [change] = codecChanges(
      [{ table: 'otel_traces', name: 'Events.Attributes', compression_codec: 'CODEC(ZSTD(1))' }],
      'lz4',
      'faultline',
    );
    const rendered = renderStatements([change!.statement], { database: 'faultline', cluster: 'c' });
    expect(rendered[0]).toBe(
      'ALTER TABLE faultline.otel_traces_local ON CLUSTER `c` MODIFY COLUMN `Events.Attributes` CODEC(LZ4)',
    );
    for (const statement of rendered) {
      await expect(store.query(`EXPLAIN AST ${statement}`, { format: 'TSV' })).resolves.toContain(
        'AlterQuery',
      );
    }
  });
});
