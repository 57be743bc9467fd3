/**
 * With fsync: always an append resolves only once its record is on the disk, also when its
 * group of appends crosses into a new segment. fdatasync is wrapped to see which file each
 * sync is for and when it finishes; syncs of the first segment are held back, so an append
 * that did not wait for them would resolve first.
 */
import type * as FileSystem from 'node:fs';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { segmentPath } from '../../src/exporters/helper/queue/segments.js';
import { WriteAheadLog } from '../../src/exporters/helper/queue/wal.js';

const seen = vi.hoisted(() => ({
  slowPath: '',
  syncs: [] as { path: string; done: boolean }[],
}));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof FileSystem>();
  const fdatasync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    const sync = { path: fs.readlinkSync(`/proc/self/fd/${fd}`), done: false };
    seen.syncs.push(sync);
    const delayMs = sync.path === seen.slowPath ? 300 : 0;
    setTimeout(() => {
      fs.fdatasync(fd, (error) => {
        sync.done = true;
        callback(error);
      });
    }, delayMs);
  };
  return { ...fs, fdatasync, default: { ...fs, fdatasync } };
});

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-wal-sync-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

it('acknowledges a group that crosses into a new segment once both segments are synced', async () => {
  const { wal } = await WriteAheadLog.open({
    directory,
    fsync: 'always',
    fsyncIntervalMs: 1000,
    segmentBytes: 1000,
    maxBytes: 1024 * 1024,
    memoryBytes: 1024 * 1024,
  });
  await wal.append(Buffer.alloc(100, 'a'), 1);
  const [first] = wal.peek(1);
  // As /proc/self/fd names it.
  seen.slowPath = realpathSync(segmentPath(directory, first!.segment));
  const from = seen.syncs.length;
  // Appended together, one group: the first still fits the segment, the second starts the next.
  await Promise.all([wal.append(Buffer.alloc(500, 'b'), 1), wal.append(Buffer.alloc(500, 'c'), 1)]);
  expect(readdirSync(directory).filter((name) => name.endsWith('.wal'))).toHaveLength(2);
  const firstSegmentSynced = seen.syncs
    .slice(from)
    .some((sync) => sync.path === seen.slowPath && sync.done);
  expect(firstSegmentSynced).toBe(true);
  await wal.close();
});
