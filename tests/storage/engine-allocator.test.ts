/**
 * The embedded engine's allocator is asked for transparent huge pages (see `embedded.ts`). Each
 * test file runs in its own process (see vitest.config.ts), so the engine loads here first, and
 * nothing else in this process asks for huge pages: Node's heap and allocator do not.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storageSchema } from '../../src/storage/config.js';
import { createStore } from '../../src/storage/open.js';

/** Anonymous memory of this process backed by transparent huge pages, in KiB. */
function anonHugePagesKiB(): number {
  const line = readFileSync('/proc/self/smaps_rollup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('AnonHugePages:'));
  return Number(line?.split(/\s+/)[1] ?? 0);
}

/** The kernel's THP mode (`always`, `madvise` or `never`); undefined without THP. */
const THP_MODE = (() => {
  try {
    const enabled = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    return /\[(\w+)\]/.exec(enabled)?.[1];
  } catch {
    return undefined;
  }
})();

describe("the embedded engine's allocator", () => {
  // With THP `never`, or none at all, the kernel hands out no huge pages to anyone.
  it.skipIf(THP_MODE === undefined || THP_MODE === 'never')(
    'backs the engine memory with transparent huge pages',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'faultline-engine-thp-'));
      const store = createStore(storageSchema.parse({ engine: 'embedded', path: join(dir, 's') }));
      try {
        const before = anonHugePagesKiB();
        await store.open();
        // A query whose working set spans many 2 MiB pages (16 MB of numbers).
        await store.query('SELECT length(groupArray(number)) FROM numbers(2000000)', {
          format: 'TSV',
        });
        expect(anonHugePagesKiB()).toBeGreaterThan(before);
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
