/**
 * Test harness: runs a real `clickhouse-server` (the Debian package, 18.16) on
 * free loopback ports with a throw-away config and data directory, for
 * integration tests of the ClickHouse server transport.
 *
 * Notes on the 18.16 server:
 * - It runs fine as root (no ownership / effective-user check in this version),
 *   so the process is started as the current user; the temp dir belongs to it.
 * - `tcp_port` and `interserver_http_port` are optional: when omitted the server
 *   only listens on `http_port`, so only one port has to be free.
 * - On a taken port it exits (code 70) with "Address already in use" in its log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { freePort } from './ports.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER_BIN = '/usr/sbin/clickhouse-server';
/** util-linux `setpriv`, used (when present) to give the server a parent-death signal. */
const SETPRIV_BIN = '/usr/bin/setpriv';

const READY_ATTEMPTS = 300;
const READY_INTERVAL_MS = 100;
const READY_REQUEST_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 30_000;
const INITIAL_START_ATTEMPTS = 3;

export interface ClickHouseServerHandle {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** always 'default' */
  username: string;
  /** password configured for `default` (non-empty) */
  password: string;
  /** Graceful stop (SIGTERM); waits for the process to exit. No-op when not running. */
  stop(): Promise<void>;
  /** SIGKILL; waits for the process to exit. No-op when not running. */
  kill(): Promise<void>;
  /** (Re)start on the same port and data dir; resolves once `SELECT 1` answers. */
  start(): Promise<void>;
  /** Stop if running and remove the temp dir. */
  cleanup(): Promise<void>;
}

export function clickHouseServerAvailable(): boolean {
  return isExecutable(SERVER_BIN);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Never leave servers behind: every live child is SIGKILLed when this process
// exits (normally, or via process.exit()). Children are additionally started
// with a parent-death signal when `setpriv` is available, which also covers the
// test process being killed outright.

const liveChildren = new Set<ChildProcess>();
/** Temp dirs of servers not yet cleaned up; removed best-effort on exit. */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // best effort; the OS temp dir gets cleaned eventually
      }
    }
  });
}

