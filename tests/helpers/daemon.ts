import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricSum } from './otlp-client.js';
import { freePorts } from './ports.js';

/** The built CLI; `npm test` builds before running tests. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/**
 * Tests send spans with fixed timestamps of 2023, which the default retention (30 days) would
 * drop at once: a test daemon keeps every table forever unless the test sets `storageYaml`.
 */
const KEEP_FOREVER = `  retention: ${JSON.stringify(
  Object.fromEntries(
    [
      'otel_traces',
      'otel_logs',
      'agent_traces',
      'failures',
      'failure_status_changes',
      'alerts',
      'incidents',
      'exports',
      'otel_traces_1m',
    ].map((table) => [table, 0]),
  ),
)}`;

export interface DaemonOptions {
  /** Top-level YAML appended to the generated config. */
  extraYaml?: string;
  /** The body of exporters.clickhouse (YAML, indented by four spaces), besides `queue`. */
  exporterYaml?: string;
  /** Settings of exporters.clickhouse.queue; the directory defaults to one in the data dir. */
  queue?: Record<string, unknown>;
  /** Settings of alerting.queue; the directory defaults to one in the data dir. */
  alertingQueue?: Record<string, unknown>;
  /** Replace the storage section (YAML, indented by two spaces under `storage:`). */
  storageYaml?: string;
  /** The body of the `processors:` section (YAML, entries indented by two spaces). */
  processorsYaml?: string;
  /** Processor ids for `service.pipelines.traces.processors`, in order. */
  pipelineProcessors?: string[];
  /** More entries of the `exporters:` section after clickhouse (indented by two spaces). */
  exportersYaml?: string;
  /** Exporter ids for `service.pipelines.traces.exporters` (default: clickhouse). */
  pipelineExporters?: string[];
  /** Reuse a data directory (to test restarts). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Settings merged into receivers.otlp: each protocol's section (the endpoint stays the
   * generated one) and `limits`. Written as JSON, which YAML reads as flow mappings.
   */
  otlp?: {
    grpc?: Record<string, unknown>;
    http?: Record<string, unknown>;
    limits?: Record<string, unknown>;
    auth?: Record<string, unknown>;
  };
  /** More keys of the `admin:` section (YAML, indented by two spaces). */
  adminYaml?: string;
  /**
   * The CA that signed the admin port's certificate, when `adminYaml` turns TLS on: readiness
   * is then probed over HTTPS (`query` still speaks plain HTTP).
   */
  adminCa?: Buffer;
}

export interface DaemonHandle {
  /** The daemon's process id (for its memory in /proc). */
  pid: number;
  grpcPort: number;
  httpPort: number;
  adminPort: number;
  dataDir: string;
  configPath: string;
  adminUrl: string;
  /** The daemon's stderr (structured logs) so far. */
  logs(): string;
  /**
   * Read-only SQL through the admin API, JSONEachRow rows parsed, once the durable queue has
   * delivered everything acknowledged so far.
   */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Resolves once the daemon's durable queues are empty (per its /metrics). */
  drained(): Promise<void>;
  /**
   * Runs `sql` until `done` holds for its rows (spans are acknowledged once queued, and
   * stored a batch timeout later), and returns the last rows for the test to assert on.
   */
  queryUntil<T = Record<string, unknown>>(sql: string, done: (rows: T[]) => boolean): Promise<T[]>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Stops if running and removes the data directory. */
  cleanup(): Promise<void>;
}

/**
 * Another test worker can take a port between our probe and the daemon's
 * listen; a daemon that could not bind is started again on fresh ports.
 */
export async function startDaemon(options: DaemonOptions = {}): Promise<DaemonHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchDaemon(options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function launchDaemon(options: DaemonOptions): Promise<DaemonHandle> {
  const [grpcPort, httpPort, adminPort] = (await freePorts(3)) as [number, number, number];
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-test-'));
  const configPath = join(dataDir, `faultline-${adminPort}.yaml`);
  const grpc = { ...options.otlp?.grpc, endpoint: `127.0.0.1:${grpcPort}` };
  const http = { ...options.otlp?.http, endpoint: `127.0.0.1:${httpPort}` };
  const limits = options.otlp?.limits ? `\n    limits: ${JSON.stringify(options.otlp.limits)}` : '';
  const auth = options.otlp?.auth ? `\n    auth: ${JSON.stringify(options.otlp.auth)}` : '';
  const processors = options.processorsYaml ? `processors:\n${options.processorsYaml}\n` : '';
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      grpc: ${JSON.stringify(grpc)}
      http: ${JSON.stringify(http)}${limits}${auth}
${processors}exporters:
  clickhouse:
${options.exporterYaml ?? '    batch:\n      timeout: 50ms'}
    queue: ${JSON.stringify({ directory: join(dataDir, 'queue'), ...options.queue })}
${options.exportersYaml ?? ''}storage:
${options.storageYaml ?? `  engine: embedded\n  path: ${join(dataDir, 'store')}\n${KEEP_FOREVER}`}
alerting:
  queue: ${JSON.stringify({ directory: join(dataDir, 'queue', 'alerting'), ...options.alertingQueue })}
admin:
  endpoint: 127.0.0.1:${adminPort}
${options.adminYaml ?? ''}service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: ${JSON.stringify(options.pipelineProcessors ?? [])}
      exporters: ${JSON.stringify(options.pipelineExporters ?? ['clickhouse'])}
  telemetry:
    logs:
      level: info
${options.extraYaml ?? ''}`,
  );
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configPath], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const adminUrl = `${options.adminCa ? 'https' : 'http'}://127.0.0.1:${adminPort}`;
  try {
    await waitForReady(adminUrl, child, () => output, options.adminCa);
  } catch (error) {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const handle: DaemonHandle = {
    pid: child.pid!,
    grpcPort,
    httpPort,
    adminPort,
    dataDir,
    configPath,
    adminUrl,
    logs: () => output,
    async query(sql) {
      await waitUntilDrained(adminUrl);
      return queryJsonEachRow(adminUrl, sql);
    },
    drained: () => waitUntilDrained(adminUrl),
    async queryUntil<T>(sql: string, done: (rows: T[]) => boolean) {
      let rows: T[] = [];
      for (let attempt = 0; attempt < 200; attempt++) {
        rows = await queryJsonEachRow<T>(adminUrl, sql);
        if (done(rows)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return rows;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async cleanup() {
      await handle.kill();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

async function waitForReady(
  adminUrl: string,
  child: ChildProcess,
  output: () => string,
  ca: Buffer | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`daemon exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await probe(`${adminUrl}/readyz`, ca)) === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`daemon did not become ready:\n${output()}`);
}

/** Polls /metrics until every `faultline_queue_rows` series is 0. */
export async function waitUntilDrained(adminUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if ((await metricSum(adminUrl, 'faultline_queue_rows')) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the daemon at ${adminUrl} did not drain its queue`);
}

/** The status of a GET, over HTTPS trusting `ca` when given. */
async function probe(url: string, ca: Buffer | undefined): Promise<number> {
  if (!ca) return (await fetch(url)).status;
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

export async function queryJsonEachRow<T>(adminUrl: string, sql: string): Promise<T[]> {
  const response = await fetch(`${adminUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql, format: 'JSONEachRow' }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`query failed (${response.status}): ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
