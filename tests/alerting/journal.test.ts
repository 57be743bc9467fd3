import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { alertFingerprint } from '../../src/alerting/alert.js';
import type { AlertingConfig } from '../../src/alerting/config.js';
import { AlertingService, type ExternalAlert } from '../../src/alerting/service.js';
import { AlertJournal } from '../../src/alerting/store/journal.js';
import { RetryableError } from '../../src/pipeline/errors.js';
import type { InsertOptions } from '../../src/storage/store.js';
import { RecordingStore, silentLogger } from '../helpers/test-doubles.js';

/** Storage that refuses every insert (as a down server does) while `down` is set. */
class OutageStore extends RecordingStore {
  down = true;
  override insert(table: string, rows: Buffer, options?: InsertOptions): Promise<void> {
    if (this.down) return Promise.reject(new RetryableError('storage down', 'unavailable'));
    return super.insert(table, rows, options);
  }
}

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function alertingConfig(maxBytes: number): AlertingConfig {
  const directory = mkdtempSync(join(tmpdir(), 'faultline-alerting-'));
  directories.push(directory);
  return {
    queue: {
      directory,
      fsync: 'always',
      fsync_interval: 1000,
      max_bytes: maxBytes,
      segment_size: 1 << 20,
      memory_size: 1 << 20,
    },
  };
}

const firing = (alertname: string): ExternalAlert => ({
  status: 'firing',
  labels: { alertname, service: 'checkout' },
  annotations: {},
  startsAt: 1_700_000_000_000,
  endsAt: 0,
});

const incidentAlerts = (store: RecordingStore): string[][] =>
  store.inserts
    .filter((insert) => insert.table === 'incidents')
    .flatMap((insert) => insert.rows)
    .map((row) =>
      (JSON.parse((JSON.parse(row) as { Alerts: string }).Alerts) as { name: string }[]).map(
        (a) => a.name,
      ),
    );

async function resendUntilTaken(service: AlertingService, alerts: ExternalAlert[]) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await service.receiveExternal(alerts);
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('AlertJournal', () => {
  it('holds rows on disk while storage is down and stores them, in order, once it answers', async () => {
    const store = new OutageStore();
    const journal = new AlertJournal(store, silentLogger, alertingConfig(1 << 20).queue);
    await journal.start();
    await journal.append({ alerts: ['{"n":1}'], incidents: [] });
    await journal.append({ alerts: ['{"n":2}'], incidents: ['{"i":1}'] });
    expect(store.inserts).toEqual([]);
    store.down = false;
    await journal.flush();
    await journal.shutdown(AbortSignal.timeout(1000));
    // Each table has its own queue: order holds within a table.
    const byTable = Object.fromEntries(store.inserts.map((i) => [i.table, i.rows]));
    expect(byTable).toEqual({ alerts: ['{"n":1}', '{"n":2}'], incidents: ['{"i":1}'] });
  });
});

describe('Alertmanager alerts through the journal', () => {
  it('refuses when the queue is full, leaves incidents unchanged, and records a resend once', async () => {
    const store = new OutageStore();
    // One byte: the first rows fill the queue while storage is down.
    const service = new AlertingService(store, silentLogger, () => 1_700_000_001_000, {
      config: alertingConfig(1),
    });
    await service.start();
    expect(await service.receiveExternal([firing('First')])).toEqual({ recorded: 1 });

    const refused = await service.receiveExternal([firing('Second')]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RetryableError);
    expect((refused as RetryableError).retryAfterMs).toBe(1000);
    expect(service.correlator.openIncidents().flatMap((i) => i.alerts.map((a) => a.name))).toEqual([
      'First',
    ]);

    // Storage answers again; the queue empties as its sender retries, and Alertmanager's resend
    // is taken once there is room.
    store.down = false;
    expect(await resendUntilTaken(service, [firing('Second')])).toEqual({ recorded: 1 });
    // Alertmanager sends the same group again on its repeat interval: nothing new is recorded.
    expect(await service.receiveExternal([firing('First'), firing('Second')])).toEqual({
      recorded: 0,
    });
    await service.shutdown();

    expect(incidentAlerts(store).at(-1)).toEqual(['First', 'Second']);
    const alertRows = store.inserts
      .filter((insert) => insert.table === 'alerts')
      .flatMap((insert) =>
        insert.rows.map((row) => (JSON.parse(row) as { AlertName: string }).AlertName),
      );
    expect(alertRows).toEqual(['First', 'Second']);
  });

  it('counts rows of its own rules that a full queue refuses', async () => {
    const store = new OutageStore();
    const metrics = new Registry();
    const now = 1_700_000_001_000;
    const service = new AlertingService(store, silentLogger, () => now, {
      config: alertingConfig(1),
      metrics,
    });
    await service.start();
    await service.receiveExternal([firing('First')]);
    const labels = { alertname: 'Own', service: 'checkout' };
    service.record([
      {
        timeMs: now,
        state: 'firing',
        alert: {
          name: 'Own',
          fingerprint: alertFingerprint(labels),
          labels,
          annotations: {},
          severity: 'high',
          state: 'firing',
          value: 1,
          activeAt: now,
          firedAt: now,
          resolvedAt: 0,
          keepFiringSince: 0,
          incidentId: '',
          source: 'faultline',
        },
      },
    ]);
    await service.flush();
    const dropped = await metrics.getSingleMetricAsString('faultline_alerting_dropped_rows_total');
    expect(dropped).toContain('faultline_alerting_dropped_rows_total{table="alerts"} 1');
    expect(dropped).toContain('faultline_alerting_dropped_rows_total{table="incidents"} 1');
    store.down = false;
    await service.shutdown();
  });
});
