import {
  AGENT_TRACES,
  ALERTS,
  EXPORTS,
  FAILURES,
  FAILURE_SIGNATURES,
  FAILURE_SIGNATURES_1H,
  FAILURE_SIGNATURES_1H_MV,
  FAILURE_SIGNATURES_MV,
  FAILURE_STATUS_CHANGES,
  FAILURE_SYMPTOMS_1H,
  FAILURE_SYMPTOMS_1H_MV,
  INCIDENTS,
  OTEL_LOGS,
  OTEL_TRACES,
  OTEL_TRACES_1M,
  OTEL_TRACES_1M_MV,
  OTEL_TRACES_TRACE_ID_TS,
  OTEL_TRACES_TRACE_ID_TS_MV,
  SIGNATURE_STATUS,
  STATUS_REVISION_VERSION,
} from '../tables.js';
import { CREATE_TABLE } from './target.js';

/**
 * The versioned schema. Each migration is a list of idempotent statements (IF NOT EXISTS),
 * so running one twice is harmless; the applied versions are recorded in
 * `<database>.schema_migrations`. Append new migrations; never edit an applied one.
 */
export interface SchemaOptions {
  database: string;
}

export interface Migration {
  version: number;
  description: string;
  statements(options: SchemaOptions): string[];
  /**
   * MergeTree settings the statements set that older ClickHouse servers do not know. Where one
   * is missing the migration is skipped and not recorded, so it applies once the server has
   * them: a tuning a newer engine offers must not keep an older server from starting.
   */
  mergeTreeSettings?: readonly string[];
}

