import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryOptions } from '../../../src/storage/store.js';
import { RecordingStore } from '../../helpers/test-doubles.js';
import { alertProcessor, errorSpan, span, times } from './helpers.js';

const errorRateRule = (overrides: Record<string, unknown> = {}) => ({
  name: 'HighErrorRate',
  aggregate: 'error_rate',
  group_by: ['service'],
  op: '>',
  threshold: 0.2,
  window: '60s',
  min_events: 5,
  for: '30s',
  severity: 'high',
  annotations: { summary: '{{ $labels.service }} error rate {{ $value | percent }}' },
  ...overrides,
});

const failing = () => [...times(5, () => errorSpan()), ...times(5, () => span())];

/** A store whose restore query answers with rows stored before a "restart". */
class StoreWithHistory extends RecordingStore {
  constructor(private readonly restoreRows: Record<string, unknown>[]) {
    super();
  }
  override query(sql: string, _options: QueryOptions): Promise<string> {
    if (sql.includes('FROM faultline.alerts') && sql.includes('HAVING')) {
      return Promise.resolve(this.restoreRows.map((row) => JSON.stringify(row)).join('\n'));
    }
    return Promise.resolve('');
  }
}

describe('AlertProcessor', () => {
  it('stores every transition in the alerts table with its incident', async () => {
    const { processor, clock, send, store, settings } = await alertProcessor({
      rules: [errorRateRule()],
    });
    await send(failing());
    processor.evaluate();
    clock.advance(30_000);
    processor.evaluate();
    const metrics = await settings.metrics.metrics();
    expect(metrics).toContain(
      'ALERTS{alertname="HighErrorRate",service="checkout",severity="high",alertstate="firing"} 1',
    );
    expect(metrics).toMatch(
      /ALERTS_FOR_STATE\{alertname="HighErrorRate",service="checkout",severity="high"\} \d{10}/,
    );
    await processor.shutdown();
    const alertRows = store.inserts
      .filter((i) => i.table === 'alerts')
      .flatMap((i) => i.rows.map((r) => JSON.parse(r) as Record<string, unknown>));
    expect(alertRows.map((r) => r.State)).toEqual(['pending', 'firing']);
    expect(alertRows[1]).toMatchObject({
      AlertName: 'HighErrorRate',
      Severity: 'high',
      Labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'high' },
      Annotations: { summary: 'checkout error rate 50.0%' },
      Value: 0.5,
      Source: 'faultline',
    });
    expect(alertRows[1]!.IncidentId).toMatch(/^inc-/);
    const incidents = store.inserts
      .filter((i) => i.table === 'incidents')
      .flatMap((i) => i.rows.map((r) => JSON.parse(r) as Record<string, unknown>));
    expect(incidents[0]).toMatchObject({
      Status: 'open',
      ProbableCause: 'HighErrorRate',
      Services: ['checkout'],
    });
    expect(await settings.metrics.metrics()).not.toContain('ALERTS{');
  });

  it('restarted mid-`for`, restores ActiveAt and fires when the original `for` has passed', async () => {
    // Stored 20 s before the restart: pending since then.
    const restartAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    const activeAt = restartAt - 20_000;
    const labels = { alertname: 'HighErrorRate', service: 'checkout', severity: 'high' };
    const { alertFingerprint } = await import('../../../src/alerting/alert.js');
    const store = new StoreWithHistory([
      {
        Fingerprint: alertFingerprint(labels),
        Name: 'HighErrorRate',
        LastState: 'pending',
        Sev: 'high',
        L: labels,
        A: {},
        V: 0.5,
        Active: String(activeAt),
        Fired: '0',
        Incident: '',
      },
    ]);
    const { processor, clock, send, settings } = await alertProcessor(
      { rules: [errorRateRule()] },
      store,
    );
    expect([...processor.alerts()]).toMatchObject([{ state: 'pending', activeAt }]);
    expect(await settings.metrics.metrics()).toContain(
      `ALERTS_FOR_STATE{alertname="HighErrorRate",service="checkout",severity="high"} ${activeAt / 1000}`,
    );
    await send(failing());
    expect(processor.evaluate()).toEqual([]);
    clock.advance(10_000);
    const fired = processor.evaluate();
    expect(fired.map((t) => t.state)).toEqual(['firing']);
    expect(fired[0]!.alert.activeAt).toBe(activeAt);
    await processor.shutdown();
  });

  it('correlates alerts sharing a service into one incident, the earliest as probable cause', async () => {
    const { processor, clock, send } = await alertProcessor({
      rules: [
        errorRateRule({ for: '0s', threshold: 0.1 }),
        {
          name: 'SlowCalls',
          aggregate: 'p95',
          group_by: ['service'],
          threshold: 1,
          window: '60s',
          min_events: 1,
        },
        {
          name: 'OtherTeam',
          aggregate: 'count',
          group_by: ['service'],
          filter: { service: 'search' },
          threshold: 0,
          window: '60s',
        },
      ],
    });
    await send(failing());
    processor.evaluate();
    clock.advance(15_000);
    await send([
      ...times(20, () => span({}, { durationMs: 5000 })),
      span({}, { service: 'search' }),
    ]);
    processor.evaluate();
    const alerts = [...processor.alerts()];
    expect(alerts.map((a) => [a.name, a.state])).toEqual([
      ['HighErrorRate', 'firing'],
      ['SlowCalls', 'firing'],
      ['OtherTeam', 'firing'],
    ]);
    const byName = Object.fromEntries(alerts.map((a) => [a.name, a.incidentId]));
    expect(byName.SlowCalls).toBe(byName.HighErrorRate);
    expect(byName.OtherTeam).not.toBe(byName.HighErrorRate);
    await processor.shutdown();
  });
});

