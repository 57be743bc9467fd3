import type { Alert } from '../../alert.js';

/** One alert of `POST /api/v2/alerts` (Alertmanager's `postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * As Prometheus sends them: `startsAt` is when the alert fired; `endsAt` is the resolution
 * time for a resolved alert and otherwise a point ahead (`validUntil`) that the next resend
 * will move again, so Alertmanager resolves the alert by itself if Faultline goes away.
 */
export function postableAlert(
  alert: Alert,
  validUntil: number,
  generatorURL: string,
): PostableAlert {
  const postable: PostableAlert = {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(alert.firedAt || alert.activeAt).toISOString(),
    endsAt: new Date(alert.resolvedAt || validUntil).toISOString(),
  };
  if (generatorURL) postable.generatorURL = generatorURL;
  return postable;
}