const ATTRIBUTE_MAP = 'Map(LowCardinality(String), String)';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'otel_traces, column-compatible with the OpenTelemetry Collector exporter',
    statements: ({ database }) => [
      `CREATE TABLE IF NOT EXISTS ${OTEL_TRACES.in(database)}
(
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested
    (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes ${ATTRIBUTE_MAP}
    ) CODEC(ZSTD(1)),
    Links Nested
    (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes ${ATTRIBUTE_MAP}
    ) CODEC(ZSTD(1)),
    SpanFlags UInt32 CODEC(ZSTD(1)),
    ScopeAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    DroppedAttributesCount UInt32 CODEC(ZSTD(1)),
    DroppedEventsCount UInt32 CODEC(ZSTD(1)),
    DroppedLinksCount UInt32 CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS ${OTEL_TRACES_TRACE_ID_TS.in(database)}
(
    TraceId String CODEC(ZSTD(1)),
    Start DateTime CODEC(Delta, ZSTD(1)),
    End DateTime CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Start)
ORDER BY (TraceId, Start)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${OTEL_TRACES_TRACE_ID_TS_MV.in(database)}
TO ${OTEL_TRACES_TRACE_ID_TS.in(database)}
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End
FROM ${OTEL_TRACES.in(database)}
WHERE TraceId != ''
GROUP BY TraceId`,
    ],
  },
  {
    version: 2,
    description: 'agent steps on otel_traces; agent_traces, failures, audit trail, minute roll-ups',
    statements: ({ database }) => [
      `ALTER TABLE ${OTEL_TRACES.in(database)}
    ADD COLUMN IF NOT EXISTS StepType LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Operation LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS AgentName LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Model LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS RequestModel LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS Provider LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS InputTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS OutputTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS TotalTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS CacheReadTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS CacheWriteTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS ReasoningTokens UInt64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS CostUsd Float64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS ToolName LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS RetrievalDocuments UInt32 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS RetrievalTopScore Float64 CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS SessionId String CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS UserHash String CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS FinishReasons Array(LowCardinality(String)) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS InputPreview String CODEC(ZSTD(3)),
    ADD COLUMN IF NOT EXISTS OutputPreview String CODEC(ZSTD(3)),
    ADD COLUMN IF NOT EXISTS FailureClass LowCardinality(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS FailureClasses Array(LowCardinality(String)) CODEC(ZSTD(1))`,
      // One row per trace; a late span re-inserts the trace with a higher Version. The sort key
      // is the identity alone, so replacement always finds the older row. Query with FINAL.
      `CREATE TABLE IF NOT EXISTS ${AGENT_TRACES.in(database)}
(
    TraceId String CODEC(ZSTD(1)),
    Start DateTime64(9) CODEC(Delta, ZSTD(1)),
    End DateTime64(9) CODEC(Delta, ZSTD(1)),
    DurationNs UInt64 CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    RootName LowCardinality(String) CODEC(ZSTD(1)),
    AgentName LowCardinality(String) CODEC(ZSTD(1)),
    SessionId String CODEC(ZSTD(1)),
    UserHash String CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    SpanCount UInt32 CODEC(ZSTD(1)),
    StepCounts Map(LowCardinality(String), UInt32) CODEC(ZSTD(1)),
    LlmCalls UInt32 CODEC(ZSTD(1)),
    ToolCalls UInt32 CODEC(ZSTD(1)),
    InputTokens UInt64 CODEC(ZSTD(1)),
    OutputTokens UInt64 CODEC(ZSTD(1)),
    TotalTokens UInt64 CODEC(ZSTD(1)),
    CostUsd Float64 CODEC(ZSTD(1)),
    ErrorCount UInt32 CODEC(ZSTD(1)),
    FailureClasses Array(LowCardinality(String)) CODEC(ZSTD(1)),
    RootCauseSpanId String CODEC(ZSTD(1)),
    Models Array(LowCardinality(String)) CODEC(ZSTD(1)),
    SchemaVersion UInt16 CODEC(ZSTD(1)),
    Document String CODEC(ZSTD(3)),
    Version UInt64 CODEC(ZSTD(1)),
    INDEX idx_start Start TYPE minmax GRANULARITY 1,
    INDEX idx_session SessionId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toDate(Start)
ORDER BY TraceId
SETTINGS index_granularity = 8192`,
      // Failure captures; a status change re-inserts the row with a higher Version.
      `CREATE TABLE IF NOT EXISTS ${FAILURES.in(database)}
(
    FailureId String CODEC(ZSTD(1)),
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    AgentName LowCardinality(String) CODEC(ZSTD(1)),
    StepType LowCardinality(String) CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    Operation LowCardinality(String) CODEC(ZSTD(1)),
    Class LowCardinality(String) CODEC(ZSTD(1)),
    Severity LowCardinality(String) CODEC(ZSTD(1)),
    Rule LowCardinality(String) CODEC(ZSTD(1)),
    Signature String CODEC(ZSTD(1)),
    Message String CODEC(ZSTD(3)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    Version UInt64 CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_signature Signature TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toDate(Timestamp)
ORDER BY (Class, FailureId)
SETTINGS index_granularity = 8192`,
      // Who changed a failure's review status, when, from what to what, and why.
      `CREATE TABLE IF NOT EXISTS ${FAILURE_STATUS_CHANGES.in(database)}
(
    FailureId String CODEC(ZSTD(1)),
    Timestamp DateTime64(3) CODEC(Delta, ZSTD(1)),
    Actor String CODEC(ZSTD(1)),
    FromStatus LowCardinality(String) CODEC(ZSTD(1)),
    ToStatus LowCardinality(String) CODEC(ZSTD(1)),
    Note String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (FailureId, Timestamp)`,
      `CREATE TABLE IF NOT EXISTS ${OTEL_TRACES_1M.in(database)}
(
    Minute DateTime CODEC(Delta, ZSTD(1)),
    ServiceName LowCardinality(String),
    StepType LowCardinality(String),
    Model LowCardinality(String),
    Spans SimpleAggregateFunction(sum, UInt64),
    Errors SimpleAggregateFunction(sum, UInt64),
    Failures SimpleAggregateFunction(sum, UInt64),
    InputTokens SimpleAggregateFunction(sum, UInt64),
    OutputTokens SimpleAggregateFunction(sum, UInt64),
    CostUsd SimpleAggregateFunction(sum, Float64),
    DurationNs AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toDate(Minute)
ORDER BY (ServiceName, StepType, Model, Minute)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${OTEL_TRACES_1M_MV.in(database)}
TO ${OTEL_TRACES_1M.in(database)}
AS SELECT
    toStartOfMinute(Timestamp) AS Minute,
    ServiceName,
    StepType,
    Model,
    count() AS Spans,
    countIf(StatusCode = 'Error') AS Errors,
    countIf(FailureClass != '') AS Failures,
    sum(InputTokens) AS InputTokens,
    sum(OutputTokens) AS OutputTokens,
    sum(CostUsd) AS CostUsd,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(Duration) AS DurationNs
FROM ${OTEL_TRACES.in(database)}
GROUP BY Minute, ServiceName, StepType, Model`,
    ],
  },
  {
    version: 3,
    description: 'insert deduplication windows on the tables materialized views write to',
    // A batch resent with the same token is dropped by otel_traces; without a window of
    // their own, the views' tables would still count it a second time.
    statements: ({ database }) =>
      [OTEL_TRACES_TRACE_ID_TS, OTEL_TRACES_1M, AGENT_TRACES, FAILURES].map(
        (table) =>
          `ALTER TABLE ${table.in(database)} MODIFY SETTING non_replicated_deduplication_window = 10000`,
      ),
  },
  {
    version: 4,
    description: 'alerts (every state transition) and incidents',
    statements: ({ database }) => [
      // One row per alert state change; the newest row of a Fingerprint is the alert's state,
      // which a restarted daemon restores (so `for` is not reset).
      `CREATE TABLE IF NOT EXISTS ${ALERTS.in(database)}
(
    Timestamp DateTime64(3) CODEC(Delta, ZSTD(1)),
    AlertName LowCardinality(String) CODEC(ZSTD(1)),
    Fingerprint String CODEC(ZSTD(1)),
    State LowCardinality(String) CODEC(ZSTD(1)),
    Severity LowCardinality(String) CODEC(ZSTD(1)),
    Labels ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    Annotations Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    Value Float64 CODEC(ZSTD(1)),
    ActiveAt DateTime64(3) CODEC(ZSTD(1)),
    FiredAt DateTime64(3) CODEC(ZSTD(1)),
    ResolvedAt DateTime64(3) CODEC(ZSTD(1)),
    IncidentId String CODEC(ZSTD(1)),
    Source LowCardinality(String) CODEC(ZSTD(1)),
    INDEX idx_fingerprint Fingerprint TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_incident IncidentId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (AlertName, Fingerprint, Timestamp)`,
      // One row per incident change; the highest Version is the current state (query FINAL).
      `CREATE TABLE IF NOT EXISTS ${INCIDENTS.in(database)}
(
    IncidentId String CODEC(ZSTD(1)),
    OpenedAt DateTime64(3) CODEC(Delta, ZSTD(1)),
    UpdatedAt DateTime64(3) CODEC(ZSTD(1)),
    ResolvedAt DateTime64(3) CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    Severity LowCardinality(String) CODEC(ZSTD(1)),
    Title String CODEC(ZSTD(1)),
    ProbableCause String CODEC(ZSTD(1)),
    ProbableCauseFingerprint String CODEC(ZSTD(1)),
    Services Array(LowCardinality(String)) CODEC(ZSTD(1)),
    Agents Array(LowCardinality(String)) CODEC(ZSTD(1)),
    Models Array(LowCardinality(String)) CODEC(ZSTD(1)),
    AlertNames Array(LowCardinality(String)) CODEC(ZSTD(1)),
    Alerts String CODEC(ZSTD(3)),
    Version UInt64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(Version)
PARTITION BY toYYYYMM(OpenedAt)
ORDER BY IncidentId`,
    ],
  },
  {
    version: 5,
    description: 'agent_traces.DroppedSteps: spans beyond max_steps_per_trace',
    statements: ({ database }) => [
      `ALTER TABLE ${AGENT_TRACES.in(database)}
    ADD COLUMN IF NOT EXISTS DroppedSteps UInt32 CODEC(ZSTD(1)) AFTER SpanCount`,
    ],
  },
  otelLogsMigration(),
  {
    version: 7,
    description:
      'triage: root causes on failures, review status per signature, audit by signature, exports, signature roll-up',
    statements: ({ database }) => [
      `ALTER TABLE ${FAILURES.in(database)}
    ADD COLUMN IF NOT EXISTS CausedBy String CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS CauseSignature String CODEC(ZSTD(1))`,
      `ALTER TABLE ${FAILURE_STATUS_CHANGES.in(database)}
    ADD COLUMN IF NOT EXISTS Signature String CODEC(ZSTD(1))`,
      // The review status of each signature (status belongs to the signature, SPEC §5.3);
      // ExportedAt stays set once exported, so a later occurrence shows as a regression.
      `CREATE TABLE IF NOT EXISTS ${SIGNATURE_STATUS.in(database)}
(
    Signature String CODEC(ZSTD(1)),
    Status LowCardinality(String) CODEC(ZSTD(1)),
    ExportedAt DateTime64(3) CODEC(ZSTD(1)),
    ChangedAt DateTime64(3) CODEC(ZSTD(1)),
    Version UInt64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(Version)
ORDER BY Signature`,
      `CREATE TABLE IF NOT EXISTS ${EXPORTS.in(database)}
(
    ExportId String CODEC(ZSTD(1)),
    Timestamp DateTime64(3) CODEC(Delta, ZSTD(1)),
    Kind LowCardinality(String) CODEC(ZSTD(1)),
    Signatures Array(String) CODEC(ZSTD(1)),
    Count UInt32 CODEC(ZSTD(1)),
    Content String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(Timestamp)
ORDER BY ExportId`,
      // The review queue reads these roll-ups, not the failures: one row per signature (what
      // it is, counts over all time) and one per signature and hour (counts, for time
      // filters and histograms). A capture is counted by its first row (Version 0); a
      // root-cause revision (a higher Version) counts only as a symptom.
      `CREATE TABLE IF NOT EXISTS ${FAILURE_SIGNATURES.in(database)}
(
    Signature String CODEC(ZSTD(1)),
    Class SimpleAggregateFunction(anyLast, String),
    Severity SimpleAggregateFunction(anyLast, String),
    ServiceName SimpleAggregateFunction(anyLast, String),
    AgentName SimpleAggregateFunction(anyLast, String),
    StepType SimpleAggregateFunction(anyLast, String),
    SpanName SimpleAggregateFunction(anyLast, String),
    Message SimpleAggregateFunction(anyLast, String),
    ExampleTraceId SimpleAggregateFunction(anyLast, String),
    FirstSeen SimpleAggregateFunction(min, DateTime64(9)),
    LastSeen SimpleAggregateFunction(max, DateTime64(9)),
    Occurrences SimpleAggregateFunction(sum, UInt64),
    SymptomOccurrences SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
ORDER BY Signature`,
      failureSignaturesView(database),
      `CREATE TABLE IF NOT EXISTS ${FAILURE_SIGNATURES_1H.in(database)}
(
    Hour DateTime CODEC(Delta, ZSTD(1)),
    Signature String CODEC(ZSTD(1)),
    FirstSeen SimpleAggregateFunction(min, DateTime64(9)),
    LastSeen SimpleAggregateFunction(max, DateTime64(9)),
    Occurrences SimpleAggregateFunction(sum, UInt64),
    SymptomOccurrences SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (Signature, Hour)`,
      failureSignaturesHourlyView(database),
      // Symptoms counted under the signature of their cause.
      `CREATE TABLE IF NOT EXISTS ${FAILURE_SYMPTOMS_1H.in(database)}
(
    Hour DateTime CODEC(Delta, ZSTD(1)),
    CauseSignature String CODEC(ZSTD(1)),
    Symptoms SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Hour)
ORDER BY (CauseSignature, Hour)`,
      failureSymptomsHourlyView(database),
    ],
  },
  {
    version: 8,
    description:
      'failure roll-ups count no review-status revision: a status change writes the failures again',
    // Views cannot be altered in place on every supported ClickHouse: dropped and created again
    // (at start-up, before the pipeline inserts).
    statements: ({ database }) => [
      ...[FAILURE_SIGNATURES_MV, FAILURE_SIGNATURES_1H_MV, FAILURE_SYMPTOMS_1H_MV].map(
        (view) => `DROP VIEW IF EXISTS ${view.in(database)}`,
      ),
      failureSignaturesView(database),
      failureSignaturesHourlyView(database),
      failureSymptomsHourlyView(database),
    ],
  },
  {
    version: 9,
    description: 'wide tables merge column by column',
    // A horizontal merge reads every column of every part at once: merging 10k-row parts of
    // otel_traces held 310–470 MiB in the engine, a vertical merge (sort key first, then one
    // column at a time) ~100 MiB, at no more CPU a row (bench/schema.mjs, with and without
    // this setting). The engine's default waits for 131,072 rows, more than a part here has.
    statements: ({ database }) =>
      onWideTables(database, 'vertical_merge_algorithm_min_rows_to_activate = 1'),
  },
  {
    version: 10,
    description: 'wide tables keep parts up to 128 MiB compact',
    // A wide part is a file per column stream: 266 files per otel_traces part, whose creation
    // took ~12% of the engine's insert CPU (perf: ext4 inode allocation in openat). A compact
    // part is 24 files. Every insert (batch.max_bytes ≤ 32 MiB) and the first merges stay
    // compact; larger merges still produce wide parts, merged column by column (version 9).
    statements: ({ database }) => onWideTables(database, 'min_bytes_for_wide_part = 134217728'),
  },
  {
    version: 11,
    description: 'wide tables merge less often',
    // The merge selector's base (5 by default) is about how many parts of a size gather before
    // they are merged into one, so each row is rewritten about once per level: log_base of the
    // partition's size in parts. 80 inserts of 6,000 spans, 2 a second, into otel_traces: with
    // 5 the merges rewrote 3.3 rows per row inserted and the engine took 45–46 CPU µs per row;
    // with 20, 1.6 rows and 34 µs (17 active parts left, against 2–3). In the daemon at 6,000
    // spans/s for 60 s, its merge threads took 18–19 µs per stored span instead of 37. A
    // partition keeps about 20 parts per level, far below parts_to_delay_insert (1,000).
    mergeTreeSettings: ['merge_selector_base'],
    statements: ({ database }) => onWideTables(database, 'merge_selector_base = 20'),
  },
];

