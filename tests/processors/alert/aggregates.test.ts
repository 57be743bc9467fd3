import { describe, expect, it } from 'vitest';
import { LogSketch } from '../../../src/alerting/rules/sketch.js';
import { alertProcessor, errorSpan, failure, span, times } from './helpers.js';

/** A rule that always holds, so the alert's value is the aggregate's value. */
const probe = (aggregate: string, extra: Record<string, unknown> = {}) => ({
  rules: [{ name: 'Probe', aggregate, op: '>=', threshold: -1, window: '60s', ...extra }],
});

async function valueAfter(
  aggregate: string,
  feed: (send: Awaited<ReturnType<typeof alertProcessor>>['send']) => Promise<void>,
  extra: Record<string, unknown> = {},
) {
  const harness = await alertProcessor(probe(aggregate, extra));
  await feed(harness.send);
  harness.processor.evaluate();
  return [...harness.processor.alerts()].map((a) => ({ labels: a.labels, value: a.value }));
}

describe('aggregates', () => {
  it('count and rate count the spans in the window', async () => {
    expect(await valueAfter('count', (send) => send(times(30, () => span())))).toMatchObject([
      { value: 30 },
    ]);
    expect(await valueAfter('rate', (send) => send(times(30, () => span())))).toMatchObject([
      { value: 0.5 },
    ]);
  });

  it('error_rate is error spans (status or classified failure) over all spans', async () => {
    const value = await valueAfter('error_rate', (send) =>
      send([
        ...times(6, () => span()),
        ...times(3, () => errorSpan()),
        span({}, { failures: [failure('tool_error')] }),
      ]),
    );
    expect(value).toEqual([{ labels: expect.any(Object) as object, value: 0.4 }]);
  });

  it('failure_count counts failures, all or of one class', async () => {
    const feed = (send: (s: never[], f: ReturnType<typeof failure>[]) => Promise<void>) =>
      send([], [failure('timeout'), failure('timeout'), failure('tool_error')]);
    expect(await valueAfter('failure_count', feed)).toMatchObject([{ value: 3 }]);
    expect(await valueAfter('failure_count(timeout)', feed)).toMatchObject([{ value: 2 }]);
  });

  it('p50/p90/p95/p99 are latency quantiles in seconds within 1%', async () => {
    const feed = (send: (s: ReturnType<typeof span>[]) => Promise<void>) =>
      send(times(1000, (i) => span({}, { durationMs: i + 1 })));
    const expected: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };
    for (const [aggregate, seconds] of Object.entries(expected)) {
      const [alert] = await valueAfter(aggregate, feed);
      expect(Math.abs(alert!.value - seconds) / seconds).toBeLessThan(0.015);
    }
  });

  it('tokens and cost sum the steps', async () => {
    const feed = (send: (s: ReturnType<typeof span>[]) => Promise<void>) =>
      send([
        span({
          usage: { input: 10, output: 5, total: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          costUsd: 0.25,
        }),
        span({
          usage: { input: 20, output: 10, total: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
          costUsd: 0.5,
        }),
      ]);
    expect(await valueAfter('tokens', feed)).toMatchObject([{ value: 45 }]);
    expect(await valueAfter('cost', feed)).toMatchObject([{ value: 0.75 }]);
  });

  it('avg(attribute) averages the spans that carry a number under it', async () => {
    const value = await valueAfter('avg(quality_score)', (send) =>
      send([
        span({}, { attributes: { quality_score: 0.2 } }),
        span({}, { attributes: { quality_score: '0.6' } }),
        span({}, { attributes: { quality_score: 'n/a' } }),
        span(),
      ]),
    );
    expect(value[0]!.value).toBeCloseTo(0.4);
  });

  it('groups by labels and filters by step type, service and glob', async () => {
    const values = await valueAfter(
      'count',
      (send) =>
        send([
          ...times(3, () => span({ responseModel: 'gpt-4o' }, { service: 'a' })),
          ...times(2, () => span({ responseModel: 'gpt-4o-mini' }, { service: 'b' })),
          span({ type: 'tool_call', responseModel: 'gpt-4o' }, { service: 'a' }),
          span({ responseModel: 'claude' }, { service: 'a' }),
        ]),
      { group_by: ['service', 'model'], filter: { step_type: 'llm_call', model: 'gpt-4o*' } },
    );
    expect(values.map((v) => [v.labels.service, v.labels.model, v.value]).sort()).toEqual([
      ['a', 'gpt-4o', 3],
      ['b', 'gpt-4o-mini', 2],
    ]);
  });

  it('has no value below min_events, so the condition does not hold', async () => {
    expect(
      await valueAfter('count', (send) => send(times(4, () => span())), { min_events: 5 }),
    ).toEqual([]);
    expect(
      await valueAfter('count', (send) => send(times(5, () => span())), { min_events: 5 }),
    ).toHaveLength(1);
  });

  it('slides: events older than the window no longer count, exactly per second', async () => {
    const { processor, clock, send } = await alertProcessor(probe('count', { window: '10s' }));
    await send(times(5, () => span()));
    clock.advance(5000);
    await send(times(7, () => span()));
    processor.evaluate();
    expect([...processor.alerts()][0]!.value).toBe(12);
    clock.advance(5000);
    processor.evaluate();
    expect([...processor.alerts()][0]!.value).toBe(7);
    clock.advance(5000);
    processor.evaluate();
    expect([...processor.alerts()][0]!.state).toBe('inactive');
  });

  it('tracks at most max_groups_per_rule groups and counts the events it drops', async () => {
    const { processor, send, settings } = await alertProcessor({
      max_groups_per_rule: 2,
      ...probe('count', { group_by: ['service'] }),
    });
    await send(['a', 'b', 'c', 'c'].map((service) => span({}, { service })));
    processor.evaluate();
    expect([...processor.alerts()].map((a) => a.labels.service).sort()).toEqual(['a', 'b']);
    const metrics = await settings.metrics.metrics();
    expect(metrics).toContain('faultline_alert_dropped_events_total{alertname="Probe"} 2');
  });

  it('passes every batch on unchanged', async () => {
    const { next, send } = await alertProcessor(probe('count'));
    const spans = [span(), errorSpan()];
    const failures = [failure('timeout')];
    await send(spans, failures);
    expect(next.batches).toEqual([{ spans, traces: [], failures }]);
    expect(next.batches[0]!.spans[0]).toBe(spans[0]);
  });
});

describe('LogSketch', () => {
  it('merges slots into the same quantiles as one sketch', () => {
    const one = new LogSketch();
    const a = new LogSketch();
    const b = new LogSketch();
    for (let i = 1; i <= 500; i++) {
      one.add(i / 100);
      (i % 2 ? a : b).add(i / 100);
    }
    a.merge(b);
    expect(a.quantile(0.9)).toBe(one.quantile(0.9));
    expect(a.count).toBe(500);
  });

  it('counts zero-length durations as 0 and is empty at first', () => {
    const sketch = new LogSketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    sketch.add(0, 10);
    sketch.add(2);
    expect(sketch.quantile(0.5)).toBe(0);
    expect(sketch.quantile(1)).toBeCloseTo(2, 1);
  });
});
