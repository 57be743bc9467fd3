import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinFactories } from '../../src/components.js';
import { substituteEnv, type EnvProblem } from '../../src/config/env.js';
import {
  ConfigError,
  loadConfigFile,
  parseConfig,
  validateConfig,
  type ConfigProblem,
  type FaultlineConfig,
} from '../../src/config/load.js';
import { parseByteSize, parseDuration, splitEndpoint } from '../../src/config/units.js';
import { storageSchema } from '../../src/storage/config.js';

const DAY = 86_400_000;
const SHIPPED_CONFIG = fileURLToPath(new URL('../../config/faultline.yaml', import.meta.url));

/** The smallest config that names a working pipeline: components declared with no settings. */
const MINIMAL = `receivers:
  otlp:
exporters:
  clickhouse:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [clickhouse]
`;

function problemsOf(run: () => unknown): ConfigProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

function parse(text: string, env: NodeJS.ProcessEnv = {}): FaultlineConfig {
  return parseConfig(text, 'test.yaml', builtinFactories, env);
}

function component(config: FaultlineConfig, kind: 'receivers' | 'exporters', id: string) {
  const found = config.components[kind].find((c) => c.id === id);
  if (!found) throw new Error(`${kind}.${id} is not in the parsed config`);
  return found.config as Record<string, unknown>;
}

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['72h', 259_200_000],
    ['7d', 604_800_000],
    [' 10s ', 10_000],
    ['0s', 0],
    [500, 500],
    [0, 0],
  ] as const)('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    '',
    's',
    '10 parsecs',
    '-5s',
    '5 minutes',
    '1e3s',
    'ten seconds',
    -1,
    Number.NaN,
    Infinity,
  ])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseByteSize', () => {
  it.each([
    ['16MiB', 16 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['1GiB', 1024 ** 3],
    ['4MB', 4_000_000],
    ['2KB', 2_000],
    ['1GB', 1_000_000_000],
    ['100B', 100],
    ['100', 100],
    ['1.5KiB', 1_536],
    [' 8 MiB ', 8 * 1024 * 1024],
    [1024, 1024],
  ] as const)('reads %j as %d bytes', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each(['', 'MiB', '12XB', '-1MiB', '16 megabytes', '1e3KiB', 1.5, -1])('refuses %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });
});

describe('splitEndpoint', () => {
  it.each([
    ['0.0.0.0:4317', { host: '0.0.0.0', port: 4317 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    [':8888', { host: '0.0.0.0', port: 8888 }],
    ['[::1]:4318', { host: '::1', port: 4318 }],
    ['localhost:9000', { host: 'localhost', port: 9000 }],
  ])('splits %j', (endpoint, expected) => {
    expect(splitEndpoint(endpoint)).toEqual(expected);
  });
});

describe('environment substitution', () => {
  function substitute(value: unknown, env: NodeJS.ProcessEnv) {
    const problems: EnvProblem[] = [];
    const result = substituteEnv(value, env, problems);
    return { result, problems };
  }

  it('replaces ${env:NAME} inside a string', () => {
    expect(substitute({ url: 'http://${env:HOST}:8123/' }, { HOST: 'ch.internal' })).toEqual({
      result: { url: 'http://ch.internal:8123/' },
      problems: [],
    });
  });

  it('uses the default of ${env:NAME:-default} when NAME is unset or empty', () => {
    const value = { a: '${env:UNSET:-fallback}', b: '${env:EMPTY:-fallback}', c: '${env:SET:-x}' };
    expect(substitute(value, { EMPTY: '', SET: 'given' })).toEqual({
      result: { a: 'fallback', b: 'fallback', c: 'given' },
      problems: [],
    });
  });

  it('allows an empty default', () => {
    expect(substitute({ password: '${env:NOPE:-}' }, {}).result).toEqual({ password: '' });
  });

  it('reports a missing variable with the path of the value that needs it', () => {
    const { problems } = substitute(
      { storage: { password: '${env:DB_PASSWORD}' }, list: ['ok', 'x${env:OTHER}'] },
      {},
    );
    expect(problems).toEqual([
      {
        path: 'storage.password',
        message:
          'environment variable DB_PASSWORD is not set (give a default with ${env:DB_PASSWORD:-value})',
      },
      {
        path: 'list[1]',
        message: 'environment variable OTHER is not set (give a default with ${env:OTHER:-value})',
      },
    ]);
  });

  it('writes a literal ${ for $${', () => {
    expect(
      substitute({ a: '$${env:HOME}', b: 'cost: $${price}' }, { HOME: 'nope' }).result,
    ).toEqual({ a: '${env:HOME}', b: 'cost: ${price}' });
  });

  it('turns a value that is exactly one reference into a YAML scalar', () => {
    const { result } = substitute(
      { port: '${env:PORT}', on: '${env:ON}', rows: '${env:ROWS:-500}' },
      { PORT: '4317', ON: 'true' },
    );
    expect(result).toEqual({ port: 4317, on: true, rows: 500 });
  });

  it('keeps a reference inside a longer string as a string', () => {
    expect(substitute({ endpoint: '0.0.0.0:${env:PORT}' }, { PORT: '4317' }).result).toEqual({
      endpoint: '0.0.0.0:4317',
    });
  });

  it.each([
    '{a: 1}',
    '[1, 2]',
    'key: value',
    '- one\n- two',
    'x\nadmin:\n  endpoint: 0.0.0.0:1',
    'null',
    '~',
  ])('never turns a variable into YAML structure: %j stays a string', (text) => {
    expect(substitute({ value: '${env:X}' }, { X: text }).result).toEqual({ value: text });
  });

  it('leaves non-string values alone', () => {
    expect(substitute({ n: 1, b: false, z: null, list: [2] }, {}).result).toEqual({
      n: 1,
      b: false,
      z: null,
      list: [2],
    });
  });

  it('applies in parseConfig before validation, reporting missing variables by path', () => {
    const config = parse(`${MINIMAL}admin:\n  endpoint: 127.0.0.1:\${env:ADMIN_PORT}\n`, {
      ADMIN_PORT: '9999',
    });
    expect(config.admin.endpoint).toBe('127.0.0.1:9999');
    const numeric = parse(
      `${MINIMAL.replace('  clickhouse:\n', '  clickhouse:\n    max_pending_rows: ${env:ROWS}\n')}`,
      { ROWS: '1234' },
    );
    expect(component(numeric, 'exporters', 'clickhouse').max_pending_rows).toBe(1234);
    expect(
      problemsOf(() => parse(`${MINIMAL}storage:\n  password: \${env:CH_PASSWORD}\n`)),
    ).toEqual([
      {
        path: 'storage.password',
        message:
          'environment variable CH_PASSWORD is not set (give a default with ${env:CH_PASSWORD:-value})',
      },
    ]);
  });

  it('cannot inject structure into the parsed config', () => {
    const config = parse(`${MINIMAL}storage:\n  password: \${env:PW}\n`, {
      PW: 'secret\nadmin:\n  endpoint: 0.0.0.0:1',
    });
    expect(config.storage.password).toBe('secret\nadmin:\n  endpoint: 0.0.0.0:1');
    expect(config.admin.endpoint).toBe('0.0.0.0:8888');
  });
});

describe('the shipped config/faultline.yaml', () => {
  it('is valid and describes the documented defaults', () => {
    const config = loadConfigFile(SHIPPED_CONFIG, builtinFactories, {});
    expect(config.storage).toMatchObject({
      engine: 'embedded',
      path: './data',
      database: 'faultline',
      create_schema: true,
    });
    expect(config.admin.endpoint).toBe('0.0.0.0:8888');
    expect(config.admin.bearer_token).toBe('');
    expect(config.service.shutdown_timeout).toBe(30_000);
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'redact', 'assemble', 'classify', 'alert'],
      exporters: ['clickhouse', 'prometheus'],
    });
    expect(component(config, 'exporters', 'prometheus')).toEqual({
      max_label_values: 1000,
      max_series: 20_000,
      metric_overrides: {},
      exemplars: true,
    });
    const otlp = component(config, 'receivers', 'otlp');
    expect(otlp.protocols).toMatchObject({
      grpc: { endpoint: '0.0.0.0:4317', max_recv_msg_size: 16 * 1024 * 1024 },
      http: { endpoint: '0.0.0.0:4318', max_request_body_size: 16 * 1024 * 1024 },
    });
  });

  it('takes its storage settings from the environment', () => {
    const config = loadConfigFile(SHIPPED_CONFIG, builtinFactories, {
      FAULTLINE_STORAGE_ENGINE: 'server',
      CLICKHOUSE_URL: 'http://clickhouse.example:8123',
      CLICKHOUSE_PASSWORD: 'hunter2',
    });
    expect(config.storage).toMatchObject({
      engine: 'server',
      url: 'http://clickhouse.example:8123',
      password: 'hunter2',
    });
  });
});