/** Insert settings that go with a deduplication token, on both engines. */
export const DEDUP_INSERT_SETTINGS = { deduplicate_blocks_in_dependent_materialized_views: '1' };

/**
 * One setting changed on `otel_traces`, `otel_logs` and `agent_traces`. A function
 * declaration, so the list above can name it.
 */
function onWideTables(database: string, setting: string): string[] {
  return wideTables().map((table) => `ALTER TABLE ${table.in(database)} MODIFY SETTING ${setting}`);
}

/** The tables of large rows: attribute maps, previews, trace documents, log bodies. */
function wideTables() {
  return [OTEL_TRACES, OTEL_LOGS, AGENT_TRACES];
}

/**
 * Granules of the wide tables hold at most this many bytes (the engine's default: 10 MiB).
 * A merge holds a granule of every part it reads, and parts of a few MiB were one granule
 * each: at 10,000 spans/s the merges of ~18 such parts took the daemon's RSS to its peaks.
 * Inserting into `otel_traces` at one 12,000-row part a second for a minute, the merges
 * counted 94–111 MiB at most instead of 217–218, for 8.7–10.2 CPU µs a row against 7.6–9.7
 * (medians 9.0 and 8.4; four runs and five).
 */
export const WIDE_TABLE_GRANULE_BYTES = 2 * 1024 * 1024;

