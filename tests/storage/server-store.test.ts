/**
 * ServerStore against a real ClickHouse server process (the Debian package, 18.16).
 * That version predates Map, DateTime64 and insert deduplication tokens, so these tests use a
 * simple table of their own; the Faultline schema itself is exercised on the embedded engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Batcher } from '../../src/exporters/helper/batcher.js';
import { JsonLinesEncoder } from '../../src/exporters/helper/encoder.js';
import { ExporterMetrics } from '../../src/exporters/helper/metrics.js';
import { DeadLetterFile } from '../../src/exporters/helper/queue/dead-letter.js';
import { DurableQueue } from '../../src/exporters/helper/queue/durable-queue.js';
import { NativeBlockEncoder, columnsOf } from '../../src/exporters/clickhouse/native/block.js';
import { String_, UInt32 } from '../../src/exporters/clickhouse/native/types.js';
import { QueueMetrics } from '../../src/exporters/helper/queue/metrics.js';
import { PermanentError, RetryableError } from '../../src/pipeline/errors.js';
import {
  STORAGE_REJECTED,
  STORAGE_UNAVAILABLE,
  classifyStorageError,
  clickHouseCode,
} from '../../src/storage/errors.js';
import { checkReadonlySql, ReadonlyViolation } from '../../src/storage/readonly-sql.js';
import { ServerStore } from '../../src/storage/server.js';
import { sampleSum } from '../helpers/otlp-client.js';
import {
  clickHouseServerAvailable,
  startClickHouseServer,
  type ClickHouseServerHandle,
} from '../helpers/clickhouse-server.js';

const DATABASE = 'faultline_it';
/** ClickHouse's READONLY error code: the server's `readonly` setting refused the query. */
const READONLY_CODE = 164;
/** WRONG_PASSWORD (old servers) and AUTHENTICATION_FAILED (newer ones). */
const AUTH_CODES = [193, 516];

const runHere = clickHouseServerAvailable() || Boolean(process.env.CI);
if (!runHere) {
  console.warn(
    'ServerStore tests skipped: clickhouse-server is not installed (apt-get install clickhouse-server). In CI they always run.',
  );
}

interface Row {
  a: number;
  s: string;
}

function storeFor(server: ClickHouseServerHandle, password = server.password): ServerStore {
  return new ServerStore({
    url: server.url,
    username: server.username,
    password,
    database: DATABASE,
    requestTimeoutMs: 10_000,
    dedupTokens: false,
  });
}

function jsonEachRow(rows: Row[]): Buffer {
  return Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}

function parseRows(text: string): Row[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
}

