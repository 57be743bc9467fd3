import type { Alert } from '../alert.js';
import type { Store } from '../../storage/store.js';
import { AGENT_TRACES, ALERTS, FAILURES, INCIDENTS } from '../../storage/tables.js';
import type { Incident, IncidentAlert } from '../incidents/incident.js';
import { epochMillis, queryRows, sqlMillis, sqlString } from '../../storage/sql.js';
import { asLabels } from './rows.js';

/** The states stored in the same millisecond are ordered by how far along they are. */
const STATE_RANK = "multiIf(State = 'pending', 1, State = 'firing', 2, 3)";

/**
 * The newest state of every alert of Faultline's own rules that changed within `maxAgeMs`,
 * keeping the pending and firing ones: what a restarted daemon picks up again.
 */
export async function latestActiveAlerts(store: Store, maxAgeMs: number): Promise<Alert[]> {
  const latest = (column: string) => `argMax(${column}, (Timestamp, ${STATE_RANK}))`;
  const found = await queryRows(
    store,
    `SELECT Fingerprint,
    ${latest('AlertName')} AS Name, ${latest('State')} AS LastState, ${latest('Severity')} AS Sev,
    ${latest('Labels')} AS L, ${latest('Annotations')} AS A, ${latest('Value')} AS V,
    ${latest(epochMillis('ActiveAt'))} AS Active, ${latest(epochMillis('FiredAt'))} AS Fired, ${latest('IncidentId')} AS Incident
FROM ${ALERTS.in(store.database)}
WHERE Source = 'faultline' AND Timestamp >= now64(3) - toIntervalSecond(${Math.ceil(maxAgeMs / 1000)})
GROUP BY Fingerprint
HAVING LastState IN ('pending', 'firing')`,
  );
  return found.map((row) => ({
    name: String(row.Name),
    fingerprint: String(row.Fingerprint),
    labels: asLabels(row.L),
    annotations: asLabels(row.A),
    severity: String(row.Sev),
    state: row.LastState === 'firing' ? 'firing' : 'pending',
    value: Number(row.V),
    activeAt: Number(row.Active),
    firedAt: Number(row.Fired),
    resolvedAt: 0,
    keepFiringSince: 0,
    incidentId: String(row.Incident),
    source: 'faultline',
  }));
}

const INCIDENT_COLUMNS = `IncidentId, ${epochMillis('OpenedAt')} AS Opened, ${epochMillis('UpdatedAt')} AS Updated,
    ${epochMillis('ResolvedAt')} AS Resolved, Status, Severity, Title, ProbableCause, ProbableCauseFingerprint, Alerts`;

function toIncident(row: Record<string, unknown>): Incident {
  return {
    id: String(row.IncidentId),
    openedAt: Number(row.Opened),
    updatedAt: Number(row.Updated),
    resolvedAt: Number(row.Resolved),
    status: row.Status === 'resolved' ? 'resolved' : 'open',
    severity: String(row.Severity),
    title: String(row.Title),
    probableCause: String(row.ProbableCause),
    probableCauseFingerprint: String(row.ProbableCauseFingerprint),
    alerts: JSON.parse(
      typeof row.Alerts === 'string' && row.Alerts ? row.Alerts : '[]',
    ) as IncidentAlert[],
  };
}

export async function openIncidents(store: Store, maxAgeMs: number): Promise<Incident[]> {
  const found = await queryRows(
    store,
    `SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENTS.in(store.database)} FINAL
WHERE Status = 'open' AND UpdatedAt >= now64(3) - toIntervalSecond(${Math.ceil(maxAgeMs / 1000)})`,
  );
  return found.map(toIncident);
}

export interface IncidentFilter {
  status?: 'open' | 'resolved';
  service?: string;
  limit: number;
}

export async function listIncidents(store: Store, filter: IncidentFilter): Promise<Incident[]> {
  const where: string[] = [];
  if (filter.status) where.push(`Status = ${sqlString(filter.status)}`);
  if (filter.service) where.push(`has(Services, ${sqlString(filter.service)})`);
  const found = await queryRows(
    store,
    `SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENTS.in(store.database)} FINAL
${where.length ? `WHERE ${where.join(' AND ')}` : ''}
ORDER BY OpenedAt DESC LIMIT ${filter.limit}`,
  );
  return found.map(toIncident);
}

export async function incidentById(store: Store, id: string): Promise<Incident | undefined> {
  const [row] = await queryRows(
    store,
    `SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENTS.in(store.database)} FINAL WHERE IncidentId = ${sqlString(id)} LIMIT 1`,
  );
  return row ? toIncident(row) : undefined;
}