/**
 * MergeTree settings a table takes only when it is created (`ALTER … MODIFY SETTING` refuses
 * them: READONLY_SETTING), so no migration can change them; `migrate` adds them to the statements
 * creating a wide table, where the engine has them. Tables created before keep what they have.
 */
export const WIDE_TABLE_CREATE_SETTINGS: Readonly<Record<string, string>> = {
  index_granularity_bytes: String(WIDE_TABLE_GRANULE_BYTES),
};

const SETTINGS_CLAUSE = /\nSETTINGS /;

/** `statement` with `settings` ahead of its own when it creates a wide table; else as it is. */
export function withWideTableCreateSettings(
  statement: string,
  settings: Readonly<Record<string, string>>,
): string {
  const created = CREATE_TABLE.exec(statement)?.[2];
  const assignments = Object.entries(settings).map(([name, value]) => `${name} = ${value}`);
  if (assignments.length === 0 || !wideTables().some((table) => table.name === created)) {
    return statement;
  }
  if (!SETTINGS_CLAUSE.test(statement)) {
    throw new Error(`the statement creating ${created} has no SETTINGS clause to add to`);
  }
  return statement.replace(SETTINGS_CLAUSE, `\nSETTINGS ${assignments.join(', ')}, `);
}

/**
 * `otel_logs`, column for column as the OpenTelemetry Collector's ClickHouse exporter creates
 * it (types, codecs, bloom-filter and token indexes, day partitions, sort key), so its
 * dashboards and queries work unchanged. A function declaration, so the list above can name it.
 */
