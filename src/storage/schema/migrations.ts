/**
 * The versioned schema. Each migration is a list of idempotent statements (IF NOT EXISTS),
 * so running one twice is harmless; the applied versions are recorded in
 * `<database>.schema_migrations`. Append new migrations; never edit an applied one.
 */
export interface SchemaOptions {
  database: string;
  /** Retention in seconds; 0 keeps data forever. */
  ttlSeconds: number;
}

export interface Migration {
  version: number;
  description: string;
  statements(options: SchemaOptions): string[];
}

const ttlClause = (column: string, seconds: number): string =>
  seconds > 0 ? `TTL toDateTime(${column}) + toIntervalSecond(${seconds})` : '';

const ATTRIBUTE_MAP = 'Map(LowCardinality(String), String)';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'otel_traces, column-compatible with the OpenTelemetry Collector exporter',
    statements: ({ database, ttlSeconds }) => [
      `CREATE TABLE IF NOT EXISTS ${database}.otel_traces
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
${ttlClause('Timestamp', ttlSeconds)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS ${database}.otel_traces_trace_id_ts
(
    TraceId String CODEC(ZSTD(1)),
    Start DateTime CODEC(Delta, ZSTD(1)),
    End DateTime CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(Start)
ORDER BY (TraceId, Start)
${ttlClause('Start', ttlSeconds)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.otel_traces_trace_id_ts_mv
TO ${database}.otel_traces_trace_id_ts
AS SELECT
    TraceId,
    min(Timestamp) AS Start,
    max(Timestamp) AS End
FROM ${database}.otel_traces
WHERE TraceId != ''
GROUP BY TraceId`,
    ],
  },
];
