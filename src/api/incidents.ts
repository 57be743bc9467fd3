import { z } from 'zod';
import { isoTime as iso } from '../alerting/alert.js';
import type { AlertingService } from '../alerting/service.js';
import { labelValues, type Incident } from '../alerting/incidents/incident.js';
import {
  failingTraces,
  incidentById,
  incidentTimeline,
  listIncidents,
  topSignatures,
} from '../alerting/store/queries.js';
import { causalChain } from '../triage/incident-report.js';
import { occurrenceFacts, remediation } from '../triage/facts.js';
import { ApiError } from './respond.js';
import { validate } from './validate.js';

function summary(incident: Incident) {
  return {
    id: incident.id,
    status: incident.status,
    severity: incident.severity,
    title: incident.title,
    probableCause: {
      alertname: incident.probableCause,
      fingerprint: incident.probableCauseFingerprint,
    },
    openedAt: iso(incident.openedAt),
    updatedAt: iso(incident.updatedAt),
    resolvedAt: iso(incident.resolvedAt),
    services: labelValues(incident, 'service'),
    agents: labelValues(incident, 'agent'),
    models: labelValues(incident, 'model'),
    alerts: incident.alerts.map((alert) => ({
      alertname: alert.name,
      fingerprint: alert.fingerprint,
      state: alert.state,
      severity: alert.severity,
      labels: alert.labels,
      activeAt: iso(alert.activeAt),
      firedAt: iso(alert.firedAt),
      resolvedAt: iso(alert.resolvedAt),
      source: alert.source,
    })),
  };
}

export const incidentListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  service: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `GET /api/v1/incidents`: newest first. */
export async function getIncidents(alerting: AlertingService, query: URLSearchParams) {
  const filter = validate(incidentListQuery, Object.fromEntries(query), 'query');
  const incidents = await listIncidents(alerting.store, filter);
  return { incidents: incidents.map(summary) };
}

/**
 * `GET /api/v1/incidents/{id}`: the report. Evidence (failing traces and top failure
 * signatures) is read from the incident's time span, widened by the correlation window
 * before it, for its services and agents.
 */
export async function getIncidentReport(alerting: AlertingService, id: string, lookbackMs: number) {
  if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) {
    throw new ApiError(
      400,
      'invalid_incident_id',
      'an incident id is letters, digits, and - _ . :',
    );
  }
  const incident = await incidentById(alerting.store, id);
  if (!incident) throw new ApiError(404, 'incident_not_found', `no incident ${id}`);
  const scope = {
    fromMs: incident.openedAt - lookbackMs,
    toMs: incident.resolvedAt || alerting.now(),
    services: labelValues(incident, 'service'),
    agents: labelValues(incident, 'agent'),
  };
  const [timeline, signatures, traces] = await Promise.all([
    incidentTimeline(alerting.store, incident, scope.fromMs),
    topSignatures(alerting.store, scope),
    failingTraces(alerting.store, scope),
  ]);
  const roots = signatures.filter((s) => s.rootCause);
  const facts = await occurrenceFacts(
    alerting.store,
    roots.map((s) => s.signature),
    1,
  );
  return {
    ...summary(incident),
    timeline,
    affectedServices: scope.services,
    topSignatures: signatures,
    causalChain: causalChain(signatures),
    evidenceTraces: traces,
    // One per root-cause signature, from its class and its own facts.
    remediation: roots.map((root) => ({
      class: root.class,
      signature: root.signature,
      suggestion: remediation(
        root.class,
        facts.find((f) => f.signature === root.signature),
      ),
    })),
  };
}
