import { describe, expect, it } from 'vitest';
import {
  createBaseline,
  judge,
  type AnomalyOptions,
} from '../../../src/alerting/rules/baseline.js';
import { alertProcessor, span, times } from './helpers.js';

const options = (overrides: Partial<AnomalyOptions> = {}): AnomalyOptions => ({
  method: 'ewma',
  k: 3,
  direction: 'above',
  warmup: 10,
  alpha: 0.2,
  history: 50,
  min_deviation: 0,
  ...overrides,
});

/** A noisy but steady series around 100 (deterministic). */
const steady = (i: number) => 100 + 5 * Math.sin(i * 1.7) + 3 * Math.cos(i * 0.9);

describe.each(['ewma', 'mad'] as const)('%s baseline', (method) => {
  it('makes no decision during warm-up, however far a value is', () => {
    const opts = options({ method });
    const baseline = createBaseline(opts);
    for (let i = 0; i < 9; i++) judge(baseline, opts, steady(i));
    // The 10th value is judged against 9 samples: still warming up.
    expect(judge(baseline, opts, 10_000)).toMatchObject({ anomalous: false });
    expect(baseline.samples).toBe(10);
  });

  it('stays quiet on a steady series and fires on a spike of k deviations', () => {
    const opts = options({ method });
    const baseline = createBaseline(opts);
    const verdicts = times(60, (i) => judge(baseline, opts, steady(i)));
    expect(verdicts.filter((v) => v.anomalous)).toEqual([]);
    const spike = judge(baseline, opts, 200);
    expect(spike.anomalous).toBe(true);
    expect(spike.score).toBeGreaterThan(3);
    expect(spike.centre).toBeGreaterThan(90);
    expect(spike.centre).toBeLessThan(110);
  });

  it('watches one direction unless told both', () => {
    const below = judge(warmed(options({ method })), options({ method }), 0);
    expect(below.anomalous).toBe(false);
    expect(below.score).toBeLessThan(-3);
    expect(
      judge(warmed(options({ method })), options({ method, direction: 'both' }), 0).anomalous,
    ).toBe(true);
    expect(
      judge(warmed(options({ method })), options({ method, direction: 'below' }), 0).anomalous,
    ).toBe(true);
  });
});

function warmed(opts: AnomalyOptions) {
  const baseline = createBaseline(opts);
  for (let i = 0; i < 60; i++) judge(baseline, opts, steady(i));
  return baseline;
}

describe('min_deviation', () => {
  it('keeps a flat series from alarming on a tiny change', () => {
    const opts = options({ min_deviation: 1 });
    const baseline = createBaseline(opts);
    for (let i = 0; i < 20; i++) judge(baseline, opts, 50);
    expect(judge(baseline, opts, 52).anomalous).toBe(false);
    expect(judge(baseline, opts, 60).anomalous).toBe(true);
  });
});

describe('anomaly rules in the processor', () => {
  it('fires on a jump in a group’s error count after the warm-up evaluations', async () => {
    const { processor, clock, send } = await alertProcessor({
      interval: '10s',
      rules: [
        {
          name: 'ErrorSpike',
          aggregate: 'count',
          filter: { status: 'error' },
          group_by: ['service'],
          window: '10s',
          min_events: 0,
          anomaly: { method: 'mad', k: 4, warmup: 12 },
          annotations: { summary: '{{ $value }} errors vs {{ $baseline | humanize }} usual' },
        },
      ],
    });
    const spanWith = (errors: number) => [
      ...times(errors, () => span({}, { statusCode: 2 })),
      ...times(20, () => span()),
    ];
    for (let i = 0; i < 12; i++) {
      await send(spanWith(2 + (i % 3)));
      clock.advance(1000);
      expect(processor.evaluate()).toEqual([]);
      clock.advance(9000);
    }
    await send(spanWith(30));
    clock.advance(1000);
    const transitions = processor.evaluate();
    expect(transitions.map((t) => t.state)).toEqual(['pending', 'firing']);
    expect(transitions[1]!.alert.annotations.summary).toBe('30 errors vs 3 usual');
  });
});