export interface TimelineEntry {
  time: string;
  alertname: string;
  fingerprint: string;
  state: string;
  value: number;
  labels: Record<string, string>;
  source: string;
}

/** Every stored transition of the incident's alerts from `fromMs` on, oldest first. */
export async function incidentTimeline(
  store: Store,
  incident: Incident,
  fromMs: number,
): Promise<TimelineEntry[]> {
  const fingerprints = incident.alerts.map((a) => sqlString(a.fingerprint)).join(', ') || "''";
  const found = await queryRows(
    store,
    `SELECT ${epochMillis('Timestamp')} AS T, AlertName, Fingerprint, State, Value, Labels, Source
FROM ${ALERTS.in(store.database)}
WHERE IncidentId = ${sqlString(incident.id)}
   OR (Fingerprint IN (${fingerprints}) AND Timestamp >= ${sqlMillis(fromMs)})
ORDER BY Timestamp, ${STATE_RANK}
LIMIT 1000`,
  );
  return found.map((row) => ({
    time: new Date(Number(row.T)).toISOString(),
    alertname: String(row.AlertName),
    fingerprint: String(row.Fingerprint),
    state: String(row.State),
    value: Number(row.Value),
    labels: asLabels(row.Labels),
    source: String(row.Source),
  }));
}

export interface EvidenceScope {
  fromMs: number;
  toMs: number;
  services: string[];
  agents: string[];
}

function scopeWhere(scope: EvidenceScope, time: string): string {
  const where = [
    `${time} >= ${sqlMillis(scope.fromMs)}`,
    `${time} <= ${sqlMillis(Math.ceil(scope.toMs))}`,
  ];
  const anyOf = (column: string, values: string[]) =>
    values.length ? [`${column} IN (${values.map(sqlString).join(', ')})`] : [];
  const who = [...anyOf('ServiceName', scope.services), ...anyOf('AgentName', scope.agents)];
  if (who.length) where.push(`(${who.join(' OR ')})`);
  return where.join(' AND ');
}

export async function topSignatures(store: Store, scope: EvidenceScope, limit = 10) {
  const found = await queryRows(
    store,
    `SELECT Signature, any(Class) AS Class, any(Severity) AS Severity, any(Message) AS Message,
    any(ServiceName) AS Service, toUInt64(count()) AS Count, ${epochMillis('min(Timestamp)')} AS First,
    ${epochMillis('max(Timestamp)')} AS Last, any(TraceId) AS ExampleTraceId,
    toUInt64(countIf(CausedBy = '')) AS Roots,
    groupUniqArrayIf(8)(CauseSignature, CauseSignature != '') AS CauseSignatures
FROM ${FAILURES.in(store.database)} FINAL
WHERE ${scopeWhere(scope, 'Timestamp')}
GROUP BY Signature ORDER BY Roots * 2 > Count DESC, Count DESC, Last DESC LIMIT ${limit}`,
  );
  return found.map((row) => ({
    signature: String(row.Signature),
    class: String(row.Class),
    severity: String(row.Severity),
    message: String(row.Message),
    service: String(row.Service),
    count: Number(row.Count),
    firstSeen: new Date(Number(row.First)).toISOString(),
    lastSeen: new Date(Number(row.Last)).toISOString(),
    exampleTraceId: String(row.ExampleTraceId),
    // Root causes lead (SPEC §5.3): most occurrences are not symptoms of another failure.
    rootCause: Number(row.Roots) * 2 > Number(row.Count),
    causeSignatures: (row.CauseSignatures as string[]).map(String),
  }));
}

export async function failingTraces(store: Store, scope: EvidenceScope, limit = 10) {
  const found = await queryRows(
    store,
    `SELECT TraceId, ServiceName, RootName, AgentName, ${epochMillis('Start')} AS StartMs, DurationNs,
    FailureClasses, RootCauseSpanId
FROM ${AGENT_TRACES.in(store.database)} FINAL
WHERE Status = 'failed' AND ${scopeWhere(scope, 'Start')}
ORDER BY Start DESC LIMIT ${limit}`,
  );
  return found.map((row) => ({
    traceId: String(row.TraceId),
    service: String(row.ServiceName),
    rootName: String(row.RootName),
    agent: String(row.AgentName),
    start: new Date(Number(row.StartMs)).toISOString(),
    durationMs: Number(row.DurationNs) / 1e6,
    failureClasses: row.FailureClasses as string[],
    rootCauseSpanId: String(row.RootCauseSpanId),
  }));
}
