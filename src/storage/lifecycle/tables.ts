import type { StorageConfig } from '../config.js';
import {
  AGENT_TRACES,
  ALERTS,
  EXPORTS,
  FAILURE_STATUS_CHANGES,
  FAILURES,
  FAILURE_SIGNATURES,
  FAILURE_SIGNATURES_1H,
  FAILURE_SYMPTOMS_1H,
  INCIDENTS,
  OTEL_LOGS,
  OTEL_TRACES,
  OTEL_TRACES_1M,
  OTEL_TRACES_TRACE_ID_TS,
  SIGNATURE_STATUS,
  type Table,
} from '../tables.js';

/**
 * What the data lifecycle (retention, archival, storage metrics) needs to know of each table:
 * the column its age is measured by, and whether it is partitioned by day (then whole expired
 * parts are dropped instead of rewritten, and each day can be archived as one file).
 */
export interface LifecycleTable {
  table: Table;
  timeColumn: string;
  dailyPartitions: boolean;
  /** The `storage.retention` key that sets its retention. */
  retentionKey: keyof StorageConfig['retention'];
  /**
   * False for tables derived from others (roll-ups, lookup indexes): their source is archived,
   * and the roll-ups' aggregate states have no Parquet type.
   */
  archived: boolean;
}

export const LIFECYCLE_TABLES: readonly LifecycleTable[] = [
  {
    table: OTEL_TRACES,
    timeColumn: 'Timestamp',
    dailyPartitions: true,
    retentionKey: 'otel_traces',
    archived: true,
  },
  // The trace-id lookup index of the spans lives exactly as long as they do.
  {
    table: OTEL_TRACES_TRACE_ID_TS,
    timeColumn: 'Start',
    dailyPartitions: true,
    retentionKey: 'otel_traces',
    archived: false,
  },
  {
    table: OTEL_LOGS,
    timeColumn: 'Timestamp',
    dailyPartitions: true,
    retentionKey: 'otel_logs',
    archived: true,
  },
  {
    table: AGENT_TRACES,
    timeColumn: 'Start',
    dailyPartitions: true,
    retentionKey: 'agent_traces',
    archived: true,
  },
  {
    table: FAILURES,
    timeColumn: 'Timestamp',
    dailyPartitions: true,
    retentionKey: 'failures',
    archived: true,
  },
  {
    table: FAILURE_STATUS_CHANGES,
    timeColumn: 'Timestamp',
    dailyPartitions: false,
    retentionKey: 'failure_status_changes',
    archived: true,
  },
  {
    table: ALERTS,
    timeColumn: 'Timestamp',
    dailyPartitions: true,
    retentionKey: 'alerts',
    archived: true,
  },
  {
    table: INCIDENTS,
    timeColumn: 'OpenedAt',
    dailyPartitions: false,
    retentionKey: 'incidents',
    archived: true,
  },
  // A signature's review status lives as long as its failures do (counted from its last change).
  {
    table: SIGNATURE_STATUS,
    timeColumn: 'ChangedAt',
    dailyPartitions: false,
    retentionKey: 'failures',
    archived: false,
  },
  {
    table: EXPORTS,
    timeColumn: 'Timestamp',
    dailyPartitions: false,
    retentionKey: 'exports',
    archived: true,
  },
  {
    table: OTEL_TRACES_1M,
    timeColumn: 'Minute',
    dailyPartitions: true,
    retentionKey: 'otel_traces_1m',
    archived: false,
  },
  // A signature's row goes once its last occurrence is older than the retention.
  {
    table: FAILURE_SIGNATURES,
    timeColumn: 'LastSeen',
    dailyPartitions: false,
    retentionKey: 'failure_signatures',
    archived: false,
  },
  {
    table: FAILURE_SIGNATURES_1H,
    timeColumn: 'Hour',
    dailyPartitions: false,
    retentionKey: 'failure_signatures_1h',
    archived: false,
  },
  {
    table: FAILURE_SYMPTOMS_1H,
    timeColumn: 'Hour',
    dailyPartitions: false,
    retentionKey: 'failure_symptoms_1h',
    archived: false,
  },
];

const DEFAULT_SPAN_RETENTION_MS = 30 * 86_400_000;

/** A table's retention in whole seconds; 0 keeps its rows forever. */
export function retentionSeconds(config: StorageConfig, table: LifecycleTable): number {
  const { retention } = config;
  const ms =
    table.retentionKey === 'otel_traces'
      ? (retention.otel_traces ?? (config.ttl > 0 ? config.ttl : DEFAULT_SPAN_RETENTION_MS))
      : retention[table.retentionKey];
  return Math.floor((ms ?? 0) / 1000);
}

/** The TTL expression ClickHouse stores for a retention (as `engine_full` shows it). */
export const ttlExpression = (table: LifecycleTable, seconds: number): string =>
  `toDateTime(${table.timeColumn}) + toIntervalSecond(${seconds})`;
