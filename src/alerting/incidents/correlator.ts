import { randomBytes } from 'node:crypto';
import { summarise, type Incident, type IncidentAlert } from './incident.js';

export interface CorrelationOptions {
  windowMs: number;
  /** Alerts sharing a non-empty value of one of these labels belong together. */
  matchLabels: readonly string[];
  /** Open incidents kept in memory; beyond it the least recently updated is forgotten. */
  maxOpen: number;
}

export interface CorrelatorCheckpoint {
  open: Map<string, Incident>;
  byFingerprint: Map<string, string>;
}

const newIncidentId = (now: number): string =>
  `inc-${now.toString(36)}-${randomBytes(4).toString('hex')}`;

/**
 * Groups firing alerts into incidents: an alert joins the open incident (most recently updated
 * first) that had an alert within the correlation window and shares one of the match labels'
 * values with it; otherwise it opens a new one. An incident resolves when all its alerts have.
 * Pure and in memory; the alerting service stores what changes.
 */
export class IncidentCorrelator {
  private open = new Map<string, Incident>();
  private byFingerprint = new Map<string, string>();

  constructor(
    private options: CorrelationOptions,
    private readonly newId: (now: number) => string = newIncidentId,
  ) {}

  configure(options: CorrelationOptions): void {
    this.options = options;
  }

  /** The open incident an alert belongs to, if any. */
  incidentOf(fingerprint: string): Incident | undefined {
    const id = this.byFingerprint.get(fingerprint);
    return id === undefined ? undefined : this.open.get(id);
  }

  /** Records a firing alert; returns its incident when that changed (undefined: no change). */
  firing(alert: IncidentAlert, now: number): Incident | undefined {
    const known = this.incidentOf(alert.fingerprint);
    if (known) {
      const index = known.alerts.findIndex((a) => a.fingerprint === alert.fingerprint);
      const before = known.alerts[index]!;
      if (before.state === 'firing' && before.firedAt === alert.firedAt) return undefined;
      known.alerts[index] = alert;
      return this.touch(known, now);
    }
    const incident = this.match(alert, now) ?? this.create(now);
    incident.alerts.push(alert);
    this.byFingerprint.set(alert.fingerprint, incident.id);
    return this.touch(incident, now);
  }

  /** Records a resolved alert; returns its incident when that changed. */
  resolved(fingerprint: string, resolvedAt: number, now: number): Incident | undefined {
    const incident = this.incidentOf(fingerprint);
    if (!incident) return undefined;
    const alert = incident.alerts.find((a) => a.fingerprint === fingerprint)!;
    if (alert.state === 'resolved') return undefined;
    alert.state = 'resolved';
    alert.resolvedAt = resolvedAt;
    if (incident.alerts.every((a) => a.state === 'resolved')) {
      incident.status = 'resolved';
      incident.resolvedAt = now;
      this.forget(incident);
    }
    return this.touch(incident, now);
  }

  /** Open incidents read back from storage at start. */
  restore(incidents: Incident[]): void {
    for (const incident of incidents) {
      if (incident.status !== 'open' || incident.alerts.length === 0) continue;
      this.open.set(incident.id, incident);
      for (const alert of incident.alerts) this.byFingerprint.set(alert.fingerprint, incident.id);
    }
  }

  /** A copy of the state, for `rollback` when the changes made after it could not be stored. */
  checkpoint(): CorrelatorCheckpoint {
    return { open: structuredClone(this.open), byFingerprint: new Map(this.byFingerprint) };
  }

  rollback(checkpoint: CorrelatorCheckpoint): void {
    this.open = checkpoint.open;
    this.byFingerprint = checkpoint.byFingerprint;
  }

  openIncidents(): Incident[] {
    return [...this.open.values()];
  }

  private match(alert: IncidentAlert, now: number): Incident | undefined {
    let best: Incident | undefined;
    for (const incident of this.open.values()) {
      if (now - incident.updatedAt > this.options.windowMs) continue;
      const shares = this.options.matchLabels.some((key) => {
        const value = alert.labels[key];
        return (
          value !== undefined &&
          value !== '' &&
          incident.alerts.some((a) => a.labels[key] === value)
        );
      });
      if (shares && (!best || incident.updatedAt > best.updatedAt)) best = incident;
    }
    return best;
  }

  private create(now: number): Incident {
    const incident: Incident = {
      id: this.newId(now),
      openedAt: now,
      updatedAt: now,
      resolvedAt: 0,
      status: 'open',
      severity: '',
      title: '',
      probableCause: '',
      probableCauseFingerprint: '',
      alerts: [],
    };
    this.open.set(incident.id, incident);
    if (this.open.size > this.options.maxOpen) {
      const stalest = [...this.open.values()].reduce((a, b) =>
        a.updatedAt <= b.updatedAt ? a : b,
      );
      this.forget(stalest);
    }
    return incident;
  }

  private touch(incident: Incident, now: number): Incident {
    incident.updatedAt = now;
    summarise(incident);
    return incident;
  }

  private forget(incident: Incident): void {
    this.open.delete(incident.id);
    for (const alert of incident.alerts) {
      if (this.byFingerprint.get(alert.fingerprint) === incident.id)
        this.byFingerprint.delete(alert.fingerprint);
    }
  }
}
