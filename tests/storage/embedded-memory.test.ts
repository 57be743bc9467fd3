/** The embedded engine runs with its memory bounded by settings (chDB in this process). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/storage/embedded.js';
import { storageSchema } from '../../src/storage/config.js';

const MiB = 1024 * 1024;

describe('the embedded engine memory bound', () => {
  let dir: string;
  let store: EmbeddedStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-chdb-memory-'));
    store = new EmbeddedStore(join(dir, 'store'), 'faultline', 64 * MiB);
    await store.open();
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts chDB with max_server_memory_usage and half of it per query', async () => {
    const server = await store.query(
      "SELECT value FROM system.server_settings WHERE name = 'max_server_memory_usage'",
      { format: 'TSV' },
    );
    expect(Number(server)).toBe(64 * MiB);
    // Each of the store's two connections has the bound: asked alone, and asked while a
    // statement holds the other connection.
    const ask = () => store.query("SELECT getSetting('max_memory_usage')", { format: 'TSV' });
    const alone = await ask();
    const [, beside] = await Promise.all([store.command('SELECT sleep(0.3)'), ask()]);
    expect([alone, beside].map(Number)).toEqual([32 * MiB, 32 * MiB]);
  });

  it('fails a query over the bound with an error, and keeps answering', async () => {
    // 10 million UInt64 in one array: about 80 MiB, over the 32 MiB a query may use.
    await expect(
      store.query('SELECT length(groupArray(number)) FROM numbers(10000000)', { format: 'TSV' }),
    ).rejects.toThrow(/memory limit/i);
    expect(await store.query('SELECT 1', { format: 'TSV' })).toBe('1\n');
  });

  it('defaults to 30% of the memory available and refuses a share outside 1–90', () => {
    expect(storageSchema.parse({}).embedded_memory_percentage).toBe(30);
    const parsed = storageSchema.safeParse({ embedded_memory_percentage: 95 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['embedded_memory_percentage']);
  });
});
