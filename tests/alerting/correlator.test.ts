import { describe, expect, it } from 'vitest';
import { IncidentCorrelator } from '../../src/alerting/incidents/correlator.js';
import type { IncidentAlert } from '../../src/alerting/incidents/incident.js';

const T0 = 1_800_000_000_000;
let ids = 0;
const correlator = () =>
  new IncidentCorrelator(
    { windowMs: 600_000, matchLabels: ['service', 'agent', 'model'], maxOpen: 3 },
    () => `inc-${++ids}`,
  );

function alert(
  name: string,
  labels: Record<string, string>,
  firedAt: number,
  severity = 'medium',
): IncidentAlert {
  return {
    fingerprint: `${name}-${JSON.stringify(labels)}`,
    name,
    labels: { alertname: name, ...labels },
    severity,
    state: 'firing',
    activeAt: firedAt,
    firedAt,
    resolvedAt: 0,
    source: 'faultline',
  };
}

describe('IncidentCorrelator', () => {
  it('joins alerts that share a service, agent or model within the window', () => {
    const c = correlator();
    const first = c.firing(alert('ErrorRate', { service: 'checkout' }, T0), T0)!;
    const byModel = c.firing(
      alert('Latency', { service: 'search', model: 'gpt-4o' }, T0 + 1000),
      T0 + 1000,
    )!;
    expect(byModel.id).not.toBe(first.id);
    // Shares the service with the first and the model with the second: joins the newest.
    const both = c.firing(
      alert('Cost', { service: 'checkout', model: 'gpt-4o' }, T0 + 2000),
      T0 + 2000,
    )!;
    expect(both.id).toBe(byModel.id);
    expect(
      c.firing(alert('Tokens', { agent: 'booker', service: 'checkout' }, T0 + 3000), T0 + 3000)!.id,
    ).toBe(byModel.id);
  });

  it('opens a new incident after the correlation window or without shared labels', () => {
    const c = correlator();
    const first = c.firing(alert('A', { service: 'checkout' }, T0), T0)!;
    expect(c.firing(alert('B', { service: 'checkout' }, T0 + 700_000), T0 + 700_000)!.id).not.toBe(
      first.id,
    );
    expect(c.firing(alert('C', {}, T0 + 1000), T0 + 1000)!.id).not.toBe(first.id);
  });

  it('names the earliest alert the probable cause and takes the highest severity', () => {
    const c = correlator();
    c.firing(alert('Late', { service: 'checkout' }, T0 + 5000, 'low'), T0 + 5000);
    const incident = c.firing(alert('Early', { service: 'checkout' }, T0, 'critical'), T0 + 6000)!;
    expect(incident).toMatchObject({
      probableCause: 'Early',
      severity: 'critical',
      title: 'Early on checkout',
    });
  });

  it('resolves an incident once every alert in it has resolved', () => {
    const c = correlator();
    const a = alert('A', { service: 'checkout' }, T0);
    const b = alert('B', { service: 'checkout' }, T0 + 1000);
    c.firing(a, T0);
    c.firing(b, T0 + 1000);
    expect(c.resolved(a.fingerprint, T0 + 2000, T0 + 2000)).toMatchObject({ status: 'open' });
    expect(c.resolved(b.fingerprint, T0 + 3000, T0 + 3000)).toMatchObject({
      status: 'resolved',
      resolvedAt: T0 + 3000,
    });
    expect(c.openIncidents()).toEqual([]);
    expect(c.resolved(b.fingerprint, T0 + 4000, T0 + 4000)).toBeUndefined();
  });

  it('reports no change when the same firing alert is seen again', () => {
    const c = correlator();
    const a = alert('A', { service: 'checkout' }, T0);
    c.firing(a, T0);
    expect(c.firing({ ...a }, T0 + 1000)).toBeUndefined();
  });

  it('keeps at most maxOpen incidents, forgetting the least recently updated', () => {
    const c = correlator();
    for (let i = 0; i < 5; i++) c.firing(alert(`A${i}`, { service: `s${i}` }, T0 + i), T0 + i);
    expect(c.openIncidents().map((i) => i.probableCause)).toEqual(['A2', 'A3', 'A4']);
  });
});
