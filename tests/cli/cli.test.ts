import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startDaemon, type DaemonHandle } from '../helpers/daemon.js';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config/faultline.yaml', import.meta.url));
const COUNT_SQL = 'SELECT count() FROM faultline.otel_traces';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in `cwd` (a scratch directory, so no ./config/faultline.yaml is found). */
function runCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, FAULTLINE_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Only a hung process is stopped; nothing here depends on how long a command takes.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectNoStackTrace(output: string): void {
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/\.(ts|js):\d+:\d+/);
}

/** One span of a service called cli-test, as an OTLP/JSON export request. */
function otlpJsonRequest(): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cli-test' } }] },
        scopeSpans: [
          {
            scope: { name: 'cli-test-scope' },
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'cli-test-span',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000250000000',
                status: {},
              },
            ],
          },
        ],
      },
    ],
  });
}

async function storedSpans(daemon: DaemonHandle): Promise<number> {
  const rows = await daemon.query<{ n: string | number }>(
    'SELECT count() AS n FROM faultline.otel_traces',
  );
  return Number(rows[0]?.n);
}

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('faultline validate-config', () => {
  it('accepts a good file with exit code 0 and a summary', async () => {
    const result = await runCli(['validate-config', SHIPPED_CONFIG], scratch);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(': valid');
    expect(result.stdout).toMatch(/receivers: otlp/);
    expect(result.stdout).toMatch(/exporters: clickhouse/);
    expect(result.stderr).toBe('');
  });

  it('prints every problem of a bad file on its own line with its path, and exits non-zero', async () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(
      file,
      `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: nowhere
exporters:
  clickhouse:
    batch:
      timeout: 10 parsecs
admin:
  colour: red
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [clickhouse, clickhouse/archive]
`,
    );
    const result = await runCli(['validate-config', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.split('\n');
    expect(lines).toContain(`faultline: invalid configuration in ${file}:`);
    expect(lines).toContain('  admin: unknown key "colour"');
    expect(lines).toContain(
      '  receivers.otlp.protocols.grpc.endpoint: expected host:port with a port up to 65535, e.g. 0.0.0.0:4317',
    );
    expect(lines).toContain(
      '  exporters.clickhouse.batch.timeout: invalid duration "10 parsecs": use a number with a unit, e.g. 200ms, 10s, 5m, 72h, 7d',
    );
    expect(lines).toContain(
      '  service.pipelines.traces.exporters[1]: "clickhouse/archive" is not configured under exporters',
    );
    expect(result.stdout).toBe('');
    expectNoStackTrace(result.stderr);
  });

  it('names a missing file in one line', async () => {
    const result = await runCli(['validate-config', 'no-such-file.yaml'], scratch);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot read the config file: file not found');
    expectNoStackTrace(result.stderr);
  });
});

describe('faultline serve with an invalid config', () => {
  it('refuses to start, printing the problems with their paths', async () => {
    const file = join(scratch, 'serve-bad.yaml');
    writeFileSync(
      file,
      `storage:
  engine: cloud
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [clickhouse]
`,
    );
    const result = await runCli(['serve', '--config', file], scratch);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.split('\n');
    expect(lines).toContain(`faultline: invalid configuration in ${file}:`);
    expect(lines).toContain(
      '  storage.engine: Invalid option: expected one of "embedded"|"server"',
    );
    expect(lines).toContain(
      '  service.pipelines.traces.receivers[0]: "otlp" is not configured under receivers',
    );
    expectNoStackTrace(result.stderr);
  });
});

describe('usage errors', () => {
  it('an unknown command exits with code 2 and shows the usage', async () => {
    const result = await runCli(['frobnicate'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain('Usage: faultline <command> [options]');
  });

  it('an unknown option exits with code 2 and points to the usage', async () => {
    const result = await runCli(['query', 'SELECT 1', '--bogus'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'--bogus'");
    expect(result.stderr).toMatch(/Usage: faultline|faultline help/);
    expectNoStackTrace(result.stderr);
  });

  it('bench with an unknown scenario exits with code 2 and lists the scenarios', async () => {
    const result = await runCli(['bench', 'nosuch', '--duration', '1'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown scenario(s): nosuch');
    expect(result.stderr).toContain('floor');
  });

  it('query without SQL exits with code 2 and an example', async () => {
    const result = await runCli(['query'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('faultline query "SELECT');
  });

  it('an unknown output format exits with code 2 and lists the formats', async () => {
    const result = await runCli(['query', 'SELECT 1', '--format', 'Parquet'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown format "Parquet": use one of .*JSONEachRow/);
  });
});

describe('faultline query', () => {
  let daemon: DaemonHandle;
  /** Same admin endpoint as the daemon, but an empty store of its own. */
  let apiOnlyConfig: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: otlpJsonRequest(),
    });
    expect(response.status).toBe(200);
    for (let attempt = 0; (await storedSpans(daemon)) !== 1; attempt++) {
      if (attempt >= 200) throw new Error(`the span was not stored:\n${daemon.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    apiOnlyConfig = join(scratch, 'api-only.yaml');
    writeFileSync(
      apiOnlyConfig,
      `receivers:
  otlp:
exporters:
  clickhouse:
storage:
  engine: embedded
  path: ${join(scratch, 'empty-store')}
admin:
  endpoint: 127.0.0.1:${daemon.adminPort}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [clickhouse]
`,
    );
  });

  afterAll(async () => {
    await daemon?.cleanup();
  });

  describe('with the daemon running', () => {
    it('goes through the daemon API (a config whose own store is empty still sees the span)', async () => {
      const result = await runCli(
        ['query', COUNT_SQL, '--config', apiOnlyConfig, '--format', 'TSV'],
        scratch,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('1\n');
    });

    it('answers with the daemon config as well', async () => {
      const result = await runCli(
        ['query', COUNT_SQL, '--config', daemon.configPath, '--format', 'TSV'],
        scratch,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('1\n');
    });

    it('uses the daemon at --url', async () => {
      const result = await runCli(
        [
          'query',
          COUNT_SQL,
          '--config',
          SHIPPED_CONFIG,
          '--url',
          daemon.adminUrl,
          '--format',
          'TSV',
        ],
        scratch,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('1\n');
    });

    it.each([
      ['JSONEachRow', '{"SpanName":"cli-test-span","ServiceName":"cli-test"}\n'],
      ['CSV', '"cli-test-span","cli-test"\n'],
      ['TSV', 'cli-test-span\tcli-test\n'],
      ['CSVWithNames', '"SpanName","ServiceName"\n"cli-test-span","cli-test"\n'],
    ])('prints --format %s in its shape', async (format, expected) => {
      const result = await runCli(
        [
          'query',
          'SELECT SpanName, ServiceName FROM faultline.otel_traces',
          '--config',
          daemon.configPath,
          '--format',
          format,
        ],
        scratch,
      );
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(expected);
    });

    it('prints --format PrettyCompact as a table with a header', async () => {
      const result = await runCli(
        [
          'query',
          'SELECT SpanName, ServiceName FROM faultline.otel_traces',
          '--config',
          daemon.configPath,
          '--format',
          'PrettyCompact',
        ],
        scratch,
      );
      expect(result.code).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      // Newer ClickHouse versions put row numbers in a gutter on the left.
      expect(lines[0]).toMatch(/^\s*┌─SpanName─+┬─ServiceName─+┐$/);
      expect(lines[1]).toMatch(/^(1\.)?\s*│ cli-test-span │ cli-test\s+│$/);
      expect(lines[2]).toMatch(/^\s*└─+┴─+┘$/);
    });

    it('refuses a write through the API with a one-line error and a non-zero exit', async () => {
      const result = await runCli(
        ['query', 'DROP TABLE faultline.otel_traces', '--config', daemon.configPath],
        scratch,
      );
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^faultline: .*only read-only queries are allowed.*not DROP/);
      expect(await storedSpans(daemon)).toBe(1);
    });
  });

  describe('with no daemon running', () => {
    let exitCode: number | null;

    beforeAll(async () => {
      exitCode = await daemon.stop();
    });

    it('follows a daemon that shut down cleanly on SIGTERM', () => {
      expect(exitCode).toBe(0);
    });

    it('opens the store itself and finds the span the daemon stored', async () => {
      const result = await runCli(
        ['query', COUNT_SQL, '--config', daemon.configPath, '--format', 'TSV'],
        scratch,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('1\n');
    });

    it('prints JSONEachRow from the store it opened', async () => {
      const result = await runCli(
        [
          'query',
          'SELECT SpanName, ServiceName, Duration FROM faultline.otel_traces',
          '--config',
          daemon.configPath,
          '--format',
          'JSONEachRow',
        ],
        scratch,
      );
      expect(result.code).toBe(0);
      const rows = result.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ SpanName: 'cli-test-span', ServiceName: 'cli-test' });
      expect(Number(rows[0]!.Duration)).toBe(250_000_000);
    });

    it('refuses a write with a one-line error and a non-zero exit, leaving the data alone', async () => {
      const result = await runCli(
        ['query', 'TRUNCATE TABLE faultline.otel_traces', '--config', daemon.configPath],
        scratch,
      );
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(
        /^faultline: .*only read-only queries are allowed.*not TRUNCATE/,
      );
      const count = await runCli(
        ['query', COUNT_SQL, '--config', daemon.configPath, '--format', 'TSV'],
        scratch,
      );
      expect(count.stdout).toBe('1\n');
    });

    it('says so when --url names a daemon that does not answer', async () => {
      const result = await runCli(
        ['query', COUNT_SQL, '--config', daemon.configPath, '--url', daemon.adminUrl],
        scratch,
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`faultline: no Faultline daemon answers at ${daemon.adminUrl}\n`);
    });
  });
});