describe('service.shutdown_timeout', () => {
  it('is a duration bounding the whole stop', () => {
    expect(parse(`${MINIMAL}  shutdown_timeout: 5s\n`).service.shutdown_timeout).toBe(5_000);
  });
});

describe('defaults', () => {
  it('fill in everything an almost empty config leaves out', () => {
    const config = parse(MINIMAL);
    expect(config.storage).toEqual({
      engine: 'embedded',
      path: './data',
      url: 'http://localhost:8123',
      username: 'default',
      password: '',
      database: 'faultline',
      create_schema: true,
      ttl: 0,
      retention: {
        otel_logs: 30 * DAY,
        agent_traces: 90 * DAY,
        failures: 365 * DAY,
        failure_status_changes: 365 * DAY,
        alerts: 365 * DAY,
        incidents: 365 * DAY,
        exports: 365 * DAY,
        otel_traces_1m: 365 * DAY,
        failure_signatures: 730 * DAY,
        failure_signatures_1h: 730 * DAY,
        failure_symptoms_1h: 730 * DAY,
      },
      archive: { path: '', ahead: 2 * DAY, interval: DAY },
      request_timeout: 30_000,
      dedup_tokens: true,
      compression: 'lz4',
      embedded_memory_percentage: 30,
      embedded_connections: 2,
    });
    expect(config.alerting).toEqual({
      queue: {
        directory: './data/queue/alerting',
        fsync: 'always',
        fsync_interval: 1000,
        max_bytes: 64 * 1024 * 1024,
        segment_size: 8 * 1024 * 1024,
        memory_size: 4 * 1024 * 1024,
      },
    });
    expect(config.admin).toEqual({
      endpoint: '0.0.0.0:8888',
      bearer_token: '',
      max_request_body_size: 1024 * 1024,
      rate_limit: { requests_per_second: 20, burst: 40 },
      read_header_timeout: 10_000,
      read_timeout: 60_000,
      idle_timeout: 60_000,
    });
    expect(config.service.pipelines.traces.processors).toEqual([]);
    expect(config.service.telemetry.logs.level).toBe('info');
    expect(config.service.shutdown_timeout).toBe(30_000);
    expect(component(config, 'receivers', 'otlp')).toMatchObject({
      protocols: {
        grpc: { endpoint: '0.0.0.0:4317' },
        http: { endpoint: '0.0.0.0:4318', cors: { allowed_origins: [] } },
      },
      limits: { max_attributes_per_span: 128, max_array_elements: 4096 },
      auth: { tokens: [] },
    });
    expect(component(config, 'exporters', 'clickhouse')).toEqual({
      batch: { max_rows: 10_000, timeout: 1000, max_bytes: 32 * 1024 ** 2 },
      max_pending_rows: 200_000,
      queue: {
        enabled: true,
        directory: './data/queue',
        fsync: 'interval',
        fsync_interval: 1_000,
        max_bytes: 1024 ** 3,
        max_age: 0,
        segment_size: 64 * 1024 ** 2,
        memory_size: 64 * 1024 ** 2,
      },
      dead_letter: {},
      shutdown_timeout: 10_000,
      retry: { initial_interval: 100, max_interval: 5_000, max_elapsed_time: 30_000 },
    });
  });

  it('are the same through validateConfig on an already parsed object', () => {
    const config = validateConfig(
      {
        receivers: { otlp: null },
        exporters: { clickhouse: {} },
        service: { pipelines: { traces: { receivers: ['otlp'], exporters: ['clickhouse'] } } },
      },
      'object',
      builtinFactories,
    );
    expect(config.components.receivers.map((c) => c.id)).toEqual(['otlp']);
    expect(config.components.exporters.map((c) => c.id)).toEqual(['clickhouse']);
    expect(config.storage.engine).toBe('embedded');
  });

  it('keep a protocol off when its section is left out', () => {
    const config = parse(MINIMAL.replace('  otlp:\n', '  otlp:\n    protocols:\n      http:\n'));
    const protocols = component(config, 'receivers', 'otlp').protocols as Record<string, unknown>;
    expect(protocols.grpc).toBeUndefined();
    expect(protocols.http).toMatchObject({ endpoint: '0.0.0.0:4318' });
  });
});