function otelLogsMigration(): Migration {
  return {
    version: 6,
    description: 'otel_logs, column-compatible with the OpenTelemetry Collector exporter',
    statements: ({ database }) => [
      `CREATE TABLE IF NOT EXISTS ${OTEL_LOGS.in(database)}
(
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    LogAttributes ${ATTRIBUTE_MAP} CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,
    ],
  };
}

/** A root-cause revision of a capture: neither the capture (Version 0) nor a status revision. */
const ROOT_CAUSE_REVISION = `Version > 0 AND Version < ${STATUS_REVISION_VERSION}`;

/** One row per signature: what it is, first and last seen, occurrences and symptom occurrences. */
function failureSignaturesView(database: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${FAILURE_SIGNATURES_MV.in(database)}
TO ${FAILURE_SIGNATURES.in(database)}
AS SELECT
    Signature,
    anyLast(Class) AS Class,
    anyLast(Severity) AS Severity,
    anyLast(ServiceName) AS ServiceName,
    anyLast(AgentName) AS AgentName,
    anyLast(StepType) AS StepType,
    anyLast(SpanName) AS SpanName,
    anyLast(Message) AS Message,
    anyLast(TraceId) AS ExampleTraceId,
    min(Timestamp) AS FirstSeen,
    max(Timestamp) AS LastSeen,
    countIf(Version = 0) AS Occurrences,
    countIf(${ROOT_CAUSE_REVISION} AND CausedBy != '') AS SymptomOccurrences
FROM ${FAILURES.in(database)}
GROUP BY Signature`;
}

/** Per signature and hour: first and last seen, occurrences and symptom occurrences. */
function failureSignaturesHourlyView(database: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${FAILURE_SIGNATURES_1H_MV.in(database)}
TO ${FAILURE_SIGNATURES_1H.in(database)}
AS SELECT
    toStartOfHour(Timestamp) AS Hour,
    Signature,
    min(Timestamp) AS FirstSeen,
    max(Timestamp) AS LastSeen,
    countIf(Version = 0) AS Occurrences,
    countIf(${ROOT_CAUSE_REVISION} AND CausedBy != '') AS SymptomOccurrences
FROM ${FAILURES.in(database)}
GROUP BY Hour, Signature`;
}

/** Symptoms per hour, counted under the signature of their cause. */
function failureSymptomsHourlyView(database: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${FAILURE_SYMPTOMS_1H_MV.in(database)}
TO ${FAILURE_SYMPTOMS_1H.in(database)}
AS SELECT
    toStartOfHour(Timestamp) AS Hour,
    CauseSignature,
    count() AS Symptoms
FROM ${FAILURES.in(database)}
WHERE CauseSignature != '' AND ${ROOT_CAUSE_REVISION}
GROUP BY Hour, CauseSignature`;
}
