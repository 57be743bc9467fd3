import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService } from './service-process.js';
import { freePort } from './ports.js';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface PrometheusHandle {
  url: string;
  /** An instant query through /api/v1/query: each result's labels and value. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** /api/v1/query_exemplars over the last `seconds`: each series' exemplar label sets. */
  exemplars(expr: string, seconds?: number): Promise<Record<string, string>[]>;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus scraping `target` (host:port) every second, with a temporary config and
 * data directory, exemplar storage on. `stop` kills it and removes the directory.
 */
export async function startPrometheus(target: string): Promise<PrometheusHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: faultline
    static_configs:
      - targets: ['${target}']
`,
  );
  const service = spawnService(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    dir,
    'SIGKILL',
  );
  const { child, stop } = service;
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  };

  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${service.output()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 300) {
      await stop();
      throw new Error(`prometheus was not ready:\n${service.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    logs: service.output,
    stop,
    async query(expr) {
      const data = await api<{
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async exemplars(expr, seconds = 600) {
      const end = Date.now() / 1000;
      const data = await api<{ exemplars: { labels: Record<string, string> }[] }[]>(
        `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end + 60}`,
      );
      return data.flatMap((series) => series.exemplars.map((e) => e.labels));
    },
  };
}
