/**
 * The schema rendered for a ClickHouse cluster, for every migration: ON CLUSTER everywhere,
 * Replicated engines under `_local` names, a Distributed table under each queried name. No
 * cluster runs here, so the cluster DDL is checked by ClickHouse's parser (EXPLAIN AST on
 * chDB) and by its shape; the single-server form runs on chDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { migrate } from '../../src/storage/schema/migrate.js';
import {
  MIGRATIONS,
  WIDE_TABLE_GRANULE_BYTES,
  type Migration,
} from '../../src/storage/schema/migrations.js';
import type { Store } from '../../src/storage/store.js';
import { renderStatements } from '../../src/storage/schema/target.js';
import { silentLogger } from '../helpers/test-doubles.js';

const database = 'faultline';
const cluster = 'fleet';
const options = { database };
const dir = mkdtempSync(join(tmpdir(), 'faultline-cluster-ddl-'));
let store: EmbeddedStore;

beforeAll(async () => {
  store = new EmbeddedStore(join(dir, 'store'), database, 512 * 1024 * 1024);
  await store.open();
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const tableName = (statement: string): string | undefined =>
  /^CREATE TABLE IF NOT EXISTS \w+\.(\w+)/.exec(statement)?.[1];

describe.each(MIGRATIONS.map((migration) => [migration.version, migration] as const))(
  'migration %i on a cluster',
  (_, migration) => {
    const single = migration.statements(options);
    const rendered = renderStatements(single, { database, cluster });

    it('runs every statement ON CLUSTER', () => {
      for (const statement of rendered) expect(statement).toContain(`ON CLUSTER \`${cluster}\``);
    });

    it('creates each table as a Replicated _local table with a Distributed table under its name', () => {
      const created = single.map(tableName).filter((name) => name !== undefined);
      for (const name of created) {
        const local = rendered.find((s) => tableName(s) === `${name}_local`);
        expect(local, name).toMatch(
          /\nENGINE = Replicated(Replacing|Aggregating)?MergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'/,
        );
        const original = single.find((s) => tableName(s) === name)!;
        if (original.includes('ReplacingMergeTree(Version)')) {
          expect(local).toContain(
            `ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', Version)`,
          );
        }
        const distributed = rendered.find((s) => tableName(s) === name);
        expect(distributed, name).toContain(`AS ${database}.${name}_local`);
        expect(distributed).toMatch(
          new RegExp(`ENGINE = Distributed\\('${cluster}', '${database}', '${name}_local', .+\\)$`),
        );
      }
    });

    it('points materialized views and ALTERs at the local tables', () => {
      for (const statement of rendered) {
        if (statement.startsWith('CREATE MATERIALIZED VIEW')) {
          expect(statement).toMatch(/\nTO \w+\.\w+_local\n/);
          expect(statement).toMatch(/FROM \w+\.\w+_local\n/);
        }
      }
      const alters = single.filter((s) => s.startsWith('ALTER TABLE'));
      for (const alter of alters) {
        const name = /^ALTER TABLE \w+\.(\w+)/.exec(alter)![1];
        expect(
          rendered.some((s) => s.startsWith(`ALTER TABLE ${database}.${name}_local ON CLUSTER`)),
        ).toBe(true);
      }
    });

    it('is DDL that ClickHouse parses', async () => {
      for (const statement of rendered) {
        await expect(store.query(`EXPLAIN AST ${statement}`, { format: 'TSV' })).resolves.toContain(
          'Query',
        );
      }
    });

    it('leaves the single-server form unchanged', () => {
      expect(renderStatements(single, { database })).toEqual(single);
    });
  },
);

describe('the single-server form', () => {
  it('runs on chDB and creates the tables the queries name', async () => {
    await migrate(store, options, silentLogger);
    const tables = await store.query(
      `SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name`,
      { format: 'TSV' },
    );
    for (const name of [
      'otel_traces',
      'agent_traces',
      'failures',
      'alerts',
      'incidents',
      'otel_traces_1m',
    ]) {
      expect(tables.split('\n')).toContain(name);
    }
  });

  /** Migrates, then expects `setting` on the three wide tables and not on `failures`. */
  async function expectOnWideTablesOnly(setting: RegExp, name: string): Promise<void> {
    await migrate(store, options, silentLogger);
    const created = (table: string) =>
      store.query(`SHOW CREATE TABLE ${database}.${table}`, { format: 'TSVRaw' });
    for (const table of ['otel_traces', 'otel_logs', 'agent_traces']) {
      expect(await created(table), table).toMatch(setting);
    }
    expect(await created('failures')).not.toContain(name);
  }

  it('merges the wide tables column by column from their first rows', async () => {
    await expectOnWideTablesOnly(
      /vertical_merge_algorithm_min_rows_to_activate = 1\b/,
      'vertical_merge_algorithm',
    );
  });

  it('lets the wide tables gather 20 parts of a size before merging them', async () => {
    await expectOnWideTablesOnly(/merge_selector_base = 20\b/, 'merge_selector_base');
  });

  it('skips a migration that sets a MergeTree setting the engine lacks, until it has it', async () => {
    // Versions far beyond the shipped ones, recorded beside them in the store's database.
    const table = {
      version: 1001,
      description: 'a table to tune',
      statements: () => [
        `CREATE TABLE IF NOT EXISTS ${database}.tuned (a UInt8) ENGINE = MergeTree ORDER BY a`,
      ],
    };
    const tuning = (version: number, setting: string, value: number) => ({
      version,
      description: `tuning ${version}`,
      mergeTreeSettings: [setting],
      statements: () => [`ALTER TABLE ${database}.tuned MODIFY SETTING ${setting} = ${value}`],
    });
    const recorded = () =>
      store.query(
        `SELECT DISTINCT Version FROM ${database}.schema_migrations WHERE Version > 1000 ORDER BY Version`,
        { format: 'TSV' },
      );

    const ran = await migrate(store, options, silentLogger, [
      table,
      tuning(1002, 'no_such_merge_tree_setting', 1),
      tuning(1003, 'merge_selector_base', 7),
    ]);

    expect(ran).toEqual([1001, 1003]);
    expect(await recorded()).toBe('1001\n1003\n');
    // Asked again at every start: once the engine knows the setting, the migration applies.
    const later = await migrate(store, options, silentLogger, [
      table,
      tuning(1002, 'merge_selector_base', 9),
      tuning(1003, 'merge_selector_base', 7),
    ]);
    expect(later).toEqual([1002]);
    const created = await store.query(`SHOW CREATE TABLE ${database}.tuned`, { format: 'TSVRaw' });
    expect(created).toMatch(/merge_selector_base = 9\b/);
  });

  /** Inserts `rows` spans of ~1 KiB into `otel_traces` in one part; returns its `column`. */
  async function insertOnePart(rows: number, column: string): Promise<string> {
    await store.command(`INSERT INTO ${database}.otel_traces
      (Timestamp, TraceId, SpanId, ServiceName, SpanAttributes)
      SELECT now64(9), toString(number), toString(number), 'one-part',
             map('gen_ai.prompt', repeat('x', 1000))
      FROM numbers(${rows})`);
    const parts = await store.query(
      `SELECT ${column} FROM system.parts
       WHERE database = '${database}' AND table = 'otel_traces' AND active AND rows = ${rows}`,
      { format: 'TSV' },
    );
    return parts.trim();
  }

  it('writes an insert larger than the engine default of 10 MiB as one compact part', async () => {
    await migrate(store, options, silentLogger);
    // ~12 MiB uncompressed: a wide part (a file per column stream) under the default.
    expect(await insertOnePart(12000, 'part_type')).toBe('Compact');
  });

  it('creates the wide tables with granules of at most 2 MiB, so a merge holds less of each part', async () => {
    await expectOnWideTablesOnly(
      new RegExp(`index_granularity_bytes = ${WIDE_TABLE_GRANULE_BYTES}\\b`),
      'index_granularity_bytes',
    );
    // ~6 MiB in one part: one granule under the engine's default of 10 MiB.
    expect(Number(await insertOnePart(6000, 'marks'))).toBeGreaterThanOrEqual(3);
  });

  it('creates the wide tables as written on an engine without index_granularity_bytes', async () => {
    // Versions far beyond the shipped ones; the tables go to databases of their own.
    const creating = (version: number, name: string): Migration => ({
      version,
      description: `otel_traces in ${name}`,
      statements: () => [
        `CREATE DATABASE IF NOT EXISTS ${name}`,
        `CREATE TABLE IF NOT EXISTS ${name}.otel_traces\n(a UInt8)\nENGINE = MergeTree\nORDER BY a\nSETTINGS index_granularity = 8192`,
      ],
    });
    // ClickHouse before 19.11, as the settings table shows it; everything else is the store's.
    const older: Store = {
      engine: store.engine,
      database: store.database,
      open: () => store.open(),
      command: (sql) => store.command(sql),
      query: async (sql, queryOptions) => {
        const out = await store.query(sql, queryOptions);
        if (!sql.includes('system.merge_tree_settings')) return out;
        return out.replace(/^index_granularity_bytes\n/m, '');
      },
      insert: (table, body, insertOptions) => store.insert(table, body, insertOptions),
      ping: () => store.ping(),
      close: () => Promise.resolve(),
    };
    const created = (name: string) =>
      store.query(`SHOW CREATE TABLE ${name}.otel_traces`, { format: 'TSVRaw' });

    expect(await migrate(older, options, silentLogger, [creating(1011, 'older')])).toEqual([1011]);
    expect(await migrate(store, options, silentLogger, [creating(1012, 'newer')])).toEqual([1012]);

    expect(await created('older')).not.toContain('index_granularity_bytes');
    expect(await created('newer')).toContain(
      `index_granularity_bytes = ${WIDE_TABLE_GRANULE_BYTES}`,
    );
  });

  it('renders column changes for the Distributed table too, settings and TTL only for the data', () => {
    const [local, front] = renderStatements(
      [`ALTER TABLE ${database}.otel_traces\n    ADD COLUMN IF NOT EXISTS X String`],
      { database, cluster },
    );
    expect(local).toMatch(/^ALTER TABLE faultline\.otel_traces_local ON CLUSTER `fleet`\n/);
    expect(front).toMatch(/^ALTER TABLE faultline\.otel_traces ON CLUSTER `fleet`\n/);
    expect(
      renderStatements(
        [
          `ALTER TABLE ${database}.otel_traces MODIFY TTL toDateTime(Timestamp) + toIntervalSecond(1)`,
        ],
        {
          database,
          cluster,
        },
      ),
    ).toEqual([
      `ALTER TABLE ${database}.otel_traces_local ON CLUSTER \`fleet\` MODIFY TTL toDateTime(Timestamp) + toIntervalSecond(1)`,
    ]);
  });
});
