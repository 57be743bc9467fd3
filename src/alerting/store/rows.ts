import type { Alert, AlertLabels, AlertTransition } from '../alert.js';
import { labelValues, type Incident, type IncidentAlert } from '../incidents/incident.js';

/** A DateTime64(3) as JSONEachRow input: an integer is read as ticks, here milliseconds. */
export const chTime = (ms: number): number => Math.max(0, Math.round(ms));

export function alertRow(transition: AlertTransition): string {
  const { alert } = transition;
  return JSON.stringify({
    Timestamp: chTime(transition.timeMs),
    AlertName: alert.name,
    Fingerprint: alert.fingerprint,
    State: transition.state,
    Severity: alert.severity,
    Labels: alert.labels,
    Annotations: alert.annotations,
    Value: Number.isFinite(alert.value) ? alert.value : 0,
    ActiveAt: chTime(alert.activeAt),
    FiredAt: chTime(alert.firedAt),
    ResolvedAt: chTime(alert.resolvedAt),
    IncidentId: alert.incidentId,
    Source: alert.source,
  });
}

export function incidentRow(incident: Incident, version: number): string {
  return JSON.stringify({
    IncidentId: incident.id,
    OpenedAt: chTime(incident.openedAt),
    UpdatedAt: chTime(incident.updatedAt),
    ResolvedAt: chTime(incident.resolvedAt),
    Status: incident.status,
    Severity: incident.severity,
    Title: incident.title,
    ProbableCause: incident.probableCause,
    ProbableCauseFingerprint: incident.probableCauseFingerprint,
    Services: labelValues(incident, 'service'),
    Agents: labelValues(incident, 'agent'),
    Models: labelValues(incident, 'model'),
    AlertNames: [...new Set(incident.alerts.map((a) => a.name))].sort(),
    Alerts: JSON.stringify(incident.alerts),
    Version: version,
  });
}

export function incidentAlert(alert: Alert): IncidentAlert {
  return {
    fingerprint: alert.fingerprint,
    name: alert.name,
    labels: alert.labels,
    severity: alert.severity,
    state: alert.state === 'firing' ? 'firing' : 'resolved',
    activeAt: alert.activeAt,
    firedAt: alert.firedAt,
    resolvedAt: alert.resolvedAt,
    source: alert.source,
  };
}

export const asLabels = (value: unknown): AlertLabels =>
  value !== null && typeof value === 'object' ? (value as AlertLabels) : {};
