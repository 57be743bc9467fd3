// Starts the built daemon as a child process for a benchmark: free loopback ports, its own
// temporary data directory, log level warn. Its store is the embedded engine, or with
// `engine: 'server'` the server engine talking to chDB in a process of its own
// (clickhouse-http.mjs). Reads CPU time and memory of both processes from /proc.

import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout, clearTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { URL, fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const CLICKHOUSE_HTTP = fileURLToPath(new URL('./clickhouse-http.mjs', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const SHIPPED_CONFIG = fileURLToPath(new URL('../config/faultline.yaml', import.meta.url));
/** The node flags the `faultline` command runs with: those of its `#!/usr/bin/env -S node …` line. */
const SHIPPED_NODE_FLAGS = readFileSync(CLI, 'utf8')
  .split('\n', 1)[0]
  .split(' ')
  .filter((word) => word.startsWith('--'));

/**
 * A processor's section: its defaults, except alert, whose defaults have no rules; it runs
 * with the example rules of the shipped config, as a user of that config would.
 */
function processorSection(name) {
  if (name !== 'alert') return '{}';
  return JSON.stringify(parse(readFileSync(SHIPPED_CONFIG, 'utf8')).processors.alert);
}

/** Node flags for the daemon only, from BENCH_DAEMON_NODE_OPTIONS. */
const flagsFromEnvironment = () =>
  (process.env.BENCH_DAEMON_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

/** A port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * @param {object} options
 * @param {string} [options.batchTimeout] exporters.clickhouse.batch.timeout (default: the daemon's)
 * @param {number} [options.maxRows] exporters.clickhouse.batch.max_rows (default: the daemon's)
 * @param {string[]} [options.nodeArgs] extra node flags for the daemon, e.g. ['--cpu-prof'];
 *   by default those of BENCH_DAEMON_NODE_OPTIONS (space-separated), for every scenario
 * @param {string[]} [options.processors] processors, in order (see processorSection)
 * @param {object} [options.queue] exporters.clickhouse.queue settings (default: the daemon's)
 * @param {string[]} [options.exporters] exporters (default: clickhouse); those other than
 *   clickhouse get their default config
 * @param {'embedded' | 'server'} [options.engine] the store (default embedded)
 */
export async function startDaemon(options = {}) {
  // A port found free can be taken before the daemon binds it (by another process's outgoing
  // connection, say): then start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt === 3 || !/EADDRINUSE/.test(error.message)) throw error;
    }
  }
}

async function startOnce(options) {
  const [grpcPort, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  const configPath = join(dir, 'faultline.yaml');
  let engine;
  try {
    if (options.engine === 'server') engine = await startEngine(join(dir, 'engine'));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const storage = engine
    ? `engine: server\n  url: http://127.0.0.1:${engine.port}`
    : `engine: embedded\n  path: ${join(dir, 'store')}`;
  const batch = [];
  if (options.maxRows) batch.push(`      max_rows: ${options.maxRows}`);
  if (options.batchTimeout) batch.push(`      timeout: ${options.batchTimeout}`);
  const clickhouse = batch.length ? [`    batch:\n${batch.join('\n')}`] : [];
  if (options.queue) clickhouse.push(`    queue: ${JSON.stringify(options.queue)}`);
  const processors = options.processors ?? [];
  const exporters = options.exporters ?? ['clickhouse'];
  const otherExporters = exporters
    .filter((name) => name !== 'clickhouse')
    .map((name) => `\n  ${name}: {}`)
    .join('');
  const processorsSection = processors.length
    ? `processors:\n${processors.map((name) => `  ${name}: ${processorSection(name)}`).join('\n')}\n`
    : '';
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
      http:
        endpoint: 127.0.0.1:${httpPort}
${processorsSection}exporters:
  clickhouse:${clickhouse.length ? `\n${clickhouse.join('\n')}` : ' {}'}${otherExporters}
storage:
  ${storage}
admin:
  endpoint: 127.0.0.1:${adminPort}
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [${processors.join(', ')}]
      exporters: [${exporters.join(', ')}]
  telemetry:
    logs:
      level: warn
`,
  );
  const child = spawn(
    process.execPath,
    [
      ...SHIPPED_NODE_FLAGS,
      ...(options.nodeArgs ?? flagsFromEnvironment()),
      CLI,
      'serve',
      '--config',
      configPath,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;

  let removed = false;
  const handle = {
    pid: child.pid,
    grpc: `127.0.0.1:${grpcPort}`,
    http: `127.0.0.1:${httpPort}`,
    adminUrl,
    logs: () => output,
    /** CPU ticks (utime + stime, all threads) and memory of the daemon process now. */
    proc: () => procStats(child.pid),
    /** The same of the engine's own process, with the server engine. */
    engineProc: engine ? () => procStats(engine.process.pid) : undefined,
    /** Rows in `table`; waits out the query API's rate limit (it answers 429 with Retry-After). */
    async count(table = 'faultline.otel_traces') {
      for (;;) {
        const response = await globalThis.fetch(`${adminUrl}/api/v1/query`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ sql: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' }),
        });
        const text = await response.text();
        if (response.status === 429) {
          await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
          continue;
        }
        if (!response.ok) throw new Error(`query failed (${response.status}): ${text}`);
        return Number(JSON.parse(text).n);
      }
    },
    /**
     * The admin port's Prometheus metrics: each family summed over its label sets, and each
     * labelled series on its own, its labels sorted (`name{kind="minor",le="0.01"}`).
     */
    async metrics() {
      const text = await (await globalThis.fetch(`${adminUrl}/metrics`)).text();
      const sums = new Map();
      for (const line of text.split('\n')) {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
        if (!match) continue;
        const [, name, labels, value] = match;
        sums.set(name, (sums.get(name) ?? 0) + Number(value));
        if (labels) sums.set(`${name}{${labels.split(',').sort().join(',')}}`, Number(value));
      }
      return sums;
    },
    /** SIGTERM (a graceful stop, so --cpu-prof can write its profile), SIGKILL if it hangs. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await engine?.stop();
      if (!removed) {
        removed = true;
        rmSync(dir, { recursive: true, force: true });
      }
    },
    /** For signal handlers: no waiting. */
    killNow() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      engine?.process.kill('SIGKILL');
    },
    cleanupNow() {
      engine?.process.kill('SIGKILL');
      if (!removed) rmSync(dir, { recursive: true, force: true });
      removed = true;
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      handle.cleanupNow();
      throw new Error(`the daemon exited during start-up:\n${output}`);
    }
    try {
      if ((await globalThis.fetch(`${adminUrl}/readyz`)).ok) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`the daemon was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** chDB behind ClickHouse's HTTP interface, in a process of its own, on a free port. */
async function startEngine(dataDir) {
  const engine = fork(CLICKHOUSE_HTTP, [dataDir], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => engine.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    engine.once('message', ({ port }) => resolve(port));
    exited.then((code) => reject(new Error(`the engine process exited with ${code}`)));
  });
  return {
    process: engine,
    port,
    async stop() {
      if (engine.exitCode !== null || engine.signalCode !== null) return;
      engine.kill('SIGTERM');
      const timer = setTimeout(() => engine.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * utime + stime in clock ticks (the process's and its main thread's), minor page faults, and
 * VmRSS / RssFile / VmHWM in KiB, of one process.
 */
export function procStats(pid) {
  const fields = statFields(`/proc/${pid}/stat`);
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15: utime, stime
  const minorFaults = Number(fields[7]); // field 10: minflt
  // The main thread (its id is the process's): JavaScript and the event loop.
  const main = statFields(`/proc/${pid}/task/${pid}/stat`);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return {
    ticks,
    mainThreadTicks: Number(main[11]) + Number(main[12]),
    minorFaults,
    rssKiB: field('VmRSS'),
    // File-backed pages: mostly the mapped code of node and of the engine's library.
    rssFileKiB: field('RssFile'),
    hwmKiB: field('VmHWM'),
    threads: field('Threads'),
  };
}

/** The fields of a /proc stat file after the command name (in parentheses, maybe with spaces). */
function statFields(path) {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
