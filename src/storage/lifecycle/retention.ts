import type { Logger } from 'pino';
import type { StorageConfig } from '../config.js';
import { LOCAL_SUFFIX, renderStatements, type DdlTarget } from '../schema/target.js';
import { queryRows, sqlString } from '../sql.js';
import type { Store } from '../store.js';
import { LIFECYCLE_TABLES, retentionSeconds, ttlExpression } from './tables.js';

/**
 * Applies `storage.retention` to the tables that exist, at every start-up, so a changed
 * retention takes effect on an existing store. A table whose TTL is already the configured
 * one is left alone: MODIFY TTL rewrites the TTL information of every part, which is not free.
 * Day-partitioned tables get `ttl_only_drop_parts`, so expiry drops whole parts instead of
 * rewriting them.
 */
export async function applyRetention(
  store: Store,
  config: StorageConfig,
  target: DdlTarget,
  logger: Logger,
): Promise<void> {
  const current = await currentEngines(store, target);
  for (const entry of LIFECYCLE_TABLES) {
    const { table } = entry;
    const engine = current.get(table.name);
    if (engine === undefined) continue;
    const seconds = retentionSeconds(config, entry);
    const wanted = seconds > 0 ? ttlExpression(entry, seconds) : undefined;
    const statements: string[] = [];
    const qualified = table.in(target.database);
    if (entry.dailyPartitions && !/\bttl_only_drop_parts = 1\b/.test(engine)) {
      statements.push(`ALTER TABLE ${qualified} MODIFY SETTING ttl_only_drop_parts = 1`);
    }
    const have = currentTtl(engine);
    if (have !== wanted) {
      statements.push(
        wanted
          ? `ALTER TABLE ${qualified} MODIFY TTL ${wanted}`
          : `ALTER TABLE ${qualified} REMOVE TTL`,
      );
      logger.info(
        { table: table.name, retentionSeconds: seconds },
        seconds > 0 ? 'applying retention' : 'removing retention (rows are kept forever)',
      );
    }
    for (const statement of renderStatements(statements, target)) await store.command(statement);
  }
}

/** The TTL clause of a table's `engine_full`, or undefined when it has none. */
export function currentTtl(engineFull: string): string | undefined {
  return /\bTTL (.+?)(?: SETTINGS |$)/.exec(engineFull)?.[1];
}

/** Table name (without the cluster's local suffix) → `engine_full` of the table holding data. */
async function currentEngines(store: Store, target: DdlTarget): Promise<Map<string, string>> {
  const suffix = target.cluster ? LOCAL_SUFFIX : '';
  const found = await queryRows<{ name: string; engine_full: string }>(
    store,
    `SELECT name, engine_full FROM system.tables WHERE database = ${sqlString(target.database)} AND engine LIKE '%MergeTree'`,
  );
  const engines = new Map<string, string>();
  for (const { name, engine_full } of found) {
    if (suffix && !name.endsWith(suffix)) continue;
    engines.set(suffix ? name.slice(0, -suffix.length) : name, engine_full);
  }
  return engines;
}
