/**
 * The embedded store's connections (chDB in this process). One chDB connection runs one
 * statement at a time, and a call waiting for it holds one of libuv's threads while it waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { storageSchema } from '../../src/storage/config.js';

const MiB = 1024 * 1024;
const MARKER = 'long-statement-marker';
/** How many statements run the long one, seen from another connection (not counting itself). */
const RUNNING_LONG = `SELECT count() FROM system.processes
WHERE query LIKE '%${MARKER}%' AND query_id != queryID()`;

describe('the embedded store’s connections', () => {
  let dir: string;
  let store: EmbeddedStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-chdb-connections-'));
    store = new EmbeddedStore(join(dir, 'store'), 'faultline', 512 * MiB, 2);
    await store.open();
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run a statement while a long one is still running on the other', async () => {
    let longDone = false;
    const long = store.command(`SELECT sleep(2), '${MARKER}'`).then(() => (longDone = true));
    let seen = 0;
    // On one connection the check would only run once the long statement was over: 0.
    while (seen === 0 && !longDone)
      seen = Number(await store.query(RUNNING_LONG, { format: 'TSV' }));
    await long;
    expect(seen).toBe(1);
  });

  it('keep the statements waiting for a connection off libuv’s threads', async () => {
    const settled: string[] = [];
    // Two run and four wait. Waiting inside chDB, the six would hold all four of libuv's
    // threads, and the file read below would only start once one of them ended.
    const statements = Array.from({ length: 6 }, (_, i) =>
      store.command('SELECT sleep(0.5)').then(() => settled.push(`statement ${i}`)),
    );
    await readFile(import.meta.filename).then(() => settled.push('file read'));
    await Promise.all(statements);
    expect(settled[0]).toBe('file read');
    expect(settled).toHaveLength(7);
  });

  it('keep one for the pipeline’s statements however many queries run', async () => {
    const settled: string[] = [];
    const queries = [1, 2].map((i) =>
      store.query('SELECT sleep(1)', { format: 'TSV' }).then(() => settled.push(`query ${i}`)),
    );
    // Both queries could take both connections; the second waits for the first instead.
    await store.command('SELECT 1').then(() => settled.push('statement'));
    await Promise.all(queries);
    expect(settled).toEqual(['statement', 'query 1', 'query 2']);
  });

  it('fail the statements still waiting when the store closes', async () => {
    const other = new EmbeddedStore(join(dir, 'store'), 'faultline', 512 * MiB, 1);
    await other.open();
    const running = other.command('SELECT sleep(0.5)');
    const waiting = other.command('SELECT 1');
    await new Promise(setImmediate); // the first statement has reached the engine
    await other.close();
    await expect(waiting).rejects.toThrow(/not open/);
    await running;
  });

  it('are two by default, and one to sixteen', () => {
    expect(storageSchema.parse({}).embedded_connections).toBe(2);
    for (const count of [0, 17, 1.5]) {
      const parsed = storageSchema.safeParse({ embedded_connections: count });
      expect(parsed.error?.issues[0]?.path).toEqual(['embedded_connections']);
    }
  });
});
