/**
 * The embedded engine's library (~150 MiB resident once loaded) is mapped into the process only
 * when an embedded store opens: a daemon on the server engine never carries it. Each test file
 * runs in its own process (see vitest.config.ts), so nothing else has loaded it before.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storageSchema } from '../../src/storage/config.js';
import { createStore } from '../../src/storage/open.js';

function engineLibraryMapped(): boolean {
  return readFileSync('/proc/self/maps', 'utf8').includes('libchdb');
}

describe('loading the embedded engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-engine-loading-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps the engine only when an embedded store opens', async () => {
    // The whole daemon, as `faultline serve` imports it.
    await import('../../src/service/daemon.js');
    const server = createStore(
      storageSchema.parse({ engine: 'server', url: 'http://127.0.0.1:1' }),
    );
    expect(server.engine).toBe('server');
    expect(engineLibraryMapped()).toBe(false);

    const embedded = createStore(
      storageSchema.parse({ engine: 'embedded', path: join(dir, 'store') }),
    );
    expect(engineLibraryMapped()).toBe(false);
    await embedded.open();
    try {
      expect(engineLibraryMapped()).toBe(true);
    } finally {
      await embedded.close();
    }
  });
});