describe('notifiers', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  async function receiver(status: (n: number) => number) {
    const received: { body: string; headers: IncomingMessage['headers']; url: string }[] = [];
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ body, headers: request.headers, url: request.url ?? '' });
        response.writeHead(status(received.length)).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { url: `http://127.0.0.1:${port}`, received };
  }

  const waitFor = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('Alertmanager: sends on firing, re-sends every resend_interval with endsAt ahead, then resolved', async () => {
    const am = await receiver(() => 200);
    const { processor, clock, send } = await alertProcessor({
      interval: '10s',
      rules: [errorRateRule({ for: '0s', window: '30s' })],
      notifiers: { alertmanager: [{ url: am.url, resend_interval: '60s' }] },
    });
    const posted = () =>
      am.received.map(
        (r) =>
          JSON.parse(r.body) as {
            startsAt: string;
            endsAt: string;
            labels: Record<string, string>;
          }[],
      );
    await send(failing());
    const firedAt = clock.now;
    processor.evaluate();
    await waitFor(() => am.received.length === 1);
    expect(am.received[0]!.url).toBe('/api/v2/alerts');
    expect(posted()[0]![0]).toMatchObject({
      labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'high' },
      startsAt: new Date(firedAt).toISOString(),
      endsAt: new Date(firedAt + 4 * 60_000).toISOString(),
    });
    // Within resend_interval nothing is sent again.
    clock.advance(10_000);
    await send(failing());
    processor.evaluate();
    clock.advance(50_000);
    await send(failing());
    processor.evaluate();
    await waitFor(() => am.received.length === 2);
    expect(posted()[1]![0]!.endsAt).toBe(new Date(clock.now + 4 * 60_000).toISOString());
    // Window empties: resolved, sent at once with endsAt = resolution time.
    clock.advance(40_000);
    processor.evaluate();
    await waitFor(() => am.received.length === 3);
    expect(posted()[2]![0]!.endsAt).toBe(new Date(clock.now).toISOString());
    expect(posted()[2]![0]!.startsAt).toBe(new Date(firedAt).toISOString());
    // Resolved alerts are repeated every resend_interval while retained, then dropped.
    const resolvedAt = clock.now;
    clock.advance(30_000);
    processor.evaluate();
    clock.advance(30_000);
    processor.evaluate();
    await waitFor(() => am.received.length === 4);
    expect(posted()[3]![0]!.endsAt).toBe(new Date(resolvedAt).toISOString());
    // Retained 15 minutes (resolved_retention): sent once more at its end, then forgotten.
    clock.now = resolvedAt + 15 * 60_000;
    processor.evaluate();
    await waitFor(() => am.received.length === 5);
    clock.advance(60_000);
    processor.evaluate();
    expect([...processor.alerts()]).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(am.received).toHaveLength(5);
    await processor.shutdown();
  });

  it('webhook: signs the body with HMAC-SHA256 and retries failures with backoff', async () => {
    const hook = await receiver((n) => (n < 3 ? 503 : 200));
    const { processor, send, settings } = await alertProcessor({
      rules: [errorRateRule({ for: '0s' })],
      notifiers: {
        webhook: [
          {
            url: hook.url,
            signing_key: 'k'.repeat(32),
            retry: { initial_interval: '10ms', max_interval: '20ms' },
          },
        ],
      },
    });
    await send(failing());
    processor.evaluate();
    await waitFor(() => hook.received.length === 3);
    const { body, headers } = hook.received[2]!;
    const expected = `sha256=${createHmac('sha256', 'k'.repeat(32)).update(body).digest('hex')}`;
    expect(headers['x-faultline-signature']).toBe(expected);
    expect(JSON.parse(body)).toMatchObject({
      status: 'firing',
      alertname: 'HighErrorRate',
      labels: { service: 'checkout' },
    });
    const metrics = await settings.metrics.metrics();
    expect(metrics).toContain(
      'faultline_notification_requests_total{notifier="alert/webhook[0]",outcome="retry"} 2',
    );
    await processor.shutdown();
  });

  it('a notifier that is down never blocks evaluation or ingestion; its queue drops and counts', async () => {
    // Nothing listens on this port: every send fails; the queue holds 1 and drops the rest.
    const { processor, clock, send, next, settings } = await alertProcessor({
      rules: [errorRateRule({ for: '0s', group_by: ['service', 'span_name'] })],
      notifiers: {
        webhook: [{ url: 'http://127.0.0.1:9', max_queue: 1, retry: { max_elapsed_time: '1s' } }],
      },
    });
    for (let i = 0; i < 5; i++) {
      await send(
        times(10, () => errorSpan({}, 'checkout')).map((s) => ({ ...s, name: `op-${i}` })),
      );
      clock.advance(1000);
      expect(processor.evaluate().length).toBeGreaterThan(0);
    }
    expect(next.batches).toHaveLength(5);
    const metrics = await settings.metrics.metrics();
    expect(metrics).toMatch(
      /faultline_notifications_total\{notifier="alert\/webhook\[0\]",outcome="dropped"\} [1-9]/,
    );
    await processor.shutdown();
  });
});
