import {
  AGENT_TRACES,
  ALERTS,
  FAILURES,
  FAILURE_STATUS_CHANGES,
  INCIDENTS,
  OTEL_LOGS,
  OTEL_TRACES,
  OTEL_TRACES_TRACE_ID_TS,
  SCHEMA_MIGRATIONS,
} from '../tables.js';
import { sqlString } from '../sql.js';

/**
 * Renders schema statements for where they run: one server (or chDB), unchanged, or a
 * ClickHouse cluster. Migrations are written once, for a single server; for a cluster each
 * table is created as `<name>_local` ON CLUSTER with a Replicated engine, and a Distributed
 * table takes the table's own name, so inserts and queries keep using the names they know.
 */
export interface DdlTarget {
  database: string;
  /** A cluster from the servers' `remote_servers`; undefined for one server. */
  cluster?: string;
}

export const LOCAL_SUFFIX = '_local';

/**
 * How rows spread over shards. A trace's spans, and the rows one ReplacingMergeTree row
 * replaces, must land on one shard (FINAL only merges within a shard), so these hash the
 * identity; tables not named here spread at random.
 */
const SHARDING_KEYS: Record<string, string> = {
  [OTEL_TRACES.name]: 'cityHash64(TraceId)',
  [OTEL_TRACES_TRACE_ID_TS.name]: 'cityHash64(TraceId)',
  [OTEL_LOGS.name]: 'cityHash64(TraceId)',
  [AGENT_TRACES.name]: 'cityHash64(TraceId)',
  [FAILURES.name]: 'cityHash64(FailureId)',
  [FAILURE_STATUS_CHANGES.name]: 'cityHash64(FailureId)',
  [ALERTS.name]: 'cityHash64(Fingerprint)',
  [INCIDENTS.name]: 'cityHash64(IncidentId)',
  [SCHEMA_MIGRATIONS.name]: 'Version',
};

const CREATE_DATABASE = /^CREATE DATABASE IF NOT EXISTS (\w+)$/;
const DROP_VIEW = /^DROP VIEW IF EXISTS (\w+)\.(\w+)$/;
/** A statement creating a table: its database, then its name. */
export const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\n/;
const CREATE_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\.(\w+)\n/;
const ALTER_TABLE = /^ALTER TABLE (\w+)\.(\w+)(\s)/;
const ENGINE = /\nENGINE = (\w*MergeTree)(?:\(([^)]*)\))?/;
/** ALTERs of columns apply to the Distributed table too; settings and TTL only to the data. */
const COLUMN_ALTER = /^\s*(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN/m;

/** The statements to run on `target` for one migration's (or any schema change's) statements. */
export function renderStatements(statements: readonly string[], target: DdlTarget): string[] {
  const { cluster } = target;
  if (!cluster) return [...statements];
  return statements.flatMap((statement) => renderForCluster(statement, target, cluster));
}

function renderForCluster(statement: string, target: DdlTarget, cluster: string): string[] {
  const onCluster = `ON CLUSTER ${quoteName(cluster)}`;
  const database = CREATE_DATABASE.exec(statement);
  if (database || DROP_VIEW.test(statement)) return [`${statement} ${onCluster}`];

  const table = CREATE_TABLE.exec(statement);
  if (table) {
    const [, db, name] = table as unknown as [string, string, string];
    const engine = ENGINE.exec(statement);
    if (!engine) throw new Error(`cannot render ${db}.${name} for a cluster: no MergeTree engine`);
    const local = `${name}${LOCAL_SUFFIX}`;
    const replicated = replicatedEngine(engine[1]!, engine[2]);
    const localTable = statement
      .replace(CREATE_TABLE, `CREATE TABLE IF NOT EXISTS ${db}.${local} ${onCluster}\n`)
      .replace(ENGINE, `\nENGINE = ${replicated}`);
    const sharding = SHARDING_KEYS[name] ?? 'rand()';
    const distributed = `CREATE TABLE IF NOT EXISTS ${db}.${name} ${onCluster}
AS ${db}.${local}
ENGINE = Distributed(${sqlString(cluster)}, ${sqlString(db)}, ${sqlString(local)}, ${sharding})`;
    return [localTable, distributed];
  }

  const view = CREATE_VIEW.exec(statement);
  if (view) {
    // A view on each server reads the rows inserted into its local table and writes into the
    // local table of its target, so each shard rolls up its own rows.
    const localized = statement
      .replace(CREATE_VIEW, `CREATE MATERIALIZED VIEW IF NOT EXISTS $1.$2 ${onCluster}\n`)
      .replace(
        new RegExp(`\\b(TO|FROM) ${target.database}\\.(\\w+)`, 'g'),
        (_, keyword: string, name: string) =>
          `${keyword} ${target.database}.${name}${LOCAL_SUFFIX}`,
      );
    return [localized];
  }

  const alter = ALTER_TABLE.exec(statement);
  if (alter) {
    const [, db, name, space] = alter as unknown as [string, string, string, string];
    const local = statement.replace(
      ALTER_TABLE,
      `ALTER TABLE ${db}.${name}${LOCAL_SUFFIX} ${onCluster}${space}`,
    );
    if (!COLUMN_ALTER.test(statement)) return [local];
    return [
      local,
      statement.replace(ALTER_TABLE, `ALTER TABLE ${db}.${name} ${onCluster}${space}`),
    ];
  }
  throw new Error(`cannot render this statement for a cluster: ${statement.slice(0, 80)}`);
}

/** `ReplacingMergeTree(Version)` → `ReplicatedReplacingMergeTree(path, replica, Version)`. */
function replicatedEngine(engine: string, args: string | undefined): string {
  const replication = `'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`;
  const rest = args?.trim() ? `, ${args.trim()}` : '';
  return `Replicated${engine}(${replication}${rest})`;
}

const quoteName = (name: string): string => `\`${name.replace(/[`\\]/g, '\\$&')}\``;
