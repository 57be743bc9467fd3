import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeHeader } from '../../src/exporters/helper/queue/record.js';
import { segmentPath } from '../../src/exporters/helper/queue/segments.js';
import { WriteAheadLog, type WalOptions } from '../../src/exporters/helper/queue/wal.js';
import { QUEUE_FULL, RetryableError, SHUTTING_DOWN } from '../../src/pipeline/errors.js';
import { holdThreadPool, unlessStuck } from '../helpers/thread-pool.js';

let directory: string;
const options = (overrides: Partial<WalOptions> = {}): WalOptions => ({
  directory,
  fsync: 'never',
  fsyncIntervalMs: 1000,
  segmentBytes: 1024 * 1024,
  maxBytes: 1024 * 1024,
  memoryBytes: 1024 * 1024,
  ...overrides,
});
const row = (n: number) => Buffer.from(JSON.stringify({ n }));
const texts = ({ payloads }: { payloads: Buffer[] }) => payloads.map((b) => b.toString());

async function appendRows(wal: WriteAheadLog, from: number, count: number): Promise<void> {
  for (let n = from; n < from + count; n++) await wal.append(row(n), 1);
}

async function reopen(wal: WriteAheadLog, overrides: Partial<WalOptions> = {}) {
  await wal.close();
  return WriteAheadLog.open(options(overrides));
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-wal-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('WriteAheadLog', () => {
  it('finds everything appended and not delivered after it is opened again', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await appendRows(wal, 0, 5);
    await wal.commit(wal.peek(2));
    const { wal: again, replay } = await reopen(wal);
    expect(replay).toMatchObject({ records: 3, rows: 3, corruptRecords: 0 });
    expect(texts(await again.payloads(again.peek(10)))).toEqual(['{"n":2}', '{"n":3}', '{"n":4}']);
    await again.close();
  });

  it('makes batches of up to maxRows rows from the head of the log', async () => {
    const { wal } = await WriteAheadLog.open(options());
    for (const rows of [3, 3, 3]) await wal.append(row(rows), rows);
    expect(wal.peek(6).map((r) => r.rows)).toEqual([3, 3]);
    expect(wal.peek(1).map((r) => r.rows)).toEqual([3]);
    expect(wal.rows).toBe(9);
    await wal.close();
  });

  it('names the batch after the one being sent only once no append can lengthen it', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await appendRows(wal, 0, 3);
    const head = wal.peek(2);
    expect(wal.peekAfter(head, 2)).toEqual([]);
    await appendRows(wal, 3, 1);
    const next = wal.peekAfter(head, 2);
    expect(texts(await wal.payloads(next))).toEqual(['{"n":2}', '{"n":3}']);
    await wal.commit(head);
    expect(wal.peek(2)).toEqual(next);
    expect(wal.peekAfter(head, 2)).toEqual([]);
    await wal.close();
  });

  it('ends a batch named ahead at its segment', async () => {
    const { wal } = await WriteAheadLog.open(options({ segmentBytes: 100 }));
    await appendRows(wal, 0, 6);
    const head = wal.peek(1);
    const next = wal.peekAfter(head, 100);
    expect(next.length).toBeGreaterThan(0);
    expect(new Set(next.map((record) => record.segment))).toEqual(new Set([head[0]!.segment]));
    await wal.commit(head);
    expect(wal.peek(100)).toEqual(next);
    await wal.close();
  });

  it('deletes segments once everything in them is delivered', async () => {
    const { wal } = await WriteAheadLog.open(options({ segmentBytes: 100 }));
    await appendRows(wal, 0, 12);
    const before = readdirSync(directory).filter((f) => f.endsWith('.wal')).length;
    while (wal.rows > 0) await wal.commit(wal.peek(100));
    expect(wal.bytes).toBe(0);
    await wal.close(); // deletions run in the background; close waits for them
    const after = readdirSync(directory).filter((f) => f.endsWith('.wal')).length;
    expect(before).toBeGreaterThan(3);
    expect(after).toBe(1);
  });

  it('skips a torn record at the tail, counts it, and keeps the records before it', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await appendRows(wal, 0, 3);
    const segment = wal.peek(1)[0]!.segment;
    await wal.close();
    const payload = row(99);
    const torn = Buffer.concat([encodeHeader(payload, 1, Date.now()), payload]).subarray(0, 30);
    appendFileSync(segmentPath(directory, segment), torn);
    const { wal: again, replay } = await WriteAheadLog.open(options());
    expect(replay).toMatchObject({ records: 3, corruptRecords: 1, skippedBytes: 30 });
    expect(texts(await again.payloads(again.peek(10)))).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    await again.close();
  });

  it('skips a corrupt record in the middle and keeps the records after it', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await appendRows(wal, 0, 3);
    const [, middle] = wal.peek(10);
    await wal.close();
    const path = segmentPath(directory, middle!.segment);
    const bytes = await readFile(path);
    const inside = middle!.end - 2; // a flipped byte inside the second payload
    bytes.writeUInt8(bytes.readUInt8(inside) ^ 0xff, inside);
    writeFileSync(path, bytes);
    const { wal: again, replay } = await WriteAheadLog.open(options());
    expect(replay.corruptRecords).toBe(1);
    expect(texts(await again.payloads(again.peek(10)))).toEqual(['{"n":0}', '{"n":2}']);
    await again.close();
  });

  it('resends the batch that was in flight as the same batch, with the same token', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await appendRows(wal, 0, 2);
    const inFlight = wal.peek(2);
    await wal.markInFlight(inFlight);
    const token = wal.tokenFor(inFlight);
    await appendRows(wal, 2, 3);
    const { wal: again } = await reopen(wal);
    const resent = again.peek(100);
    expect(resent.map((r) => r.rows)).toEqual([1, 1]);
    expect(again.tokenFor(resent)).toBe(token);
    await again.commit(resent);
    expect(again.peek(100)).toHaveLength(3);
    await again.close();
  });

  it('refuses appends with QUEUE_FULL beyond max bytes, and takes them again once delivered', async () => {
    const { wal } = await WriteAheadLog.open(options({ maxBytes: 200 }));
    await appendRows(wal, 0, 6);
    const refusal = await wal.append(row(6), 1).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RetryableError);
    expect((refusal as RetryableError).code).toBe(QUEUE_FULL);
    await wal.commit(wal.peek(100));
    await wal.append(row(6), 1);
    expect(wal.rows).toBe(1);
    await wal.close();
  });

  it('says it is full, before an append, while a group as large as the last one offered would not fit', async () => {
    const { wal } = await WriteAheadLog.open(options({ maxBytes: 200 }));
    expect(wal.refusal()).toBeUndefined();
    await appendRows(wal, 0, 5);
    // Room is left for a one-row payload, not for one of 100 bytes.
    expect(wal.hasRoom(row(5).length)).toBe(true);
    const large = Buffer.alloc(100, 'x');
    expect(await wal.append(large, 1).catch((error: unknown) => error)).toBeInstanceOf(
      RetryableError,
    );
    expect(wal.refusal()?.code).toBe(QUEUE_FULL);
    expect(wal.hasRoom()).toBe(false);
    await wal.commit(wal.peek(2));
    expect(wal.refusal()?.code).toBe(QUEUE_FULL);
    await wal.commit(wal.peek(3));
    expect(wal.refusal()).toBeUndefined();
    await wal.append(large, 1);
    await wal.close();
    expect(wal.refusal()?.code).toBe(SHUTTING_DOWN);
  });

  it('reads payloads back from disk when they no longer fit in memory', async () => {
    const { wal } = await WriteAheadLog.open(options({ memoryBytes: 5 }));
    await appendRows(wal, 0, 3);
    expect(wal.peek(10).every((record) => record.payload === undefined)).toBe(true);
    expect(texts(await wal.payloads(wal.peek(10)))).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    await wal.close();
  });

  it('keeps payloads in memory again once delivered ones free it, never overwriting one', async () => {
    // Three payloads (7 or 8 bytes) fit; what is appended beyond them is read back from disk.
    const { wal } = await WriteAheadLog.open(options({ memoryBytes: 24 }));
    let next = 0;
    for (const step of [3, -2, 3, -3, 2, -1, 3, -5, 3]) {
      if (step > 0) await appendRows(wal, next, step);
      else await wal.commit(wal.peek(-step));
      if (step > 0) next += step;
      const records = wal.peek(100);
      const expected = records.map((_, i) => `{"n":${next - records.length + i}}`);
      expect(texts(await wal.payloads(records))).toEqual(expected);
      records.forEach((record, i) => {
        if (record.payload) expect(record.payload.toString()).toBe(expected[i]);
      });
    }
    // All was delivered before the last three: they are all in memory again.
    expect(wal.peek(100).every((record) => record.payload)).toBe(true);
    await wal.close();
  });

  it('leaves out a record whose bytes changed on disk after it was written', async () => {
    const { wal } = await WriteAheadLog.open(options({ memoryBytes: 0 }));
    await appendRows(wal, 0, 3);
    const [, middle] = wal.peek(10);
    const path = segmentPath(directory, middle!.segment);
    const bytes = await readFile(path);
    const inside = middle!.end - 2;
    bytes.writeUInt8(bytes.readUInt8(inside) ^ 0xff, inside);
    writeFileSync(path, bytes);
    const read = await wal.payloads(wal.peek(10));
    expect(texts(read)).toEqual(['{"n":0}', '{"n":2}']);
    expect(read.readable.map((r) => r.offset)).not.toContain(middle!.offset);
    await wal.close();
  });

  it('syncs each group of appends with fsync: always', async () => {
    const { wal } = await WriteAheadLog.open(options({ fsync: 'always' }));
    await Promise.all([0, 1, 2].map((n) => wal.append(row(n), 1)));
    const segment = wal.peek(1)[0]!.segment;
    expect(statSync(segmentPath(directory, segment)).size).toBe(wal.bytes);
    await wal.close();
  });

  it('acknowledges an append without waiting for a thread of the busy pool', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await wal.append(row(0), 1); // opens the segment file
    const release = holdThreadPool(directory);
    try {
      const appended = wal.append(Buffer.alloc(512 * 1024, 'x'), 1).then(() => 'appended');
      expect(await unlessStuck(appended)).toBe('appended');
    } finally {
      await release();
    }
    const { wal: again, replay } = await reopen(wal, { memoryBytes: 0 });
    expect(replay).toMatchObject({ records: 2, corruptRecords: 0 });
    expect((await again.payloads(again.peek(10))).payloads.map((p) => p.length)).toEqual([
      7,
      512 * 1024,
    ]);
    await again.close();
  });

  it('starts a new segment without waiting for a thread of the busy pool', async () => {
    const { wal } = await WriteAheadLog.open(options({ segmentBytes: 100 }));
    await wal.append(row(0), 1);
    const release = holdThreadPool(directory);
    try {
      // Each of these is past the 100-byte segment: every one opens a new file.
      const appended = appendRows(wal, 1, 3).then(() => 'appended');
      expect(await unlessStuck(appended)).toBe('appended');
    } finally {
      await release();
    }
    const { wal: again, replay } = await reopen(wal);
    expect(replay).toMatchObject({ records: 4, corruptRecords: 0 });
    expect(again.rows).toBe(4);
    await again.close();
  });

  it('moves the cursor and trims segments without waiting for a thread of the busy pool', async () => {
    const { wal } = await WriteAheadLog.open(options({ segmentBytes: 100 }));
    await appendRows(wal, 0, 6); // several segments
    const batch = wal.peek(3);
    const release = holdThreadPool(directory);
    try {
      const delivered = (async () => {
        await wal.markInFlight(batch);
        await wal.commit(batch);
        return 'committed';
      })();
      expect(await unlessStuck(delivered)).toBe('committed');
    } finally {
      await release();
    }
    const { wal: again, replay } = await reopen(wal);
    expect(replay).toMatchObject({ records: 3, corruptRecords: 0 });
    expect(texts(await again.payloads(again.peek(10)))).toEqual(['{"n":3}', '{"n":4}', '{"n":5}']);
    await again.close();
  });

  it('refuses an append whose write fails, and goes on in a new segment', async () => {
    const { wal } = await WriteAheadLog.open(options());
    // The first append goes to segment 1; on /dev/full every write fails with ENOSPC.
    symlinkSync('/dev/full', segmentPath(directory, 1));
    const refusal = await wal.append(row(0), 1).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RetryableError);
    expect((refusal as RetryableError).message).toMatch(/could not write .*ENOSPC/);
    expect(wal.rows).toBe(0);
    await wal.append(row(1), 1);
    expect(wal.peek(10)[0]!.segment).toBe(2);
    await wal.close();
    unlinkSync(segmentPath(directory, 1));
    const { wal: again, replay } = await WriteAheadLog.open(options());
    expect(replay).toMatchObject({ records: 1, corruptRecords: 0 });
    expect(texts(await again.payloads(again.peek(10)))).toEqual(['{"n":1}']);
    await again.close();
  });

  it('writes groups larger than an inline write through the pool, in order', async () => {
    const big = options({ segmentBytes: 64 << 20, maxBytes: 64 << 20, memoryBytes: 0 });
    const { wal } = await WriteAheadLog.open(big);
    const sizes = [3 << 20, 10, 5 << 20, 20];
    await Promise.all(sizes.map((size, n) => wal.append(Buffer.alloc(size, n), 1)));
    const { wal: again, replay } = await reopen(wal, big);
    expect(replay).toMatchObject({ records: 4, corruptRecords: 0 });
    const { payloads } = await again.payloads(again.peek(10));
    expect(payloads.map((p) => [p.length, p[0], p.at(-1)])).toEqual(
      sizes.map((size, n) => [size, n, n]),
    );
    await again.close();
  });

  it('refuses appends once closed, with a retryable error', async () => {
    const { wal } = await WriteAheadLog.open(options());
    await wal.close();
    const refusal = await wal.append(row(0), 1).catch((error: unknown) => error);
    expect((refusal as RetryableError).code).toBe(SHUTTING_DOWN);
  });

  it('refuses a directory another live process holds', async () => {
    writeFileSync(join(directory, 'LOCK'), String(process.ppid));
    await expect(WriteAheadLog.open(options())).rejects.toThrow(/in use by process/);
  });
});
