import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/alertmanager.js';
import { sendAgentSpans } from '../helpers/alert-spans.js';
import { startDaemon, type DaemonHandle } from '../helpers/daemon.js';

const SERVICE = 'restart-alerting';

interface ApiAlert {
  alertname: string;
  fingerprint: string;
  state: string;
  activeAt: string;
  firedAt: string | null;
}

describe('alert state across daemon restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-alert-restart-'));
  const notifications: { status: string; activeAt: string }[] = [];
  let hook: Server;
  let hookUrl = '';
  let daemon: DaemonHandle | undefined;
  let failing: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        notifications.push(JSON.parse(body) as { status: string; activeAt: string });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const address = hook.address();
    hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    clearInterval(failing);
    await daemon?.kill();
    await new Promise((resolve) => hook.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    daemon = await startDaemon({
      dataDir,
      processorsYaml: `  alert:
    interval: 300ms
    rules:
      - name: RestartErrorRate
        aggregate: error_rate
        group_by: [service]
        threshold: 0.5
        window: 5s
        min_events: 3
        for: 6s
    notifiers:
      webhook:
        - url: ${hookUrl}`,
      pipelineProcessors: ['alert'],
    });
    return daemon;
  };
  const alerts = async (d: DaemonHandle): Promise<ApiAlert[]> =>
    ((await (await fetch(`${d.adminUrl}/api/v1/alerts`)).json()) as { alerts: ApiAlert[] }).alerts;
  const keepFailing = (d: DaemonHandle) => {
    clearInterval(failing);
    void sendAgentSpans(d, SERVICE, 5, 4);
    failing = setInterval(() => void sendAgentSpans(d, SERVICE, 5, 4).catch(() => undefined), 700);
  };

  it('keeps ActiveAt through a restart while pending, and does not notify again after one while firing', async () => {
    const first = await start();
    keepFailing(first);
    const [pending] = await eventually(
      () => alerts(first),
      (l) => l[0]?.state === 'pending',
      10_000,
      'pending',
    );
    clearInterval(failing);
    expect(await first.stop()).toBe(0);

    // Back mid-`for`: still pending since the same moment, and it fires 6 s after that moment.
    const second = await start();
    const [restored] = await alerts(second);
    expect(restored).toMatchObject({
      state: 'pending',
      activeAt: pending!.activeAt,
      fingerprint: pending!.fingerprint,
    });
    keepFailing(second);
    const [fired] = await eventually(
      () => alerts(second),
      (l) => l[0]?.state === 'firing',
      15_000,
      'firing',
    );
    expect(fired!.activeAt).toBe(pending!.activeAt);
    expect(Date.parse(fired!.firedAt!) - Date.parse(pending!.activeAt)).toBeGreaterThanOrEqual(
      6000,
    );
    await eventually(
      () => Promise.resolve(notifications.length),
      (n) => n === 1,
      5000,
      'one firing notification',
    );
    expect(notifications[0]).toMatchObject({ status: 'firing', activeAt: pending!.activeAt });
    clearInterval(failing);
    expect(await second.stop()).toBe(0);

    // Back while firing: the same alert, no new transition, no new notification.
    const third = await start();
    expect(await alerts(third)).toMatchObject([
      { state: 'firing', activeAt: pending!.activeAt, firedAt: fired!.firedAt },
    ]);
    keepFailing(third);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await alerts(third))[0]).toMatchObject({
      state: 'firing',
      activeAt: pending!.activeAt,
    });
    expect(notifications).toHaveLength(1);
    const rows = await third.query<{ State: string; n: string }>(
      `SELECT State, toString(count()) AS n FROM faultline.alerts WHERE Fingerprint = '${pending!.fingerprint}' GROUP BY State ORDER BY State`,
    );
    expect(rows).toEqual([
      { State: 'firing', n: '1' },
      { State: 'pending', n: '1' },
    ]);
    clearInterval(failing);
    expect(await third.stop()).toBe(0);
  }, 90_000);
});
