/**
 * Every table and view Faultline stores into, declared once: migrations create them, row
 * writers insert into them and queries read them by these names, so no table name is spelled
 * anywhere else. `in(database)` is the qualified name SQL uses; inserts take the bare `name`
 * (the store adds its database).
 */
export interface Table {
  readonly name: string;
  in(database: string): string;
}

const table = (name: string): Table => ({ name, in: (database) => `${database}.${name}` });

/** One row per span, column-compatible with the Collector's ClickHouse exporter. */
export const OTEL_TRACES = table('otel_traces');
/** One row per log record, column-compatible with the Collector's ClickHouse exporter. */
export const OTEL_LOGS = table('otel_logs');
/** Trace id → first and last timestamp, for trace-id lookups (as the Collector's). */
export const OTEL_TRACES_TRACE_ID_TS = table('otel_traces_trace_id_ts');
export const OTEL_TRACES_TRACE_ID_TS_MV = table('otel_traces_trace_id_ts_mv');
/** Per-minute roll-ups by service, step type and model. */
export const OTEL_TRACES_1M = table('otel_traces_1m');
export const OTEL_TRACES_1M_MV = table('otel_traces_1m_mv');
/** One row per assembled agent trace (ReplacingMergeTree by `Version`: read with FINAL). */
export const AGENT_TRACES = table('agent_traces');
/** One row per failure capture (ReplacingMergeTree by `Version`: read with FINAL). */
export const FAILURES = table('failures');
/**
 * `failures` rows with a Version from here up are review-status revisions (the change's time in
 * milliseconds × 1000); below it, root-cause revisions (a small counter). The roll-ups count only
 * the latter as symptoms, so a status change counts nothing again.
 */
export const STATUS_REVISION_VERSION = 2 ** 40;
/** The audit trail of failure review status changes. */
export const FAILURE_STATUS_CHANGES = table('failure_status_changes');
/** The review status of each failure signature (ReplacingMergeTree: latest `Version` wins). */
export const SIGNATURE_STATUS = table('signature_status');
/** Documents exported from the review queue (eval datasets, guardrails, runbooks). */
export const EXPORTS = table('exports');
/** Per-signature roll-up of the failures: what the signature is, counts over all time. */
export const FAILURE_SIGNATURES = table('failure_signatures');
export const FAILURE_SIGNATURES_MV = table('failure_signatures_mv');
/** Per-signature and hour roll-up of the failures, for time filters and histograms. */
export const FAILURE_SIGNATURES_1H = table('failure_signatures_1h');
export const FAILURE_SIGNATURES_1H_MV = table('failure_signatures_1h_mv');
/** Symptom failures per hour, counted under the signature of their root cause. */
export const FAILURE_SYMPTOMS_1H = table('failure_symptoms_1h');
export const FAILURE_SYMPTOMS_1H_MV = table('failure_symptoms_1h_mv');
/** Alert state transitions, Faultline's own and Alertmanager's. */
export const ALERTS = table('alerts');
/** Incidents correlated from alerts (ReplacingMergeTree: read with FINAL). */
export const INCIDENTS = table('incidents');
/** The applied schema migrations. */
export const SCHEMA_MIGRATIONS = table('schema_migrations');
