import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertingService } from '../alerting/service.js';
import { RetryableError } from '../pipeline/errors.js';
import { getAlerts } from './alerts.js';
import { alertmanagerWebhookSchema, externalAlerts } from './alertmanager-webhook.js';
import { getIncidentReport, getIncidents } from './incidents.js';
import { ApiError, readJsonBody, sendJson } from './respond.js';
import { incidentMarkdown } from '../triage/incident-report.js';
import { validate } from './validate.js';

/** Evidence is read from this long before an incident opened. */
const EVIDENCE_LOOKBACK_MS = 10 * 60_000;

function only(method: string, wanted: string, route: string): void {
  if (method !== wanted)
    throw new ApiError(405, 'method_not_allowed', `use ${wanted} for ${route}`);
}

/**
 * The alerting routes: `GET /api/v1/alerts`, `GET /api/v1/incidents`,
 * `GET /api/v1/incidents/{id}` and `POST /api/v1/alertmanager/webhook`. Returns false for
 * any other path.
 */
export async function routeAlerting(
  request: IncomingMessage,
  response: ServerResponse,
  alerting: AlertingService | undefined,
  maxBodySize: number,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://admin');
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const incident = /^\/api\/v1\/incidents\/([^/]+)$/.exec(path);
  const markdown = /^\/api\/v1\/incidents\/([^/]+)\/report\.md$/.exec(path);
  const known =
    markdown !== null ||
    path === '/api/v1/alerts' ||
    path === '/api/v1/incidents' ||
    path === '/api/v1/alertmanager/webhook' ||
    incident !== null;
  if (!known) return false;
  if (!alerting) throw new ApiError(404, 'not_found', 'alerting is not running in this daemon');
  if (path === '/api/v1/alerts') {
    only(method, 'GET', path);
    sendJson(response, 200, getAlerts(alerting, url.searchParams));
  } else if (path === '/api/v1/incidents') {
    only(method, 'GET', path);
    sendJson(response, 200, await getIncidents(alerting, url.searchParams));
  } else if (markdown) {
    only(method, 'GET', '/api/v1/incidents/{id}/report.md');
    const id = decodeURIComponent(markdown[1]!);
    const report = await getIncidentReport(alerting, id, EVIDENCE_LOOKBACK_MS);
    response
      .writeHead(200, {
        'Content-Type': 'text/markdown; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      })
      .end(incidentMarkdown(report));
  } else if (incident) {
    only(method, 'GET', '/api/v1/incidents/{id}');
    const id = decodeURIComponent(incident[1]!);
    sendJson(response, 200, await getIncidentReport(alerting, id, EVIDENCE_LOOKBACK_MS));
  } else {
    // 200 only once the alerts are in the durable queue; 503 + Retry-After when it is full or
    // failing, so Alertmanager sends them again and nothing is acknowledged that could be lost.
    only(method, 'POST', path);
    const body = await readJsonBody(request, maxBodySize);
    const payload = validate(alertmanagerWebhookSchema, body, 'body');
    const { recorded } = await alerting.receiveExternal(externalAlerts(payload)).catch((error) => {
      if (!(error instanceof RetryableError)) throw error;
      response.setHeader('Retry-After', String(Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
      throw new ApiError(503, 'unavailable', error.message);
    });
    sendJson(response, 200, { status: 'ok', received: payload.alerts.length, recorded });
  }
  return true;
}