/** The error a call fails with; fails the test when the call succeeds. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Bounded polling for a condition another part of the test brings about. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe.skipIf(!runHere)('ServerStore on a real ClickHouse server', () => {
  let server: ClickHouseServerHandle;
  let store: ServerStore;

  beforeAll(async () => {
    server = await startClickHouseServer();
    store = storeFor(server);
    await store.open();
    await store.command(`CREATE DATABASE ${DATABASE}`);
  });

  afterAll(async () => {
    await store?.close();
    await server?.cleanup();
  });

  describe('connecting, writing and reading', () => {
    beforeAll(async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.rw (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
    });

    it('answers ping and a query once opened', async () => {
      expect(store.engine).toBe('server');
      expect(store.database).toBe(DATABASE);
      expect(await store.ping()).toBe(true);
      expect(await store.query('SELECT 1 + 1', { format: 'TSV' })).toBe('2\n');
    });

    it('inserts JSONEachRow bytes into the table of its database', async () => {
      await store.insert(
        'rw',
        jsonEachRow([
          { a: 2, s: 'two' },
          { a: 1, s: 'one\ttab' },
        ]),
      );
      const text = await store.query(`SELECT a, s FROM ${DATABASE}.rw ORDER BY a`, {
        format: 'JSONEachRow',
      });
      expect(parseRows(text)).toEqual([
        { a: 1, s: 'one\ttab' },
        { a: 2, s: 'two' },
      ]);
    });

    it('inserts a Native block (FORMAT Native), the encoding spans travel in', async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.native (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
      const column = columnsOf<{ a: number; s: string }>();
      const encoder = new NativeBlockEncoder(
        [column('a', UInt32, (row) => row.a), column('s', String_, (row) => row.s)],
        (row: { a: number; s: string }) => row,
      );
      const block = encoder.encode([
        { a: 2, s: 'zwei, ä€' },
        { a: 1, s: 'x'.repeat(300) },
      ]);
      await store.insert('native', block, {
        format: { name: 'Native', columns: encoder.columnNames },
      });
      const text = await store.query(`SELECT a, s FROM ${DATABASE}.native ORDER BY a`, {
        format: 'JSONEachRow',
      });
      expect(parseRows(text)).toEqual([
        { a: 1, s: 'x'.repeat(300) },
        { a: 2, s: 'zwei, ä€' },
      ]);
    });

    it('returns the output in the requested format', async () => {
      const tsv = await store.query(`SELECT a, s FROM ${DATABASE}.rw ORDER BY a`, {
        format: 'TSV',
      });
      expect(tsv).toBe('1\tone\\ttab\n2\ttwo\n');
      const csv = await store.query(`SELECT a, s FROM ${DATABASE}.rw ORDER BY a`, {
        format: 'CSV',
      });
      expect(csv).toBe('1,"one\ttab"\n2,"two"\n');
    });

    it('runs DDL with command', async () => {
      await store.command(`CREATE TABLE ${DATABASE}.ddl (x UInt8) ENGINE = Memory`);
      const tables = await store.query(`SHOW TABLES FROM ${DATABASE}`, { format: 'TSV' });
      expect(tables.split('\n')).toContain('ddl');
      await store.command(`DROP TABLE ${DATABASE}.ddl`);
      const after = await store.query(`SHOW TABLES FROM ${DATABASE}`, { format: 'TSV' });
      expect(after.split('\n')).not.toContain('ddl');
    });
  });

  describe('read-only queries', () => {
    beforeAll(async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.ro (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
      await store.insert('ro', jsonEachRow([{ a: 7, s: 'seven' }]));
    });

    it('runs a SELECT', async () => {
      const text = await store.query(`SELECT a, s FROM ${DATABASE}.ro`, {
        format: 'JSONEachRow',
        readonly: true,
      });
      expect(parseRows(text)).toEqual([{ a: 7, s: 'seven' }]);
    });

    it('refuses a write in the parser before it reaches the server', async () => {
      const error = await failureOf(
        store.query(`INSERT INTO ${DATABASE}.ro VALUES (8, 'eight')`, {
          format: 'TSV',
          readonly: true,
        }),
      );
      expect(error).toBeInstanceOf(ReadonlyViolation);
      expect(error.message).toMatch(/only read-only queries are allowed.*not INSERT/);
      expect(await store.query(`SELECT count() FROM ${DATABASE}.ro`, { format: 'TSV' })).toBe(
        '1\n',
      );
    });

    it('has the server refuse what the parser lets through, by its readonly setting', async () => {
      const sql = `SELECT * FROM file('outside.tsv', 'TSV', 'a String')`;
      expect(checkReadonlySql(sql).ok).toBe(true);
      const error = await failureOf(store.query(sql, { format: 'TSV', readonly: true }));
      expect(error).not.toBeInstanceOf(ReadonlyViolation);
      expect(clickHouseCode(error)).toBe(READONLY_CODE);
      expect(error.message).toMatch(/readonly mode/i);
    });

    it('does not apply the readonly setting to queries that did not ask for it', async () => {
      const sql = `SELECT * FROM file('outside.tsv', 'TSV', 'a String')`;
      const error = await failureOf(store.query(sql, { format: 'TSV' }));
      // The file does not exist; what matters is that readonly mode was not what refused it.
      expect(clickHouseCode(error)).not.toBe(READONLY_CODE);
    });
  });

  describe('a wrong password', () => {
    it('fails with an error that names the password problem, classified as retryable', async () => {
      const wrongPassword = 'not-the-password-123';
      const wrong = storeFor(server, wrongPassword);
      await wrong.open();
      try {
        const error = await failureOf(wrong.query('SELECT 1', { format: 'TSV' }));
        expect(error.message).toMatch(/password/i);
        expect(error.message).not.toContain(wrongPassword);
        expect(AUTH_CODES).toContain(clickHouseCode(error));
        // An operator fixes the credentials; the data is fine, so a batch may be retried.
        expect(error).toBeInstanceOf(RetryableError);
        expect((error as RetryableError).code).toBe(STORAGE_UNAVAILABLE);
        // Classifying an already classified error keeps it as it is.
        expect(classifyStorageError(error, 'again')).toBe(error);
      } finally {
        await wrong.close();
      }
    });
  });

  describe('bad data', () => {
    beforeAll(async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.bad (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
    });

    it('is a permanent error naming the table, and nothing is stored', async () => {
      const error = await failureOf(
        store.insert('bad', Buffer.from('{"a":"not a number","s":"x"}\n')),
      );
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).code).toBe(STORAGE_REJECTED);
      expect(error.message).toContain(`inserting into ${DATABASE}.bad`);
      expect(error.message).toMatch(/Cannot parse/);
      expect(await store.query(`SELECT count() FROM ${DATABASE}.bad`, { format: 'TSV' })).toBe(
        '0\n',
      );
    });

    it('is not retried by the batcher: the caller gets the permanent error after one attempt', async () => {
      let attempts = 0;
      const batcher = new Batcher<string>({
        labels: { exporter: 'bad-data', table: 't' },
        maxItems: 1,
        timeoutMs: 10,
        maxPending: 10,
        retry: { initial_interval: 20, max_interval: 100, max_elapsed_time: 30_000 },
        send: async (items) => {
          attempts++;
          await store.insert('bad', Buffer.from(items.join('')));
        },
        metrics: ExporterMetrics.for(new Registry()),
        logger: pino({ level: 'silent' }),
      });
      const error = await failureOf(batcher.add(['{"a":"nope","s":"x"}\n']));
      expect(error).toBeInstanceOf(PermanentError);
      expect(attempts).toBe(1);
      await batcher.shutdown(AbortSignal.timeout(1_000));
    });
  });

  describe('the server stopped', () => {
    afterEach(async () => {
      // Leave the server running for whatever comes next.
      await server.start().catch((error: unknown) => {
        if (!(error instanceof Error && /already running/.test(error.message))) throw error;
      });
    });

    it('makes every call fail with a retryable "ClickHouse is not reachable" error', async () => {
      await server.stop();
      const query = await failureOf(store.query('SELECT 1', { format: 'TSV' }));
      const insert = await failureOf(store.insert('rw', jsonEachRow([{ a: 1, s: 'x' }])));
      const command = await failureOf(store.command('SELECT 1'));
      for (const error of [query, insert, command]) {
        expect(error).toBeInstanceOf(RetryableError);
        expect((error as RetryableError).code).toBe(STORAGE_UNAVAILABLE);
        expect(error.message).toMatch(/ClickHouse is not reachable \(ECONNREFUSED\)/);
      }
      expect(query.message).toMatch(/^query failed: /);
      expect(insert.message).toMatch(new RegExp(`^inserting into ${DATABASE}\\.rw: `));
      expect(await store.ping()).toBe(false);
    });
  });

  describe('delivery after the server comes back', () => {
    beforeAll(async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.outage (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
    });

    it('resolves a batcher add() once the server is back, storing the rows exactly once', async () => {
      const rows: Row[] = [
        { a: 1, s: 'first' },
        { a: 2, s: 'second' },
        { a: 3, s: 'third' },
      ];
      const failures: unknown[] = [];
      let successes = 0;
      const batcher = new Batcher<Row>({
        labels: { exporter: 'outage', table: 't' },
        maxItems: rows.length,
        timeoutMs: 10,
        maxPending: 100,
        retry: { initial_interval: 20, max_interval: 200, max_elapsed_time: 120_000 },
        send: async (items, dedupToken) => {
          try {
            await store.insert('outage', jsonEachRow(items), { dedupToken });
            successes++;
          } catch (error) {
            failures.push(error);
            throw error;
          }
        },
        metrics: ExporterMetrics.for(new Registry()),
        logger: pino({ level: 'silent' }),
      });

      await server.stop();
      const outcome = batcher.add(rows).then(
        () => 'delivered',
        (error: unknown) => error,
      );
      await until(
        () => failures.length >= 2,
        'the batch has failed twice against the stopped server',
      );
      await server.start();

      expect(await outcome).toBe('delivered');
      expect(successes).toBe(1);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(RetryableError);
        expect((failure as Error).message).toMatch(/ClickHouse is not reachable/);
      }

      const check = storeFor(server);
      await check.open();
      try {
        const stored = await check.query(`SELECT a, s FROM ${DATABASE}.outage ORDER BY a`, {
          format: 'JSONEachRow',
        });
        expect(parseRows(stored)).toEqual(rows);
      } finally {
        await check.close();
      }
      await batcher.shutdown(AbortSignal.timeout(1_000));
    });

    it('streams through a durable queue while the server stops and starts: the queue grows, drains, and stores every row once', async () => {
      await store.command(
        `CREATE TABLE ${DATABASE}.streamed (a UInt32, s String) ENGINE = MergeTree ORDER BY a`,
      );
      const directory = mkdtempSync(join(tmpdir(), 'faultline-outage-queue-'));
      const registry = new Registry();
      const queue = new DurableQueue<Row>({
        labels: { exporter: 'outage', table: 'streamed' },
        maxRows: 200,
        timeoutMs: 20,
        maxAgeMs: 0,
        retry: { initial_interval: 20, max_interval: 200, max_elapsed_time: 1000 },
        wal: {
          directory,
          fsync: 'interval',
          fsyncIntervalMs: 100,
          segmentBytes: 64 * 1024,
          maxBytes: 64 * 1024 * 1024,
          memoryBytes: 16 * 1024,
        },
        maxBytes: 64 * 1024 * 1024,
        encoder: new JsonLinesEncoder<Row>({
          row: (row) => JSON.stringify(row),
          key: (row) => ({ a: String(row.a) }),
          maxChunkBytes: 64 * 1024,
          sliceMs: 10,
        }),
        send: (rows, dedupToken) => store.insert('streamed', rows, { dedupToken }),
        deadLetter: new DeadLetterFile(join(directory, 'dead-letter.jsonl'), 'outage'),
        metrics: ExporterMetrics.for(registry),
        queueMetrics: QueueMetrics.for(registry),
        logger: pino({ level: 'silent' }),
      });
      await queue.start();
      const queuedRows = async () => sampleSum(await registry.metrics(), 'faultline_queue_rows');
      let acknowledged = 0;
      let peak = 0;
      const stream = async (requests: number) => {
        for (let i = 0; i < requests; i++) {
          const rows = Array.from({ length: 20 }, (_, k) => ({ a: acknowledged + k, s: 'x' }));
          await queue.add(rows);
          acknowledged += rows.length;
          peak = Math.max(peak, await queuedRows());
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      try {
        await stream(30);
        await server.stop();
        await stream(60);
        expect(peak).toBeGreaterThanOrEqual(60 * 20);
        await server.start();
        await stream(30);
        await queue.flush();
        expect(await queuedRows()).toBe(0);
        const [row] = parseCounts(
          await store.query(
            `SELECT count() AS rows, uniqExact(a) AS distinct FROM ${DATABASE}.streamed`,
            { format: 'JSONEachRow' },
          ),
        );
        expect(row).toEqual({ rows: String(acknowledged), distinct: String(acknowledged) });
      } finally {
        await queue.shutdown(AbortSignal.timeout(1_000));
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
});

function parseCounts(text: string): { rows: string; distinct: string }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as { rows: string | number; distinct: string | number };
      return { rows: String(parsed.rows), distinct: String(parsed.distinct) };
    });
}
