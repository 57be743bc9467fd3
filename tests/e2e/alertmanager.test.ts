import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertmanager, eventually, type AlertmanagerHandle } from '../helpers/alertmanager.js';
import { sendAgentSpans } from '../helpers/alert-spans.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';
import { freePorts } from '../helpers/ports.js';

const SERVICE = 'alerting-e2e';

interface ApiAlert {
  alertname: string;
  state: string;
  activeAt: string;
  firedAt: string | null;
  incidentId: string | null;
  labels: Record<string, string>;
}
interface ApiIncident {
  id: string;
  status: string;
  probableCause: { alertname: string };
  services: string[];
  alerts: { alertname: string; source: string; state: string }[];
}

describe('alerts through a real Alertmanager', () => {
  let daemon: DaemonHandle;
  let am: AlertmanagerHandle;
  let keepFailing: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    const [amPort] = (await freePorts(1)) as [number];
    daemon = await startDaemon({
      processorsYaml: `  assemble:
    decision_wait: 300ms
  classify: {}
  alert:
    interval: 300ms
    rules:
      - name: AgentErrorRate
        aggregate: error_rate
        group_by: [service]
        op: '>'
        threshold: 0.5
        window: 5s
        min_events: 3
        for: 3s
        severity: high
        annotations:
          summary: '{{ $labels.service }} fails {{ $value | percent }} of LLM calls'
    notifiers:
      alertmanager:
        - url: http://127.0.0.1:${amPort}
          resend_interval: 1s`,
      pipelineProcessors: ['assemble', 'classify', 'alert'],
    });
    am = await startAlertmanager(amPort, `${daemon.adminUrl}/api/v1/alertmanager/webhook`);
  });

  afterAll(async () => {
    clearInterval(keepFailing);
    await daemon?.cleanup();
    await am?.stop();
  });

  const alerts = async (): Promise<ApiAlert[]> =>
    ((await (await fetch(`${daemon.adminUrl}/api/v1/alerts`)).json()) as { alerts: ApiAlert[] })
      .alerts;
  const ours = <T extends { labels: Record<string, string> }>(list: T[]): T[] =>
    list.filter((a) => a.labels.alertname === 'AgentErrorRate');

  it('drives an error_rate rule pending → firing → resolved, seen by Alertmanager, into an incident', async () => {
    // Failing LLM calls, sent over OTLP, keep the error rate at 80% while the test wants it.
    const fail = () => sendAgentSpans(daemon, SERVICE, 5, 4);
    await fail();
    keepFailing = setInterval(() => void fail().catch(() => undefined), 700);

    const pending = await eventually(
      alerts,
      (list) => list.some((a) => a.state === 'pending'),
      10_000,
      'pending',
    );
    expect(pending[0]).toMatchObject({
      alertname: 'AgentErrorRate',
      labels: { service: SERVICE, severity: 'high' },
    });
    // Not sent to Alertmanager while pending.
    expect(ours(await am.alerts())).toEqual([]);

    const firing = await eventually(
      alerts,
      (list) => list.some((a) => a.state === 'firing'),
      15_000,
      'firing',
    );
    expect(firing[0]!.activeAt).toBe(pending[0]!.activeAt);
    expect(
      Date.parse(firing[0]!.firedAt!) - Date.parse(firing[0]!.activeAt),
    ).toBeGreaterThanOrEqual(3000);
    const active = await eventually(
      () => am.alerts(),
      (list) => ours(list).length === 1,
      10_000,
      'active in Alertmanager',
    );
    const sent = ours(active)[0]!;
    expect(sent.status.state).toBe('active');
    // startsAt is when the alert fired, as Prometheus sends it.
    expect(Date.parse(sent.startsAt)).toBe(Date.parse(firing[0]!.firedAt!));
    expect(sent.annotations.summary).toMatch(
      new RegExp(`^${SERVICE} fails \\d+\\.\\d% of LLM calls$`),
    );
    expect(Date.parse(ours(active)[0]!.endsAt)).toBeGreaterThan(Date.now());

    // An alert from elsewhere about the same service reaches Faultline through Alertmanager's
    // webhook and joins the same incident.
    await am.post([
      {
        labels: { alertname: 'UpstreamLatency', service: SERVICE, severity: 'medium' },
        annotations: { summary: 'model gateway slow' },
        startsAt: new Date().toISOString(),
      },
    ]);
    const incidents = async () =>
      (
        (await (await fetch(`${daemon.adminUrl}/api/v1/incidents`)).json()) as {
          incidents: ApiIncident[];
        }
      ).incidents;
    const [incident] = await eventually(
      incidents,
      (list) => list.length === 1 && list[0]!.alerts.length === 2,
      15_000,
      'incident with both alerts',
    );
    expect(incident).toMatchObject({
      status: 'open',
      probableCause: { alertname: 'AgentErrorRate' },
      services: [SERVICE],
    });
    expect(incident!.alerts.map((a) => [a.alertname, a.source]).sort()).toEqual([
      ['AgentErrorRate', 'faultline'],
      ['UpstreamLatency', 'alertmanager'],
    ]);
    expect(firing[0]!.incidentId ?? (await alerts())[0]!.incidentId).toBe(incident!.id);

    // Healthy traffic only: the rate drops, the alert resolves and leaves Alertmanager.
    clearInterval(keepFailing);
    const healthy = setInterval(
      () => void sendAgentSpans(daemon, SERVICE, 5, 0).catch(() => undefined),
      500,
    );
    try {
      await eventually(
        alerts,
        (list) => list.some((a) => a.state === 'resolved'),
        15_000,
        'resolved',
      );
      await eventually(
        () => am.alerts(),
        (list) =>
          ours(list).every(
            (a) => a.status.state !== 'active' || Date.parse(a.endsAt) <= Date.now(),
          ),
        15_000,
        'resolved in Alertmanager',
      );
    } finally {
      clearInterval(healthy);
    }

    type Report = {
      timeline: { alertname: string; state: string }[];
      affectedServices: string[];
      topSignatures: { class: string; count: number }[];
      evidenceTraces: { service: string }[];
      remediation: { class: string; suggestion: string }[];
    };
    const statesOf = (r: Report) =>
      r.timeline.filter((e) => e.alertname === 'AgentErrorRate').map((e) => e.state);
    // Transitions reach the report through the alert journal's queue, after the API saw them.
    const report = await eventually(
      async () =>
        (await (
          await fetch(`${daemon.adminUrl}/api/v1/incidents/${incident!.id}`)
        ).json()) as Report,
      (r) => statesOf(r).length >= 3,
      15_000,
      'the resolved transition stored',
    );
    const states = statesOf(report);
    expect(states).toEqual(['pending', 'firing', 'resolved']);
    expect(report.affectedServices).toEqual([SERVICE]);
    expect(report.topSignatures[0]).toMatchObject({ class: 'error_status' });
    expect(report.topSignatures[0]!.count).toBeGreaterThan(3);
    expect(report.evidenceTraces.length).toBeGreaterThan(0);
    expect(report.evidenceTraces[0]!.service).toBe(SERVICE);
    expect(report.remediation.map((r) => r.class)).toContain('error_status');

    const markdown = await fetch(`${daemon.adminUrl}/api/v1/incidents/${incident!.id}/report.md`);
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    const text = await markdown.text();
    expect(text).toMatch(/^# Incident: /);
    expect(text).toContain('**Root cause:** error\\_status');
    expect(text).toContain('## Remediation');

    const metrics = await (await fetch(`${daemon.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /faultline_notifications_total\{notifier="alert\/alertmanager\[0\]",outcome="sent"\} [1-9]/,
    );
  }, 90_000);

  it('rejects a webhook payload that is not version 4, naming the field', async () => {
    const response = await fetch(`${daemon.adminUrl}/api/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: '3', alerts: [] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^version: /);
  });

  it('answers bad alert and incident requests with JSON errors', async () => {
    const get = async (path: string) => {
      const response = await fetch(`${daemon.adminUrl}${path}`);
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: string } },
      };
    };
    expect(await get('/api/v1/incidents/inc-nothing-here')).toMatchObject({
      status: 404,
      body: { error: { code: 'incident_not_found' } },
    });
    expect(await get('/api/v1/incidents/a%27b')).toMatchObject({ status: 400 });
    expect(await get('/api/v1/alerts?state=sleeping')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect(await get('/api/v1/incidents?colour=red')).toMatchObject({ status: 400 });
    const post = await fetch(`${daemon.adminUrl}/api/v1/incidents`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});
