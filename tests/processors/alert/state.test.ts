import { describe, expect, it } from 'vitest';
import { AlertStates, type Holding } from '../../../src/alerting/rules/state.js';
import type { Alert } from '../../../src/alerting/alert.js';

const T0 = 1_000_000;
const holding = (value = 1): Map<string, Holding> =>
  new Map([['fp1', { fingerprint: 'fp1', labels: { alertname: 'A' }, annotations: {}, value }]]);
const none = new Map<string, Holding>();

function states(forMs: number, keepFiringForMs = 0, resolvedRetentionMs = 60_000) {
  return new AlertStates('A', 'high', { forMs, keepFiringForMs, resolvedRetentionMs });
}
const stateOf = (s: AlertStates) => s.alerts.get('fp1')?.state;
const steps = (transitions: { state: string }[]) => transitions.map((t) => t.state);

describe('AlertStates.update', () => {
  it('goes pending, then firing once `for` has passed, counting from ActiveAt', () => {
    const s = states(30_000);
    expect(steps(s.update(T0, holding()))).toEqual(['pending']);
    expect(steps(s.update(T0 + 29_999, holding()))).toEqual([]);
    expect(stateOf(s)).toBe('pending');
    const fired = s.update(T0 + 30_000, holding());
    expect(steps(fired)).toEqual(['firing']);
    expect(fired[0]!.alert).toMatchObject({ activeAt: T0, firedAt: T0 + 30_000 });
  });

  it('fires in the same evaluation when `for` is 0', () => {
    expect(steps(states(0).update(T0, holding()))).toEqual(['pending', 'firing']);
  });

  it('drops a pending alert whose condition stops holding (inactive, never resolved)', () => {
    const s = states(30_000);
    s.update(T0, holding());
    expect(steps(s.update(T0 + 10_000, none))).toEqual(['inactive']);
    expect(s.alerts.size).toBe(0);
    // Holding again starts `for` over.
    s.update(T0 + 20_000, holding());
    expect(s.alerts.get('fp1')!.activeAt).toBe(T0 + 20_000);
  });

  it('resolves a firing alert at once without keep_firing_for, and keeps it for retention', () => {
    const s = states(0, 0, 60_000);
    s.update(T0, holding());
    const resolved = s.update(T0 + 15_000, none);
    expect(steps(resolved)).toEqual(['resolved']);
    expect(resolved[0]!.alert.resolvedAt).toBe(T0 + 15_000);
    expect(stateOf(s)).toBe('inactive');
    s.update(T0 + 75_000, none);
    expect(s.alerts.size).toBe(1);
    s.update(T0 + 75_001, none);
    expect(s.alerts.size).toBe(0);
  });

  it('keeps firing through flapping shorter than keep_firing_for, resetting on every hold', () => {
    const s = states(0, 30_000);
    s.update(T0, holding());
    // Off for 20 s, on again, off for 20 s: never 30 s off in a row, so it never resolves.
    expect(steps(s.update(T0 + 10_000, none))).toEqual([]);
    expect(steps(s.update(T0 + 30_000, none))).toEqual([]);
    expect(stateOf(s)).toBe('firing');
    expect(steps(s.update(T0 + 40_000, holding()))).toEqual([]);
    expect(s.alerts.get('fp1')!.keepFiringSince).toBe(0);
    expect(steps(s.update(T0 + 50_000, none))).toEqual([]);
    expect(steps(s.update(T0 + 79_999, none))).toEqual([]);
    // 30 s after it last stopped holding (T0 + 50 s): resolved.
    expect(steps(s.update(T0 + 80_000, none))).toEqual(['resolved']);
  });

  it('does not keep a pending alert with keep_firing_for', () => {
    const s = states(60_000, 30_000);
    s.update(T0, holding());
    expect(steps(s.update(T0 + 1000, none))).toEqual(['inactive']);
  });

  it('starts a resolved alert over as a new pending alert when it holds again', () => {
    const s = states(10_000);
    s.update(T0, holding());
    s.update(T0 + 10_000, holding());
    s.update(T0 + 20_000, none);
    expect(steps(s.update(T0 + 30_000, holding()))).toEqual(['pending']);
    expect(s.alerts.get('fp1')).toMatchObject({ activeAt: T0 + 30_000, firedAt: 0, resolvedAt: 0 });
  });

  it('keeps the value and annotations of the latest evaluation', () => {
    const s = states(0);
    s.update(T0, holding(1));
    s.update(T0 + 1000, holding(7));
    expect(s.alerts.get('fp1')!.value).toBe(7);
  });
});

describe('AlertStates.restore', () => {
  const restored = (state: 'pending' | 'firing', activeAt: number): Alert => ({
    name: 'A',
    fingerprint: 'fp1',
    labels: { alertname: 'A' },
    annotations: {},
    severity: 'high',
    state,
    value: 1,
    activeAt,
    firedAt: state === 'firing' ? activeAt : 0,
    resolvedAt: 0,
    keepFiringSince: 0,
    incidentId: 'inc-1',
    source: 'faultline',
  });

  it('continues `for` from the stored ActiveAt after a restart mid-`for`', () => {
    const s = states(60_000);
    s.restore(restored('pending', T0), T0 + 40_000 + 5_000);
    // Restarted 40 s in: 20 s more of holding fires it, with the original ActiveAt.
    expect(steps(s.update(T0 + 50_000, holding()))).toEqual([]);
    const fired = s.update(T0 + 60_000, holding());
    expect(steps(fired)).toEqual(['firing']);
    expect(fired[0]!.alert.activeAt).toBe(T0);
  });

  it('holds a restored alert unchanged while the windows refill, then applies missing data', () => {
    const s = states(60_000);
    s.restore(restored('firing', T0), T0 + 100_000);
    expect(steps(s.update(T0 + 90_000, none))).toEqual([]);
    expect(stateOf(s)).toBe('firing');
    expect(steps(s.update(T0 + 100_000, none))).toEqual(['resolved']);
  });

  it('does not report a restored firing alert as a new one when it keeps holding', () => {
    const s = states(0);
    s.restore(restored('firing', T0), T0 + 10_000);
    expect(s.update(T0 + 1000, holding())).toEqual([]);
    expect(s.alerts.get('fp1')).toMatchObject({
      state: 'firing',
      activeAt: T0,
      incidentId: 'inc-1',
    });
  });
});
