import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { RetryableError, QUEUE_FULL, errorMessage } from '../pipeline/errors.js';
import type { Store } from '../storage/store.js';
import { ALERTS, INCIDENTS } from '../storage/tables.js';
import { perRegistry } from '../telemetry/per-registry.js';
import { alertFingerprint, type Alert, type AlertLabels, type AlertTransition } from './alert.js';
import type { AlertingConfig } from './config.js';
import { IncidentCorrelator, type CorrelationOptions } from './incidents/correlator.js';
import type { Incident } from './incidents/incident.js';
import { AlertJournal, type AlertRows } from './store/journal.js';
import { latestActiveAlerts, openIncidents } from './store/queries.js';
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

/** What the daemon configures beyond the store; without `config` rows are not queued on disk. */
export interface AlertingServiceOptions {
  config?: AlertingConfig;
  metrics?: Registry;
}

const droppedRows = perRegistry(
  (registry) =>
    new Counter({
      name: 'faultline_alerting_dropped_rows_total',
      help: "Rows of Faultline's own alert transitions and incidents the alerting queue refused (full or closing).",
      labelNames: ['table'],
      registers: [registry],
    }),
);

/** How long a refused Alertmanager webhook is asked to wait before sending again. */
const RETRY_AFTER_MS = 1000;

/**
 * The alerting state the alert processor and the admin API share, created once by the daemon:
 * the incident correlator, the journal that carries alert transitions and incidents to storage
 * (a durable queue per table), and the list of current alerts. Transitions from the processor's
 * rules and alerts received from an Alertmanager webhook go through the same correlator, so
 * they land in the same incidents.
 */
export class AlertingService {
  readonly correlator = new IncidentCorrelator(DEFAULT_CORRELATION);
  private readonly journal: AlertJournal;
  private readonly sources = new Set<() => Iterable<Alert>>();
  /** Appends not settled yet; `flush` waits for them. */
  private readonly appending = new Set<Promise<void>>();
  /** Alertmanager webhooks are taken one at a time, so a rollback undoes only its own. */
  private receiving: Promise<unknown> = Promise.resolve();
  private lastVersion = 0;
  private started: Promise<void> | undefined;
  private readonly dropped: Counter<'table'>;

  constructor(
    readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    options: AlertingServiceOptions = {},
  ) {
    const registry = options.metrics ?? new Registry();
    this.journal = new AlertJournal(store, logger, options.config?.queue, registry);
    this.dropped = droppedRows(registry);
  }

  configure(options: Partial<CorrelationOptions>): void {
    this.correlator.configure({ ...DEFAULT_CORRELATION, ...options });
  }

  /** Opens the journal (replaying what a previous run left) and picks open incidents up. */
  start(): Promise<void> {
    this.started ??= this.journal.start().then(() =>
      openIncidents(this.store, INCIDENT_RESTORE_AGE_MS).then(
        (incidents) => this.correlator.restore(incidents),
        (error: unknown) => this.logger.warn({ err: error }, 'could not restore open incidents'),
      ),
    );
    return this.started;
  }

  /** Delivers until `deadline` aborts; what is left stays in the journal for the next start. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    await this.flush();
    await this.journal.shutdown(deadline);
  }

  /** Waits until every row handed in so far is safe in the journal (or could not be). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.appending]);
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
   * The rows go to the journal in the background; rows it refuses (queue full) are counted in
   * `faultline_alerting_dropped_rows_total` and logged.
   */
  record(transitions: readonly AlertTransition[]): Map<string, string> {
    const { assigned, rows } = this.apply(transitions);
    const appended = this.journal.append(rows).catch((error: unknown) => {
      this.dropped.inc({ table: ALERTS.name }, rows.alerts.length);
      this.dropped.inc({ table: INCIDENTS.name }, rows.incidents.length);
      this.logger.error(
        { err: errorMessage(error), alerts: rows.alerts.length, incidents: rows.incidents.length },
        'alert rows could not be queued for storage; they are lost',
      );
    });
    this.appending.add(appended);
    void appended.finally(() => this.appending.delete(appended));
    return assigned;
  }

  /**
   * Alerts received from an Alertmanager webhook. An alert Faultline itself raised (same
   * labels, so the same fingerprint) is already in its incident and is not recorded twice, nor
   * is an alert received before in the same state; others are stored as transitions and
   * correlated like Faultline's own. Resolves once their rows are in the journal; rejects with
   * a `RetryableError` when the journal cannot take them, leaving incidents as they were.
   */
  receiveExternal(alerts: readonly ExternalAlert[]): Promise<{ recorded: number }> {
    const received = this.receiving.then(() => this.receiveNow(alerts));
    this.receiving = received.catch(() => undefined);
    return received;
  }

  now(): number {
    return this.clock();
  }

  private async receiveNow(alerts: readonly ExternalAlert[]): Promise<{ recorded: number }> {
    const transitions = this.externalTransitions(alerts);
    if (transitions.length === 0) return { recorded: 0 };
    const checkpoint = this.correlator.checkpoint();
    const { rows } = this.apply(transitions);
    // Checked before appending (in the same tick), so no table takes rows another refuses.
    if (!this.journal.hasRoomFor(rows)) {
      this.correlator.rollback(checkpoint);
      throw new RetryableError(
        'the alerting queue is full or closing; retry later',
        QUEUE_FULL,
        RETRY_AFTER_MS,
      );
    }
    try {
      await this.journal.append(rows);
    } catch (error) {
      // A failed write (the disk, not room) may have queued one table's rows; the resend then
      // repeats that transition row, while incidents keep each alert once.
      this.correlator.rollback(checkpoint);
      throw error instanceof RetryableError
        ? error
        : new RetryableError(
            `received alerts could not be queued: ${errorMessage(error)}`,
            'queue_failed',
            RETRY_AFTER_MS,
            { cause: error },
          );
    }
    return { recorded: transitions.length };
  }

  private externalTransitions(alerts: readonly ExternalAlert[]): AlertTransition[] {
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
    return transitions;
  }

  /** Correlates transitions into incidents; returns the assignments and the rows to store. */
  private apply(transitions: readonly AlertTransition[]): {
    assigned: Map<string, string>;
    rows: AlertRows;
  } {
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
    const rows = {
      alerts: transitions.map(alertRow),
      incidents: [...changed.values()].map((incident) => incidentRow(incident, this.nextVersion())),
    };
    return { assigned, rows };
  }

  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, this.clock() * 1000);
    return this.lastVersion;
  }
}
