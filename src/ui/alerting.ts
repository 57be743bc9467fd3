import { call } from './api.js';
import { badge, el, link, table, when } from './dom.js';

interface Alert {
  alertname: string;
  state: string;
  severity: string;
  labels: Record<string, string>;
  activeAt: string | null;
  value?: number;
}
interface Incident {
  id: string;
  status: string;
  severity: string;
  title: string;
  openedAt: string | null;
  services: string[];
}
interface Report extends Incident {
  topSignatures: {
    signature: string;
    class: string;
    message: string;
    count: number;
    rootCause?: boolean;
  }[];
  evidenceTraces: { traceId: string; rootName: string }[];
  remediation: { class: string; suggestion: string }[];
}

const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

export async function alertsPage(main: HTMLElement): Promise<void> {
  const { alerts } = await call<{ alerts: Alert[] }>('GET', '/api/v1/alerts');
  main.replaceChildren(
    el('h1', {}, 'Alerts'),
    table(
      ['Alert', 'State', 'Severity', 'Labels', 'Active since'],
      alerts.map((a) => [
        a.alertname,
        badge(a.state),
        badge(a.severity),
        labelText(a.labels),
        when(a.activeAt),
      ]),
    ),
  );
}

export async function incidentsPage(main: HTMLElement): Promise<void> {
  const { incidents } = await call<{ incidents: Incident[] }>('GET', '/api/v1/incidents');
  main.replaceChildren(
    el('h1', {}, 'Incidents'),
    table(
      ['Incident', 'Status', 'Severity', 'Services', 'Opened'],
      incidents.map((i) => [
        link(`/incident/${encodeURIComponent(i.id)}`, i.title),
        badge(i.status),
        badge(i.severity),
        i.services.join(', '),
        when(i.openedAt),
      ]),
    ),
  );
}

export async function incidentPage(main: HTMLElement, id: string): Promise<void> {
  const report = await call<Report>('GET', `/api/v1/incidents/${encodeURIComponent(id)}`);
  main.replaceChildren(
    el('h1', {}, report.title, ' ', badge(report.status), ' ', badge(report.severity)),
    el('h2', {}, 'Causal chain (root causes first)'),
    table(
      ['Failure', 'Count', 'Role'],
      report.topSignatures.map((s) => [
        el(
          'div',
          {},
          link(`/signature/${s.signature}`, s.class),
          el('div', { class: 'message' }, s.message),
        ),
        String(s.count),
        s.rootCause === false ? badge('symptom') : badge('root cause', 'critical'),
      ]),
    ),
    el('h2', {}, 'Evidence traces'),
    table(
      ['Trace'],
      report.evidenceTraces.map((t) => [link(`/trace/${t.traceId}`, `${t.rootName} ${t.traceId}`)]),
    ),
    el('h2', {}, 'Remediation'),
    table(
      ['Class', 'Suggestion'],
      report.remediation.map((r) => [r.class, r.suggestion]),
    ),
  );
}