function track(child: ChildProcess): void {
  installExitHook();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

let setprivSupportsPdeathsig: boolean | undefined;

function launchCommand(args: string[]): { command: string; args: string[] } {
  if (setprivSupportsPdeathsig === undefined) {
    setprivSupportsPdeathsig = false;
    if (isExecutable(SETPRIV_BIN)) {
      // `--pdeathsig` needs util-linux >= 2.33; probe rather than assume.
      const probe = spawnSync(SETPRIV_BIN, ['--pdeathsig', 'KILL', '--', '/bin/true'], {
        stdio: 'ignore',
        timeout: 5_000,
      });
      setprivSupportsPdeathsig = !probe.error && probe.status === 0;
    }
  }
  return setprivSupportsPdeathsig
    ? { command: SETPRIV_BIN, args: ['--pdeathsig', 'KILL', '--', SERVER_BIN, ...args] }
    : { command: SERVER_BIN, args };
}

// ---------------------------------------------------------------------------

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function configXml(dir: string, httpPort: number): string {
  const p = (sub: string): string => xml(join(dir, sub) + '/');
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${xml(join(dir, 'logs', 'server.log'))}</log>
    <errorlog>${xml(join(dir, 'logs', 'server.err.log'))}</errorlog>
    <size>50M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <!-- tcp_port / interserver_http_port deliberately omitted: HTTP only. -->
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${p('data')}</path>
  <tmp_path>${p('tmp')}</tmp_path>
  <user_files_path>${p('user_files')}</user_files_path>
  <format_schema_path>${p('format_schemas')}</format_schema_path>
  <users_config>${xml(join(dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

function usersXml(password: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
    <default>
      <password>${xml(password)}</password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** The text appended to `file` since byte `from`, cut to its last `maxChars`. */
async function tailSince(file: string, from: number, maxChars = 4_000): Promise<string> {
  try {
    const text = (await readFile(file)).subarray(from).toString('utf8');
    return text.length > maxChars ? '…' + text.slice(-maxChars) : text;
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  // The child is unref'd; re-ref it while someone awaits its exit, otherwise an
  // otherwise idle event loop would end before the 'exit' event arrives.
  child.ref();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

class PortInUseError extends Error {}

class ClickHouseServer implements ClickHouseServerHandle {
  readonly username = 'default';
  readonly password: string;
  url: string;
  private child: ChildProcess | undefined;

  constructor(
    readonly dir: string,
    private port: number,
  ) {
    this.password = randomBytes(12).toString('hex');
    this.url = `http://127.0.0.1:${port}`;
  }

  async writeConfig(port: number): Promise<void> {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    await writeFile(join(this.dir, 'config.xml'), configXml(this.dir, port));
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('clickhouse-server is already running');
    const stdioPath = join(this.dir, 'logs', 'stdio.log');
    const errLogPath = join(this.dir, 'logs', 'server.err.log');
    // Only show what this start wrote when reporting a failure.
    const stdioFrom = await sizeOf(stdioPath);
    const errLogFrom = await sizeOf(errLogPath);
    const fd = openSync(stdioPath, 'a');
    let child: ChildProcess;
    try {
      const { command, args } = launchCommand([`--config-file=${join(this.dir, 'config.xml')}`]);
      child = spawn(command, args, { cwd: this.dir, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    // Don't keep the test process alive just for the server; the exit hook kills it.
    child.unref();
    track(child);
    this.child = child;

    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: Error | undefined;
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      if (this.child === child) this.child = undefined;
    });
    child.once('error', (err) => {
      spawnError = err;
      if (this.child === child) this.child = undefined;
    });

    const auth = 'Basic ' + Buffer.from(`${this.username}:${this.password}`).toString('base64');
    let lastProblem = '';
    for (let attempt = 0; attempt < READY_ATTEMPTS; attempt++) {
      if (spawnError) throw new Error(`failed to spawn ${SERVER_BIN}: ${spawnError.message}`);
      if (exited) {
        const errLog = await tailSince(errLogPath, errLogFrom);
        const stdio = await tailSince(stdioPath, stdioFrom);
        const how = exited.signal ? `signal ${exited.signal}` : `code ${exited.code}`;
        const message =
          `clickhouse-server exited during startup (${how}) on port ${this.port}.\n` +
          `--- server.err.log (tail) ---\n${errLog}\n--- stdout/stderr (tail) ---\n${stdio}`;
        if (/Address already in use/.test(errLog)) throw new PortInUseError(message);
        throw new Error(message);
      }
      try {
        const res = await fetch(`${this.url}/?query=SELECT%201`, {
          headers: { authorization: auth },
          signal: AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS),
        });
        const body = (await res.text()).trim();
        if (res.ok && body === '1') return;
        lastProblem = `HTTP ${res.status}: ${body.slice(0, 500)}`;
      } catch (err) {
        lastProblem = err instanceof Error ? err.message : String(err);
      }
      await sleep(READY_INTERVAL_MS);
    }
    const errLog = await tailSince(errLogPath, errLogFrom);
    child.kill('SIGKILL');
    await waitForExit(child);
    throw new Error(
      `clickhouse-server did not answer SELECT 1 on ${this.url} after ${READY_ATTEMPTS} attempts ` +
        `(last: ${lastProblem}).\n--- server.err.log (tail) ---\n${errLog}`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await waitForExit(child);
    } finally {
      clearTimeout(timer);
    }
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await waitForExit(child);
  }

  async cleanup(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }
}

export async function startClickHouseServer(): Promise<ClickHouseServerHandle> {
  if (!clickHouseServerAvailable()) {
    throw new Error(`${SERVER_BIN} not found (apt-get install clickhouse-server)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'faultline-clickhouse-'));
  installExitHook();
  liveDirs.add(dir);
  try {
    for (const sub of ['data', 'tmp', 'user_files', 'format_schemas', 'logs']) {
      await mkdir(join(dir, sub));
    }
    const server = new ClickHouseServer(dir, 0);
    await writeFile(join(dir, 'users.xml'), usersXml(server.password));
    // The port is free when probed but may be grabbed by someone else before the
    // server binds it; retry the first start with a fresh port in that case.
    for (let attempt = 1; ; attempt++) {
      await server.writeConfig(await freePort());
      try {
        await server.start();
        return server;
      } catch (err) {
        if (!(err instanceof PortInUseError) || attempt >= INITIAL_START_ATTEMPTS) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
}
