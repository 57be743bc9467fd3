import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService } from './service-process.js';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

export interface AlertmanagerHandle {
  url: string;
  /** `GET /api/v2/alerts` (active, silenced, inhibited and unprocessed ones). */
  alerts(): Promise<AmAlert[]>;
  /** `POST /api/v2/alerts`, as any client would. */
  post(alerts: unknown[]): Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
  fingerprint: string;
}

/**
 * A real Alertmanager on `port` with its own temporary storage, clustering off, routing every
 * alert to one webhook (group_wait 1s, resolved alerts sent too).
 */
export async function startAlertmanager(
  port: number,
  webhookUrl: string,
): Promise<AlertmanagerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    `route:
  receiver: faultline
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: faultline
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: true
`,
  );
  const service = spawnService(
    ALERTMANAGER,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=info',
    ],
    dir,
    'SIGTERM',
  );
  const { child, stop } = service;
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt > 100) {
      await stop();
      throw new Error(`alertmanager did not start:\n${service.output()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async alerts() {
      const response = await fetch(`${url}/api/v2/alerts`);
      if (!response.ok) throw new Error(`alertmanager answered ${response.status}`);
      return (await response.json()) as AmAlert[];
    },
    async post(alerts) {
      const response = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!response.ok)
        throw new Error(`alertmanager answered ${response.status}: ${await response.text()}`);
    },
    logs: service.output,
    stop,
  };
}

/** Polls `read` until `accept` takes its value; fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${what} not reached; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
