import { z } from 'zod';
import { alertJson } from '../alerting/alert.js';
import type { AlertingService } from '../alerting/service.js';
import { validate } from './validate.js';

export const alertListQuery = z.strictObject({
  state: z.enum(['pending', 'firing', 'resolved']).optional(),
  alertname: z.string().min(1).optional(),
});

/** `GET /api/v1/alerts`: the current alerts of this daemon's rules. */
export function getAlerts(alerting: AlertingService, query: URLSearchParams) {
  const filter = validate(alertListQuery, Object.fromEntries(query), 'query');
  const alerts = alerting
    .activeAlerts()
    .map(alertJson)
    .filter(
      (a) =>
        (!filter.state || a.state === filter.state) &&
        (!filter.alertname || a.alertname === filter.alertname),
    )
    .sort((a, b) => (a.activeAt ?? '').localeCompare(b.activeAt ?? ''));
  return { alerts };
}
