import type { AlertTransition } from '../../model/index.js';

/** The JSON body of one webhook notification: one alert transition. */
export function webhookBody(transition: AlertTransition, generatorURL: string): string {
  const { alert } = transition;
  const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);
  return JSON.stringify({
    version: '1',
    status: transition.state,
    timestamp: new Date(transition.timeMs).toISOString(),
    alertname: alert.name,
    fingerprint: alert.fingerprint,
    severity: alert.severity,
    labels: alert.labels,
    annotations: alert.annotations,
    value: Number.isFinite(alert.value) ? alert.value : null,
    activeAt: iso(alert.activeAt),
    firedAt: iso(alert.firedAt),
    resolvedAt: iso(alert.resolvedAt),
    incidentId: alert.incidentId || null,
    generatorURL,
  });
}
