import type { Alert, AlertLabels, AlertTransition } from '../alert.js';

/** What one evaluation found for one alert whose condition holds. */
export interface Holding {
  fingerprint: string;
  labels: AlertLabels;
  annotations: AlertLabels;
  value: number;
}

export interface StateTiming {
  forMs: number;
  keepFiringForMs: number;
  /** Resolved alerts stay (to be re-sent as resolved) this long. */
  resolvedRetentionMs: number;
}

/**
 * The alerts of one rule and Prometheus's state machine over them, evaluation by evaluation:
 * - a condition that starts holding makes a new alert `pending` (ActiveAt = now);
 * - pending for at least `for`, it fires (FiredAt = now), in the same evaluation when for = 0;
 * - a pending alert whose condition stops holding is dropped (`inactive`), never `resolved`;
 * - a firing alert whose condition stops holding keeps firing until `keep_firing_for` has
 *   passed since it first stopped (KeepFiringSince; reset whenever it holds again), then is
 *   `resolved` (ResolvedAt = now) and kept for `resolved_retention` so notifiers can repeat it;
 * - a resolved alert whose condition holds again starts over as a new pending alert.
 * Alerts restored from storage keep their state and ActiveAt; while the windows refill after a
 * restart (until `graceUntil`), a restored alert is not changed by missing data.
 */
export class AlertStates {
  readonly alerts = new Map<string, Alert>();
  private readonly restored = new Set<string>();
  private graceUntil = 0;

  constructor(
    private readonly name: string,
    private readonly severity: string,
    private readonly timing: StateTiming,
  ) {}

  restore(alert: Alert, graceUntil: number): void {
    this.alerts.set(alert.fingerprint, alert);
    this.restored.add(alert.fingerprint);
    this.graceUntil = Math.max(this.graceUntil, graceUntil);
  }

  update(now: number, holding: ReadonlyMap<string, Holding>): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const record = (alert: Alert, state: AlertTransition['state']) =>
      transitions.push({ timeMs: now, state, alert: { ...alert } });
    for (const [fingerprint, found] of holding) {
      const alert = this.alerts.get(fingerprint);
      this.restored.delete(fingerprint);
      if (alert && alert.state !== 'inactive') {
        alert.value = found.value;
        alert.annotations = found.annotations;
        continue;
      }
      const fresh = this.newAlert(now, found);
      this.alerts.set(fingerprint, fresh);
      record(fresh, 'pending');
    }
    const { forMs, keepFiringForMs, resolvedRetentionMs } = this.timing;
    for (const [fingerprint, alert] of this.alerts) {
      if (!holding.has(fingerprint)) {
        if (this.restored.has(fingerprint) && now < this.graceUntil) continue;
        let keepFiring = false;
        if (alert.state === 'firing' && keepFiringForMs > 0) {
          if (alert.keepFiringSince === 0) alert.keepFiringSince = now;
          keepFiring = now - alert.keepFiringSince < keepFiringForMs;
        }
        if (
          alert.state === 'pending' ||
          (alert.resolvedAt > 0 && now - alert.resolvedAt > resolvedRetentionMs)
        ) {
          this.alerts.delete(fingerprint);
          this.restored.delete(fingerprint);
        }
        if (alert.state !== 'inactive' && !keepFiring) {
          const was = alert.state;
          alert.state = 'inactive';
          alert.resolvedAt = now;
          record(alert, was === 'firing' ? 'resolved' : 'inactive');
        }
        if (!keepFiring) continue;
      } else {
        alert.keepFiringSince = 0;
      }
      if (alert.state === 'pending' && now - alert.activeAt >= forMs) {
        alert.state = 'firing';
        alert.firedAt = now;
        record(alert, 'firing');
      }
    }
    return transitions;
  }

  /** Called by the incident service once it knows which incident a firing alert joined. */
  setIncident(fingerprint: string, incidentId: string): void {
    const alert = this.alerts.get(fingerprint);
    if (alert) alert.incidentId = incidentId;
  }

  private newAlert(now: number, found: Holding): Alert {
    return {
      name: this.name,
      fingerprint: found.fingerprint,
      labels: found.labels,
      annotations: found.annotations,
      severity: found.labels.severity ?? this.severity,
      state: 'pending',
      value: found.value,
      activeAt: now,
      firedAt: 0,
      resolvedAt: 0,
      keepFiringSince: 0,
      incidentId: '',
      source: 'faultline',
    };
  }
}
