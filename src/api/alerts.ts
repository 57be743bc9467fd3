import { z } from 'zod';
import type { Alert } from '../model/index.js';
import type { AlertingService } from '../service/alerting/service.js';
import { parseQuery } from './incidents.js';

export const alertListQuery = z.strictObject({
  state: z.enum(['pending', 'firing', 'resolved']).optional(),
  alertname: z.string().min(1).optional(),
});

const iso = (ms: number): string | null => (ms > 0 ? new Date(ms).toISOString() : null);

/** One alert as the API shows it; `resolved` for an alert kept after it resolved. */
function view(alert: Alert) {
  return {
    alertname: alert.name,
    fingerprint: alert.fingerprint,
    state: alert.state === 'inactive' ? 'resolved' : alert.state,
    severity: alert.severity,
    labels: alert.labels,
    annotations: alert.annotations,
    value: Number.isFinite(alert.value) ? alert.value : null,
    activeAt: iso(alert.activeAt),
    firedAt: iso(alert.firedAt),
    resolvedAt: iso(alert.resolvedAt),
    incidentId: alert.incidentId || null,
  };
}

/** `GET /api/v1/alerts`: the current alerts of this daemon's rules. */
export function getAlerts(alerting: AlertingService, query: URLSearchParams) {
  const filter = parseQuery(alertListQuery, query);
  const alerts = alerting
    .activeAlerts()
    .map(view)
    .filter(
      (a) =>
        (!filter.state || a.state === filter.state) &&
        (!filter.alertname || a.alertname === filter.alertname),
    )
    .sort((a, b) => (a.activeAt ?? '').localeCompare(b.activeAt ?? ''));
  return { alerts };
}