describe('validation errors name their paths', () => {
  function onlyProblem(text: string): ConfigProblem {
    const problems = problemsOf(() => parse(text));
    expect(problems).toHaveLength(1);
    return problems[0]!;
  }

  it('an unknown key, at the root and inside a component', () => {
    expect(onlyProblem(`${MINIMAL}bogus: 1\n`)).toEqual({
      path: '',
      message: 'unknown key "bogus"',
    });
    expect(
      onlyProblem(
        MINIMAL.replace('  otlp:\n', '  otlp:\n    protocols:\n      grpc:\n        colour: red\n'),
      ),
    ).toEqual({ path: 'receivers.otlp.protocols.grpc', message: 'unknown key "colour"' });
  });

  it('the alerting queue and the memory bounds', () => {
    expect(onlyProblem(`${MINIMAL}alerting:\n  queue:\n    fsync: sometimes\n`).path).toBe(
      'alerting.queue.fsync',
    );
    expect(onlyProblem(`${MINIMAL}alerting:\n  queue:\n    max_bytes: plenty\n`).path).toBe(
      'alerting.queue.max_bytes',
    );
    expect(onlyProblem(`${MINIMAL}storage:\n  embedded_memory_percentage: 0\n`).path).toBe(
      'storage.embedded_memory_percentage',
    );
    const limiter = (body: string) =>
      onlyProblem(
        `${MINIMAL}processors:\n  memory_limiter:\n${body}\n`.replace(
          'exporters: [clickhouse]',
          'processors: [memory_limiter]\n      exporters: [clickhouse]',
        ),
      ).path;
    expect(limiter('    max_inflight_bytes: 12 parsecs')).toBe(
      'processors.memory_limiter.max_inflight_bytes',
    );
    expect(limiter('    rss_limit_percentage: 120')).toBe(
      'processors.memory_limiter.rss_limit_percentage',
    );
  });

  it('a bad endpoint', () => {
    expect(onlyProblem(`${MINIMAL}admin:\n  endpoint: 0.0.0.0:99999\n`)).toEqual({
      path: 'admin.endpoint',
      message: 'expected host:port with a port up to 65535, e.g. 0.0.0.0:4317',
    });
    expect(
      onlyProblem(
        MINIMAL.replace(
          '  otlp:\n',
          '  otlp:\n    protocols:\n      http:\n        endpoint: localhost\n',
        ),
      ).path,
    ).toBe('receivers.otlp.protocols.http.endpoint');
  });

  it('a bad duration and a bad size', () => {
    expect(onlyProblem(`${MINIMAL}storage:\n  request_timeout: soon\n`)).toEqual({
      path: 'storage.request_timeout',
      message: 'invalid duration "soon": use a number with a unit, e.g. 200ms, 10s, 5m, 72h, 7d',
    });
    expect(
      onlyProblem(
        MINIMAL.replace(
          '  clickhouse:\n',
          '  clickhouse:\n    batch:\n      timeout: 10 parsecs\n',
        ),
      ).path,
    ).toBe('exporters.clickhouse.batch.timeout');
    expect(onlyProblem(`${MINIMAL}admin:\n  max_request_body_size: 12XB\n`)).toEqual({
      path: 'admin.max_request_body_size',
      message: 'invalid size "12XB": use a number with a unit, e.g. 512KiB, 16MiB, 1GiB',
    });
  });

  it('a long value in a duration, not repeated (it may be a secret in the wrong key)', () => {
    const secret = 'sk-live-0123456789abcdefghijklmnop';
    expect(onlyProblem(`${MINIMAL}storage:\n  request_timeout: ${secret}\n`)).toEqual({
      path: 'storage.request_timeout',
      message:
        'invalid duration (a 34-character value): use a number with a unit, e.g. 200ms, 10s, 5m, 72h, 7d',
    });
  });

  it('an unknown component type', () => {
    expect(onlyProblem(`${MINIMAL.replace('receivers:\n', 'receivers:\n  kafka: {}\n')}`)).toEqual({
      path: 'receivers.kafka',
      message: 'unknown receiver type "kafka" (known: otlp)',
    });
  });

  it('a pipeline naming a component that is not declared', () => {
    expect(
      onlyProblem(MINIMAL.replace('exporters: [clickhouse]', 'exporters: [clickhouse/archive]')),
    ).toEqual({
      path: 'service.pipelines.traces.exporters[0]',
      message: '"clickhouse/archive" is not configured under exporters',
    });
  });

  it('a component listed twice in a pipeline', () => {
    expect(onlyProblem(MINIMAL.replace('receivers: [otlp]', 'receivers: [otlp, otlp]'))).toEqual({
      path: 'service.pipelines.traces.receivers[1]',
      message: '"otlp" is listed twice',
    });
  });

  it('a pipeline without receivers', () => {
    expect(onlyProblem(MINIMAL.replace('receivers: [otlp]', 'receivers: []'))).toEqual({
      path: 'service.pipelines.traces.receivers',
      message: 'list at least one receiver',
    });
  });

  it('a YAML syntax error, by line', () => {
    const problems = problemsOf(() => parse('receivers: [otlp\nservice: {}\n'));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.path).toMatch(/^line \d+$/);
  });

  it('a duplicate key, by line', () => {
    expect(problemsOf(() => parse(`${MINIMAL}admin: {}\nadmin: {}\n`))).toEqual([
      {
        path: expect.stringMatching(/^line \d+$/) as unknown,
        message: expect.stringMatching(/unique/) as unknown,
      },
    ]);
  });
});

