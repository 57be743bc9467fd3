import type { Logger } from 'pino';
import { alertFingerprint, type Alert, type AlertLabels, type AlertTransition } from './alert.js';
import type { Store } from '../storage/store.js';
import { IncidentCorrelator, type CorrelationOptions } from './incidents/correlator.js';
import type { Incident } from './incidents/incident.js';
import { latestActiveAlerts, openIncidents } from './store/queries.js';
import { AlertRecorder } from './store/journal.js';
import { alertRow, incidentAlert, incidentRow } from './store/rows.js';

export const DEFAULT_CORRELATION: CorrelationOptions = {
  windowMs: 600_000,
  matchLabels: ['service', 'agent', 'model'],
  maxOpen: 1000,
};

/** An alert as an Alertmanager webhook reports it; times in Unix ms, 0 when absent. */
export interface ExternalAlert {
  status: 'firing' | 'resolved';
  labels: AlertLabels;
  annotations: AlertLabels;
  startsAt: number;
  endsAt: number;
}

/** Open incidents older than this are not picked up again at start. */
const INCIDENT_RESTORE_AGE_MS = 7 * 86_400_000;

/**
 * The alerting state the alert processor and the admin API share, created once by the daemon:
 * the incident correlator, the store of alert transitions and incidents, and the list of
 * current alerts. Transitions from the processor's rules and alerts received from an
 * Alertmanager webhook go through the same correlator, so they land in the same incidents.
 */
export class AlertingService {
  readonly correlator = new IncidentCorrelator(DEFAULT_CORRELATION);
  private readonly recorder: AlertRecorder;
  private readonly sources = new Set<() => Iterable<Alert>>();
  private lastVersion = 0;
  private started: Promise<void> | undefined;

  constructor(
    readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.recorder = new AlertRecorder(store, logger);
  }

  configure(options: Partial<CorrelationOptions>): void {
    this.correlator.configure({ ...DEFAULT_CORRELATION, ...options });
  }

  /** Picks open incidents up from storage; safe to call more than once. */
  start(): Promise<void> {
    this.started ??= openIncidents(this.store, INCIDENT_RESTORE_AGE_MS).then(
      (incidents) => this.correlator.restore(incidents),
      (error: unknown) => this.logger.warn({ err: error }, 'could not restore open incidents'),
    );
    return this.started;
  }

  async shutdown(): Promise<void> {
    await this.recorder.flush();
    this.recorder.close();
  }

  /** Waits until every row handed in so far is stored (or a write failed). */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /** Pending and firing alerts of Faultline's rules stored within `maxAgeMs`. */
  restoreAlerts(maxAgeMs: number): Promise<Alert[]> {
    return latestActiveAlerts(this.store, maxAgeMs);
  }

  /** Adds a producer of current alerts to `activeAlerts()`; returns the removal. */
  addAlertSource(source: () => Iterable<Alert>): () => void {
    this.sources.add(source);
    return () => this.sources.delete(source);
  }

  activeAlerts(): Alert[] {
    return [...this.sources].flatMap((source) => [...source()]);
  }

  /**
   * Stores transitions and puts firing alerts into incidents. Sets `incidentId` on each
   * transition's alert, and returns fingerprint → incident id for the caller's own copies.
   */
  record(transitions: readonly AlertTransition[]): Map<string, string> {
    const assigned = new Map<string, string>();
    const changed = new Map<string, Incident>();
    for (const transition of transitions) {
      const { alert } = transition;
      let updated: Incident | undefined;
      if (transition.state === 'firing') {
        updated = this.correlator.firing(incidentAlert(alert), transition.timeMs);
      } else if (transition.state === 'resolved') {
        updated = this.correlator.resolved(alert.fingerprint, alert.resolvedAt, transition.timeMs);
      }
      if (updated) changed.set(updated.id, updated);
      const incident = updated ?? this.correlator.incidentOf(alert.fingerprint);
      if (incident && transition.state !== 'pending' && transition.state !== 'inactive') {
        alert.incidentId = incident.id;
        assigned.set(alert.fingerprint, incident.id);
      }
    }
    this.recorder.add('alerts', transitions.map(alertRow));
    this.recorder.add(
      'incidents',
      [...changed.values()].map((incident) => incidentRow(incident, this.nextVersion())),
    );
    return assigned;
  }

  /**
   * Alerts received from an Alertmanager webhook. An alert Faultline itself raised (same
   * labels, so the same fingerprint) is already in its incident and is not recorded twice;
   * others are stored as transitions and correlated like Faultline's own.
   */
  receiveExternal(alerts: readonly ExternalAlert[]): { recorded: number } {
    const now = this.clock();
    const transitions: AlertTransition[] = [];
    for (const external of alerts) {
      const fingerprint = alertFingerprint(external.labels);
      const known = this.correlator
        .incidentOf(fingerprint)
        ?.alerts.find((a) => a.fingerprint === fingerprint);
      const firing = external.status === 'firing';
      if (known && (known.source !== 'alertmanager' || (known.state === 'firing') === firing)) {
        continue;
      }
      if (!known && !firing) continue;
      const alert: Alert = {
        name: external.labels.alertname ?? 'unnamed',
        fingerprint,
        labels: external.labels,
        annotations: external.annotations,
        severity: external.labels.severity ?? '',
        state: firing ? 'firing' : 'inactive',
        value: NaN,
        activeAt: external.startsAt || now,
        firedAt: external.startsAt || now,
        resolvedAt: firing ? 0 : external.endsAt || now,
        keepFiringSince: 0,
        incidentId: '',
        source: 'alertmanager',
      };
      transitions.push({ timeMs: now, state: firing ? 'firing' : 'resolved', alert });
    }
    this.record(transitions);
    return { recorded: transitions.length };
  }

  now(): number {
    return this.clock();
  }

  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, this.clock() * 1000);
    return this.lastVersion;
  }
}
