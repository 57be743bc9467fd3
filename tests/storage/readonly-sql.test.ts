import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { clickHouseCode } from '../../src/storage/errors.js';
import {
  checkReadonlySql,
  withReadonlySetting,
  ReadonlyViolation,
  type ReadonlyCheck,
} from '../../src/storage/readonly-sql.js';

/** ClickHouse's READONLY error code: the engine's `readonly` setting refused the query. */
const READONLY_CODE = 164;

function refusal(sql: string): string {
  const checked: ReadonlyCheck = checkReadonlySql(sql);
  if (checked.ok) throw new Error(`expected ${JSON.stringify(sql)} to be refused`);
  return checked.message;
}

function accepted(sql: string): { sql: string } {
  const checked = checkReadonlySql(sql);
  if (!checked.ok) throw new Error(`expected ${JSON.stringify(sql)} to pass: ${checked.message}`);
  return checked;
}

describe('checkReadonlySql: statements that read', () => {
  it.each([
    'SELECT 1',
    'select count() from faultline.otel_traces',
    'WITH 1 AS x SELECT x',
    'SHOW TABLES FROM faultline',
    'DESCRIBE TABLE faultline.otel_traces',
    'DESC faultline.otel_traces',
    'EXPLAIN SELECT 1',
    '  \n\tSELECT 1',
  ])('allows %j', (sql) => {
    expect(accepted(sql).sql).toBe(sql.trim());
  });

  it.each([
    ['-- a line comment\nSELECT 1', '-- a line comment\nSELECT 1'],
    ['/* a block comment */ SELECT 1', '/* a block comment */ SELECT 1'],
    ['# a hash comment\nSELECT 1', '# a hash comment\nSELECT 1'],
  ])('allows leading comments: %j', (sql, expected) => {
    expect(accepted(sql).sql).toBe(expected);
  });

  it.each([
    ['SELECT 1;', 'SELECT 1'],
    ['SELECT 1 ;  \n', 'SELECT 1 '],
    ['SELECT 1;;', 'SELECT 1'],
  ])('drops a trailing semicolon: %j', (sql, expected) => {
    expect(accepted(sql).sql).toBe(expected);
  });
});

