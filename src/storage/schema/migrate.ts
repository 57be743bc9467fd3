import type { Logger } from 'pino';
import type { Store } from '../store.js';
import { sqlString } from '../sql.js';
import { OTEL_TRACES, SCHEMA_MIGRATIONS } from '../tables.js';
import {
  MIGRATIONS,
  WIDE_TABLE_CREATE_SETTINGS,
  withWideTableCreateSettings,
  type Migration,
  type SchemaOptions,
} from './migrations.js';
import { withCompression, type Compression } from './codecs.js';
import { renderStatements, type DdlTarget } from './target.js';

/**
 * Brings the schema up to the newest migration. Safe to run on every start and from
 * several daemons: statements are idempotent and versions are recorded after they apply.
 * Tables are created with the codecs of `compression` (as written, the Collector's, when it is
 * not given); those of existing tables are the lifecycle's to change. The wide tables are
 * created with `WIDE_TABLE_CREATE_SETTINGS`, those of them the engine has.
 */
export async function migrate(
  store: Store,
  options: SchemaOptions & DdlTarget & { compression?: Compression },
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const { database, compression = 'zstd' } = options;
  const run = async (statements: string[]): Promise<void> => {
    const compressed = statements.map((statement) => withCompression(statement, compression));
    for (const statement of renderStatements(compressed, options)) await store.command(statement);
  };
  await run([`CREATE DATABASE IF NOT EXISTS ${database}`]);
  await run([
    `CREATE TABLE IF NOT EXISTS ${SCHEMA_MIGRATIONS.in(database)}
(
    Version UInt32,
    Description String,
    AppliedAt DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY Version`,
  ]);
  const applied = await appliedVersions(store, database);
  const pending = migrations.filter((migration) => !applied.has(migration.version));
  const known = await knownMergeTreeSettings(store, [
    ...pending.flatMap((migration) => migration.mergeTreeSettings ?? []),
    ...(pending.length > 0 ? Object.keys(WIDE_TABLE_CREATE_SETTINGS) : []),
  ]);
  const createSettings = Object.fromEntries(
    Object.entries(WIDE_TABLE_CREATE_SETTINGS).filter(([name]) => known.has(name)),
  );
  const ran: number[] = [];
  for (const migration of pending) {
    const missing = (migration.mergeTreeSettings ?? []).filter((name) => !known.has(name));
    if (missing.length > 0) {
      logger.info(
        { version: migration.version, missing },
        `schema migration skipped until the server knows its settings: ${migration.description}`,
      );
      continue;
    }
    logger.info(
      { version: migration.version },
      `applying schema migration: ${migration.description}`,
    );
    await run(
      migration
        .statements(options)
        .map((statement) => withWideTableCreateSettings(statement, createSettings)),
    );
    const row = JSON.stringify({ Version: migration.version, Description: migration.description });
    await store.insert(SCHEMA_MIGRATIONS.name, Buffer.from(row));
    ran.push(migration.version);
  }
  return ran;
}

/** With `create_schema: false`: check the tables exist and say clearly what is missing. */
export async function verifySchema(store: Store, database: string): Promise<void> {
  const out = await store.query(
    `SELECT name FROM system.tables WHERE database = '${database}' AND name = '${OTEL_TRACES.name}'`,
    { format: 'TSV' },
  );
  if (out.trim() !== OTEL_TRACES.name) {
    throw new Error(
      `table ${OTEL_TRACES.in(database)} does not exist; create it (storage.create_schema: true) or point storage.database at a database that has it`,
    );
  }
}

/** Which of `names` this ClickHouse has as MergeTree settings (no query when none are asked). */
async function knownMergeTreeSettings(store: Store, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const list = [...new Set(names)].map((name) => sqlString(name)).join(', ');
  const out = await store.query(
    `SELECT name FROM system.merge_tree_settings WHERE name IN (${list})`,
    { format: 'TSV' },
  );
  return new Set(out.split('\n').filter(Boolean));
}

async function appliedVersions(store: Store, database: string): Promise<Set<number>> {
  const out = await store.query(`SELECT DISTINCT Version FROM ${SCHEMA_MIGRATIONS.in(database)}`, {
    format: 'TSV',
  });
  return new Set(out.split('\n').filter(Boolean).map(Number));
}