describe('all problems are reported at once', () => {
  const BROKEN = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: localhost
        colour: red
  kafka: {}
exporters:
  clickhouse:
    batch:
      timeout: 10 parsecs
storage:
  engine: cloud
  request_timeout: soon
admin:
  endpoint: 0.0.0.0:99999
bogus: 1
service:
  pipelines:
    traces:
      receivers: [otlp, otlp, zipkin]
      processors: [redact]
      exporters: [clickhouse]
`;

  it('in one ConfigError, each with its path', () => {
    const problems = problemsOf(() => parse(BROKEN));
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        '',
        'admin.endpoint',
        'exporters.clickhouse.batch.timeout',
        'receivers.kafka',
        'receivers.otlp.protocols.grpc',
        'receivers.otlp.protocols.grpc.endpoint',
        'service.pipelines.traces.processors[0]',
        'service.pipelines.traces.receivers[1]',
        'service.pipelines.traces.receivers[2]',
        'storage.engine',
        'storage.request_timeout',
      ].sort(),
    );
  });

  it('in a message with one "path: message" line per problem', () => {
    let message = '';
    try {
      parse(BROKEN);
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('invalid configuration in test.yaml:');
    expect(lines).toContain('  (root): unknown key "bogus"');
    expect(lines).toContain('  receivers.kafka: unknown receiver type "kafka" (known: otlp)');
    expect(lines).toContain(
      '  service.pipelines.traces.processors[0]: "redact" is not configured under processors',
    );
    expect(lines).toHaveLength(12);
  });

  it('including every missing environment variable', () => {
    const problems = problemsOf(() =>
      parse(`${MINIMAL}storage:\n  url: \${env:A}\n  password: \${env:B}\n`),
    );
    expect(problems.map((p) => p.path)).toEqual(['storage.url', 'storage.password']);
  });
});

describe('loadConfigFile', () => {
  it('names a missing file', () => {
    expect(problemsOf(() => loadConfigFile('does-not-exist.yaml', builtinFactories, {}))).toEqual([
      { path: '', message: 'cannot read the config file: file not found' },
    ]);
  });
});

describe('storage lifecycle keys', () => {
  it('refuses archival on the server engine and a cluster on the embedded one, naming the key', () => {
    const archive = storageSchema.safeParse({ engine: 'server', archive: { path: 'archive' } });
    expect(archive.success).toBe(false);
    expect(archive.error?.issues[0]?.path).toEqual(['archive', 'path']);
    const cluster = storageSchema.safeParse({ engine: 'embedded', cluster: 'fleet' });
    expect(cluster.error?.issues[0]?.path).toEqual(['cluster']);
    expect(storageSchema.safeParse({ retention: { spans: '1d' } }).success).toBe(false);
  });
});
