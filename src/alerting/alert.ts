import { createHash } from 'node:crypto';

/**
 * Alerts as Prometheus defines their life (SPEC §5.4): a rule's condition holding makes an
 * alert `pending`; held for `for`, it is `firing`; once it stops holding (and `keep_firing_for`
 * has passed) it is `resolved`. A pending alert whose condition stops holding simply goes away
 * (`inactive`). Times are Unix milliseconds; 0 means "not yet".
 */
export const ALERT_STATES = ['pending', 'firing', 'resolved', 'inactive'] as const;
export type AlertTransitionState = (typeof ALERT_STATES)[number];
export type AlertState = 'pending' | 'firing' | 'inactive';

export type AlertLabels = Record<string, string>;

export interface Alert {
  /** The rule's name, also the `alertname` label. */
  name: string;
  /** Stable hash of the labels: the alert's identity, the same one Alertmanager uses. */
  fingerprint: string;
  /** Every label, `alertname` and `severity` included. */
  labels: AlertLabels;
  annotations: AlertLabels;
  severity: string;
  state: AlertState;
  /** The aggregate's value at the last evaluation that held (NaN when never evaluated). */
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  /** When the condition last stopped holding while firing (keep_firing_for counts from it). */
  keepFiringSince: number;
  incidentId: string;
  /** `faultline` for the alert processor's rules, `alertmanager` for webhook-received alerts. */
  source: string;
}

/** One change of an alert's state, as stored in the `alerts` table. */
export interface AlertTransition {
  timeMs: number;
  state: AlertTransitionState;
  alert: Alert;
}

/**
 * What an evaluation hands to notifiers: the transitions it made and every alert Alertmanager
 * should know about now (firing ones, and resolved ones still within their retention).
 */
export interface AlertUpdate {
  timeMs: number;
  /** The evaluation interval, so notifiers can keep `endsAt` ahead of the next update. */
  intervalMs: number;
  transitions: readonly AlertTransition[];
  active: readonly Alert[];
}

/** Labels in a fixed order; the fingerprint Faultline gives an alert with these labels. */
export function sortedLabelPairs(labels: AlertLabels): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Faultline's identity of an alert: SHA-256 over its sorted labels, 16 hex characters. */
export function alertFingerprint(labels: AlertLabels): string {
  const hash = createHash('sha256');
  for (const [key, value] of sortedLabelPairs(labels)) hash.update(`${key}\u0000${value}\u0000`);
  return hash.digest('hex').slice(0, 16);
}

/** Unix ms as an ISO 8601 time; null for 0 ("not yet"). */
export const isoTime = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);

/**
 * An alert as Faultline shows it outside (API, webhooks): `state` is pending, firing, or
 * resolved for an alert kept after it resolved; times are ISO 8601 or null.
 */
export function alertJson(alert: Alert) {
  return {
    alertname: alert.name,
    fingerprint: alert.fingerprint,
    state: alert.state === 'inactive' ? 'resolved' : alert.state,
    severity: alert.severity,
    labels: alert.labels,
    annotations: alert.annotations,
    value: Number.isFinite(alert.value) ? alert.value : null,
    activeAt: isoTime(alert.activeAt),
    firedAt: isoTime(alert.firedAt),
    resolvedAt: isoTime(alert.resolvedAt),
    incidentId: alert.incidentId || null,
  };
}
