import { severityRank } from '../../model/index.js';
import type { AlertLabels } from '../alert.js';

/** One alert as an incident remembers it. */
export interface IncidentAlert {
  fingerprint: string;
  name: string;
  labels: AlertLabels;
  severity: string;
  state: 'firing' | 'resolved';
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  /** `faultline` or `alertmanager`. */
  source: string;
}

/**
 * Alerts that fired close together and share a service, agent or model: one incident, with the
 * earliest alert as its probable cause. Times are Unix milliseconds; 0 means "not yet".
 */
export interface Incident {
  id: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt: number;
  status: 'open' | 'resolved';
  severity: string;
  title: string;
  probableCause: string;
  probableCauseFingerprint: string;
  alerts: IncidentAlert[];
}

/** The label values of an incident's alerts under `key`, distinct and sorted. */
export function labelValues(incident: Incident, key: string): string[] {
  const values = new Set<string>();
  for (const alert of incident.alerts) if (alert.labels[key]) values.add(alert.labels[key]);
  return [...values].sort();
}

/** Recomputes what follows from the alerts: probable cause, severity, title. */
export function summarise(incident: Incident): void {
  let cause = incident.alerts[0]!;
  let severity = cause.severity;
  for (const alert of incident.alerts) {
    if ((alert.firedAt || alert.activeAt) < (cause.firedAt || cause.activeAt)) cause = alert;
    if (severityRank(alert.severity) > severityRank(severity)) severity = alert.severity;
  }
  incident.probableCause = cause.name;
  incident.probableCauseFingerprint = cause.fingerprint;
  incident.severity = severity;
  const services = labelValues(incident, 'service');
  incident.title = services.length ? `${cause.name} on ${services.join(', ')}` : cause.name;
}