describe('checkReadonlySql: statements that write or change settings', () => {
  it.each([
    ["INSERT INTO faultline.failures VALUES ('x')", 'INSERT'],
    ['DROP TABLE faultline.otel_traces', 'DROP'],
    ['ALTER TABLE faultline.otel_traces DELETE WHERE 1', 'ALTER'],
    ['CREATE TABLE t (a UInt8) ENGINE = Memory', 'CREATE'],
    ['SET readonly = 0', 'SET'],
    ['SYSTEM SHUTDOWN', 'SYSTEM'],
    ['TRUNCATE TABLE faultline.otel_traces', 'TRUNCATE'],
    ['OPTIMIZE TABLE faultline.otel_traces FINAL', 'OPTIMIZE'],
    ['KILL QUERY ALL', 'KILL'],
    ['/* looks harmless */ DELETE FROM faultline.failures WHERE 1', 'DELETE'],
  ])('refuses %j, naming the statement', (sql, word) => {
    expect(refusal(sql)).toBe(
      `only read-only queries are allowed (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN), not ${word}`,
    );
  });

  it('refuses a statement that starts with punctuation', () => {
    expect(refusal('(SELECT 1)')).toMatch(/only read-only queries are allowed.*not \(/);
  });

  it.each([
    'SELECT 1; DROP TABLE faultline.otel_traces',
    'SELECT 1; SELECT 2',
    'SELECT 1;; SELECT 2',
  ])('refuses more than one statement: %j', (sql) => {
    expect(refusal(sql)).toBe('only one statement is allowed per query');
  });

  it.each([
    'SELECT 1 SETTINGS readonly = 0',
    'SELECT * FROM (SELECT 1 SETTINGS readonly = 0)',
    'SELECT 1 SETTINGS max_threads = 1',
    'WITH x AS (SELECT 1 SETTINGS max_threads = 1, readonly = 2) SELECT * FROM x',
  ])('refuses SETTINGS clauses at any depth, since they could lower readonly: %j', (sql) => {
    expect(refusal(sql)).toBe('SETTINGS clauses are not allowed in read-only queries');
  });

  it.each(['SELECT 1 AS ReadOnly', 'SELECT 1 AS `readonly`', 'SELECT 1 AS "readonly"'])(
    'refuses any other mention of readonly, quoted or not: %j',
    (sql) => {
      expect(refusal(sql)).toBe('the readonly setting cannot be changed');
    },
  );

  it.each(["SELECT 1 INTO OUTFILE 'out.tsv'", "SELECT 1 into outfile 'out.tsv' FORMAT CSV"])(
    'refuses writing to a file: %j',
    (sql) => {
      expect(refusal(sql)).toBe('INTO OUTFILE is not allowed');
    },
  );

  it.each(['SELECT 1 FORMAT JSON', 'SELECT 1 format CSV', 'SELECT 1 AS n FORMAT TSV'])(
    'refuses a FORMAT clause (the caller chooses the format): %j',
    (sql) => {
      expect(refusal(sql)).toMatch(/^remove the FORMAT clause/);
    },
  );

  it('refuses an empty query', () => {
    expect(refusal('')).toBe('the query is empty');
    expect(refusal('  ;  ')).toBe('the query is empty');
    expect(refusal('-- only a comment')).toBe('the query is empty');
  });
});

describe('checkReadonlySql: strings, quoted names and comments', () => {
  it.each([
    "SELECT 'DROP TABLE faultline.otel_traces' AS s",
    "SELECT 'a;b' AS s",
    "SELECT 'SETTINGS readonly = 0' AS s",
    "SELECT 'INTO OUTFILE' AS s, 'FORMAT JSON' AS f",
    "SELECT 'it''s; fine' AS s",
    "SELECT 'escaped \\' quote; DROP' AS s",
    'SELECT 1 AS "semi;colon"',
    'SELECT 1 -- ; DROP TABLE t',
    'SELECT 1 /* ; readonly; FORMAT JSON */',
  ])('allows keywords and semicolons inside strings and comments: %j', (sql) => {
    expect(accepted(sql).sql).toBe(sql);
  });

  it.each([
    ["SELECT 'abc", "unterminated ' quote"],
    ['SELECT "abc', 'unterminated " quote'],
    ['SELECT `abc', 'unterminated ` quote'],
    ["SELECT 'ends with an escaped quote\\'", "unterminated ' quote"],
    ['SELECT 1 /* never closed', 'unterminated /* comment'],
  ])('refuses %j as unparseable', (sql, reason) => {
    expect(refusal(sql)).toBe(`cannot parse the query: ${reason}`);
  });

  it('does not mistake the format() function for a FORMAT clause', () => {
    expect(accepted("SELECT format('{}-{}', 'a', 'b') AS s").sql).toBe(
      "SELECT format('{}-{}', 'a', 'b') AS s",
    );
  });

  it('does not let a $$heredoc$$ string hide a second statement', () => {
    // ClickHouse reads $$…$$ as a string literal, so the quote inside it opens nothing.
    expect(
      checkReadonlySql("SELECT $$'$$; DROP TABLE faultline.otel_traces; SELECT 1 -- '").ok,
    ).toBe(false);
  });
});

describe('withReadonlySetting', () => {
  it('adds the readonly setting on a line of its own', () => {
    expect(withReadonlySetting(accepted('SELECT 1').sql)).toBe('SELECT 1\nSETTINGS readonly = 1');
  });

  it('is not swallowed by a trailing line comment', () => {
    expect(withReadonlySetting(accepted('SELECT 1 -- note').sql)).toBe(
      'SELECT 1 -- note\nSETTINGS readonly = 1',
    );
  });
});

describe('the embedded engine enforces readonly as well as the parser', () => {
  let dir: string;
  let store: EmbeddedStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-readonly-'));
    store = new EmbeddedStore(join(dir, 'store'), 'ro_test', 512 * 1024 * 1024);
    await store.open();
    await store.command('CREATE DATABASE IF NOT EXISTS ro_test');
    await store.command(
      'CREATE TABLE ro_test.t (a UInt32, s String) ENGINE = MergeTree ORDER BY a',
    );
    await store.insert('t', Buffer.from('{"a":1,"s":"one"}\n{"a":2,"s":"two"}\n'));
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a normal SELECT', async () => {
    const text = await store.query('SELECT a, s FROM ro_test.t ORDER BY a', {
      format: 'JSONEachRow',
      readonly: true,
    });
    expect(text).toBe('{"a":1,"s":"one"}\n{"a":2,"s":"two"}\n');
  });

  it('refuses a SELECT with its own SETTINGS clause in the parser', async () => {
    await expect(
      store.query('SELECT count() FROM ro_test.t SETTINGS max_threads = 1', {
        format: 'TSV',
        readonly: true,
      }),
    ).rejects.toBeInstanceOf(ReadonlyViolation);
  });

  it('refuses a write in the parser', async () => {
    await expect(
      store.query("INSERT INTO ro_test.t VALUES (3, 'three')", { format: 'TSV', readonly: true }),
    ).rejects.toBeInstanceOf(ReadonlyViolation);
    expect(await store.query('SELECT count() FROM ro_test.t', { format: 'TSV' })).toBe('2\n');
  });

  it("refuses a file read that passes the parser, by ClickHouse's readonly setting", async () => {
    const sql = "SELECT * FROM file('/etc/hostname', 'LineAsString')";
    expect(checkReadonlySql(sql).ok).toBe(true);
    const error: unknown = await store.query(sql, { format: 'TSV', readonly: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ReadonlyViolation);
    expect(clickHouseCode(error)).toBe(READONLY_CODE);
  });

  it('keeps readonly on when the query ends in a line comment', async () => {
    const sql = "SELECT * FROM file('/etc/hostname', 'LineAsString') -- note";
    const outcome = await store.query(sql, { format: 'TSV', readonly: true }).then(
      (output) => ({ output }),
      (error: unknown) => ({ refusedWithCode: clickHouseCode(error) }),
    );
    expect(outcome).toEqual({ refusedWithCode: READONLY_CODE });
  });

  it('does not let a $$heredoc$$ smuggle a write past the guard', async () => {
    const sql = "SELECT $$'$$; INSERT INTO ro_test.t VALUES (9, 'nine'); SELECT 1 -- '";
    await store.query(sql, { format: 'TSV', readonly: true }).catch(() => undefined);
    expect(await store.query('SELECT count() FROM ro_test.t', { format: 'TSV' })).toBe('2\n');
  });
});
