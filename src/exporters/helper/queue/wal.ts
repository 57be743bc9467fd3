import { randomUUID } from 'node:crypto';
import { closeSync, fdatasync, openSync, read } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { QUEUE_FULL, RetryableError, SHUTTING_DOWN } from '../../../pipeline/errors.js';
import { fdWriter, writeAll, writeAllSync } from '../../../storage/write-all.js';
import { readCursor, writeCursor, type Cursor } from './cursor.js';
import { lockDirectory } from './lock.js';
import { HEADER_BYTES, checksumMatches, encodeHeader } from './record.js';
import { listSegments, scanSegment, segmentPath, type RecordLocation } from './segments.js';
import { SlabPool, type Slab } from './slab-pool.js';

/**
 * Writes of up to this many bytes go straight into the page cache from the event loop
 * (~0.3 ms here); larger ones go through libuv's thread pool. A write on the pool is
 * acknowledged only once the event loop next gets to its completion, behind every request
 * that arrived meanwhile, and the log's next write waits for it: at half the maximum rate that
 * round trip, not the disk, made most of the acknowledgement's p99.
 */
const INLINE_WRITE_BYTES = 2 * 1024 * 1024;

const readOnPool = promisify(read);
const datasyncOnPool = promisify(fdatasync);

/** When appended bytes reach the disk: before the append resolves, every interval, or never. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface WalOptions {
  directory: string;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A new segment file is started once the current one holds this many bytes. */
  segmentBytes: number;
  /** Undelivered bytes at most; beyond it appends are refused with QUEUE_FULL. */
  maxBytes: number;
  /** Payloads kept in memory for the sender, at most; beyond it they are read back from disk. */
  memoryBytes: number;
}

/** A record of the log as the sender sees it. */
export interface LogRecord extends RecordLocation {
  /** The payload, when still in memory; otherwise it is read back from its segment. */
  payload?: Buffer;
  written: boolean;
}

export interface ReplayReport {
  records: number;
  rows: number;
  bytes: number;
  corruptRecords: number;
  skippedBytes: number;
}

interface PendingWrite {
  record: LogRecord;
  header: Buffer;
  payload: Buffer;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * An append-only log of insert-ready payloads, in numbered segment files, with a cursor that
 * marks what has been delivered. Appends are written in groups (one write, and with
 * `fsync: always` one fdatasync, for everything that arrived meanwhile), so many concurrent
 * requests share the cost of reaching the disk. Delivered segments are deleted.
 */
export class WriteAheadLog {
  private readonly records: LogRecord[] = [];
  private pending: PendingWrite[] = [];
  private io: Promise<void> = Promise.resolve();
  private cursorWrites: Promise<void> = Promise.resolve();
  private background: Promise<void> = Promise.resolve();
  private writeScheduled = false;
  /** The segment appends go to, open (a descriptor: see `fileFor`). */
  private handle: { segment: number; fd: number } | undefined;
  private writeSegment: number;
  private writeOffset = 0;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private undeliveredBytes = 0;
  private undeliveredRows = 0;
  /** Bytes (headers included) of the last group offered, taken or not: what the next needs. */
  private lastGroupBytes = 0;
  /** Where the payloads kept in memory are, by record. */
  private readonly kept = new Map<LogRecord, Slab>();
  private readonly memory: SlabPool;
  private closed = false;

  private constructor(
    private readonly options: WalOptions,
    private readonly id: string,
    private cursor: Cursor,
    private readonly unlock: () => Promise<void>,
    lastSegment: number,
  ) {
    this.writeSegment = lastSegment + 1;
    this.memory = new SlabPool(options.memoryBytes);
    if (options.fsync === 'interval') {
      this.syncTimer = setInterval(() => this.syncIfDirty(), options.fsyncIntervalMs).unref();
    }
  }

  /** Opens (or creates) the log in `options.directory` and finds what is left to deliver. */
  static async open(options: WalOptions): Promise<{ wal: WriteAheadLog; replay: ReplayReport }> {
    const { directory } = options;
    await mkdir(directory, { recursive: true });
    const unlock = await lockDirectory(directory);
    try {
      const id = await logId(directory);
      const segments = await listSegments(directory);
      const cursor = (await readCursor(directory)) ?? { segment: segments[0] ?? 0, offset: 0 };
      const replay: ReplayReport = {
        records: 0,
        rows: 0,
        bytes: 0,
        corruptRecords: 0,
        skippedBytes: 0,
      };
      const wal = new WriteAheadLog(options, id, cursor, unlock, segments.at(-1) ?? cursor.segment);
      for (const segment of segments) {
        if (segment < cursor.segment) {
          await rm(segmentPath(directory, segment), { force: true });
          continue;
        }
        const scan = await scanSegment(
          directory,
          segment,
          segment === cursor.segment ? cursor.offset : 0,
        );
        replay.corruptRecords += scan.corruptRecords;
        replay.skippedBytes += scan.skippedBytes;
        for (const location of scan.records) wal.track({ ...location, written: true });
      }
      replay.records = wal.records.length;
      replay.rows = wal.undeliveredRows;
      replay.bytes = wal.undeliveredBytes;
      return { wal, replay };
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  get bytes(): number {
    return this.undeliveredBytes;
  }

  get rows(): number {
    return this.undeliveredRows;
  }

  get capacity(): number {
    return this.options.maxBytes;
  }

  /**
   * Room for one payload of `payloadBytes`, or without it for a group as large as the last one
   * offered (always when empty).
   */
  hasRoom(payloadBytes?: number): boolean {
    return (
      this.refusal(payloadBytes === undefined ? undefined : HEADER_BYTES + payloadBytes) ===
      undefined
    );
  }

  /**
   * Why appending `groupBytes` (headers included; by default as many as the last group offered)
   * would be refused now, the log being closed or full; undefined when it would be taken.
   * Receivers ask before they read a request, so that one the log cannot take is not decoded
   * and processed only to be refused at the end.
   */
  refusal(groupBytes = this.lastGroupBytes): RetryableError | undefined {
    if (this.closed) return new RetryableError('the queue is shutting down', SHUTTING_DOWN);
    if (this.fits(groupBytes)) return undefined;
    return new RetryableError(
      `the durable queue holds ${this.undeliveredBytes} bytes (limit ${this.options.maxBytes}); retry later`,
      QUEUE_FULL,
      1000,
    );
  }

  /** An empty log takes any append, so one record larger than the bound still gets through. */
  private fits(bytes: number): boolean {
    return this.undeliveredBytes === 0 || this.undeliveredBytes + bytes <= this.options.maxBytes;
  }

  /**
   * Appends one payload of `rows` rows. Resolves once it is written (and with `fsync: always`,
   * synced); rejects with a retryable error when the log is full, closing, or the write failed.
   */
  append(payload: Buffer, rows: number): Promise<void> {
    return this.appendAll([{ payload, rows }]);
  }

  /** Appends payloads as `append` does, all or none: the room is checked for all together. */
  appendAll(chunks: readonly { payload: Buffer; rows: number }[]): Promise<void> {
    let size = 0;
    for (const chunk of chunks) size += HEADER_BYTES + chunk.payload.length;
    this.lastGroupBytes = size;
    const refusal = this.refusal(size);
    if (refusal) return Promise.reject(refusal);
    return Promise.all(chunks.map((chunk) => this.appendOne(chunk.payload, chunk.rows))).then(
      () => undefined,
    );
  }

  /** Appends one payload of `rows` rows; the caller checked the room. */
  private appendOne(payload: Buffer, rows: number): Promise<void> {
    const size = HEADER_BYTES + payload.length;
    if (this.writeOffset > 0 && this.writeOffset + size > this.options.segmentBytes) {
      this.writeSegment++;
      this.writeOffset = 0;
    }
    const appendedAt = Date.now();
    const kept = this.memory.copy(payload);
    const record: LogRecord = {
      segment: this.writeSegment,
      offset: this.writeOffset,
      end: this.writeOffset + size,
      rows,
      appendedAt,
      written: false,
      ...(kept ? { payload: kept.copy } : {}),
    };
    if (kept) this.kept.set(record, kept.slab);
    this.writeOffset += size;
    this.track(record);
    const header = encodeHeader(payload, rows, appendedAt);
    return new Promise((resolve, reject) => {
      this.pending.push({ record, header, payload: record.payload ?? payload, resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        this.io = this.io.then(() => this.writePending());
      }
    });
  }

  /**
   * The next records to deliver: written ones from the head of the log, in one segment, up to
   * `maxRows` rows and `maxBytes` bytes (at least one record). After a restart the first batch
   * is exactly the one that was in flight, so it carries the same deduplication token.
   */
  peek(maxRows: number, maxBytes = Infinity): LogRecord[] {
    const head = this.records[0];
    const { inFlightEnd } = this.cursor;
    const resend =
      inFlightEnd !== undefined &&
      head?.segment === this.cursor.segment &&
      head.offset < inFlightEnd;
    return resend ? this.resendBatch(inFlightEnd) : this.batchFrom(0, maxRows, maxBytes).batch;
  }

  /**
   * The batch `peek` will return once `head` (the batch `peek` returned last) is committed, if
   * no record still to be written can change it: it is bounded by `maxRows`, `maxBytes` or the
   * end of its segment. Empty otherwise.
   */
  peekAfter(head: readonly LogRecord[], maxRows: number, maxBytes = Infinity): LogRecord[] {
    if (head.length === 0 || this.records[head.length - 1] !== head.at(-1)) return [];
    const { batch, bounded } = this.batchFrom(head.length, maxRows, maxBytes);
    return bounded ? batch : [];
  }

  /** The head records up to `inFlightEnd`: the batch in flight when the process stopped. */
  private resendBatch(inFlightEnd: number): LogRecord[] {
    const batch: LogRecord[] = [];
    for (const record of this.records) {
      if (!record.written || record.segment !== this.cursor.segment || record.end > inFlightEnd) {
        break;
      }
      batch.push(record);
    }
    return batch;
  }

  /**
   * The batch starting at `start`, and whether a bound ended it (rather than the records, or
   * one not written yet, which a later look may find longer).
   */
  private batchFrom(
    start: number,
    maxRows: number,
    maxBytes: number,
  ): { batch: LogRecord[]; bounded: boolean } {
    const batch: LogRecord[] = [];
    let rows = 0;
    let bytes = 0;
    for (let index = start; index < this.records.length; index++) {
      const record = this.records[index]!;
      if (batch.length > 0) {
        const full = rows + record.rows > maxRows || bytes + record.end - record.offset > maxBytes;
        if (full || record.segment !== batch[0]!.segment) return { batch, bounded: true };
      }
      if (!record.written) break;
      batch.push(record);
      rows += record.rows;
      bytes += record.end - record.offset;
      if (rows >= maxRows) return { batch, bounded: true };
    }
    return { batch, bounded: false };
  }

  /** The oldest undelivered record, if any. */
  oldest(): LogRecord | undefined {
    return this.records[0];
  }

  /** A token that names `records` in this log and nowhere else, the same after a restart. */
  tokenFor(records: LogRecord[]): string {
    const first = records[0]!;
    return `${this.id}:${first.segment}:${first.offset}-${records.at(-1)!.end}`;
  }

  /**
   * The payloads of `records`, from memory or read back from their segment and verified.
   * Records that can no longer be read or fail their checksum (the disk changed under the log)
   * are left out of `readable`; the caller counts them and moves on, so they never block the log.
   */
  async payloads(records: LogRecord[]): Promise<{ readable: LogRecord[]; payloads: Buffer[] }> {
    if (records.every((record) => record.payload)) {
      return { readable: records, payloads: records.map((r) => r.payload!) };
    }
    const first = records[0]!;
    // Not zeroed: only bytes read are looked at.
    const data = Buffer.allocUnsafe(records.at(-1)!.end - first.offset);
    const bytesRead = await this.readInto(data, first).catch(() => 0);
    const readable: LogRecord[] = [];
    const payloads: Buffer[] = [];
    for (const record of records) {
      const at = record.offset - first.offset;
      const end = record.end - first.offset;
      const payload = data.subarray(at + HEADER_BYTES, end);
      if (end <= bytesRead && checksumMatches(data, at, payload)) {
        readable.push(record);
        payloads.push(payload);
      }
    }
    return { readable, payloads };
  }

  /** Only the read goes through the pool: opening and closing on it would add two round trips. */
  private async readInto(data: Buffer, first: LogRecord): Promise<number> {
    const fd = openSync(segmentPath(this.options.directory, first.segment), 'r');
    try {
      return (await readOnPool(fd, data, 0, data.length, first.offset)).bytesRead;
    } finally {
      closeSync(fd);
    }
  }

  /** Records that `records` are being sent, so a restart resends exactly them. */
  markInFlight(records: LogRecord[]): Promise<void> {
    const first = records[0]!;
    this.cursor = {
      segment: first.segment,
      offset: first.offset,
      inFlightEnd: records.at(-1)!.end,
    };
    return this.saveCursor();
  }

  /** `records` (the head of the log) are delivered: move the cursor past them, trim segments. */
  async commit(records: LogRecord[]): Promise<void> {
    const last = records.at(-1)!;
    this.records.splice(0, records.length);
    for (const record of records) this.untrack(record);
    const next = this.records[0];
    this.cursor =
      next && next.segment !== last.segment
        ? { segment: next.segment, offset: 0 }
        : { segment: last.segment, offset: last.end };
    await this.saveCursor();
    if (next && next.segment > last.segment) this.removeSegments(last.segment, next.segment);
  }

  /**
   * Deletes delivered segments off the sender's path (after the segment's own sync and close):
   * awaited, each removal was a round trip through the pool and a busy event loop.
   */
  private removeSegments(from: number, to: number): void {
    const current = this.handle?.segment;
    const { directory } = this.options;
    this.background = this.background
      .then(async () => {
        for (let segment = from; segment < to; segment++) {
          if (segment !== current) await rm(segmentPath(directory, segment), { force: true });
        }
      })
      .catch(() => undefined);
  }

  /** Refuses new appends, finishes writes, syncs and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    await this.io;
    await this.cursorWrites;
    if (this.handle) this.retire(this.handle.fd);
    await this.background;
    await this.unlock();
  }

  private track(record: LogRecord): void {
    this.records.push(record);
    this.undeliveredBytes += record.end - record.offset;
    this.undeliveredRows += record.rows;
  }

  private untrack(record: LogRecord): void {
    this.undeliveredBytes -= record.end - record.offset;
    this.undeliveredRows -= record.rows;
    const slab = this.kept.get(record);
    if (slab) {
      this.kept.delete(record);
      this.memory.release(slab);
    }
  }

  /**
   * Writes the cursor after the cursor writes before it, beside the appends rather than behind
   * them: a cursor names only records already written, and appends that waited on its file
   * operations (up to hundreds of ms while the engine writes parts) made the acknowledgement's
   * tail. Its error goes to the caller.
   */
  private saveCursor(): Promise<void> {
    const cursor = this.cursor;
    const sync = this.options.fsync === 'always';
    const run = this.cursorWrites.then(() => writeCursor(this.options.directory, cursor, sync));
    this.cursorWrites = run.catch(() => undefined);
    return run;
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    const group = this.pending;
    this.pending = [];
    const always = this.options.fsync === 'always';
    try {
      let wroteOpenSegment = false;
      for (let start = 0; start < group.length;) {
        const segment = group[start]!.record.segment;
        let end = start;
        const buffers: Buffer[] = [];
        let bytes = 0;
        while (end < group.length && group[end]!.record.segment === segment) {
          const { header, payload } = group[end]!;
          buffers.push(header, payload);
          bytes += header.length + payload.length;
          end++;
        }
        // With fsync: always, a segment this group wrote to and now leaves is synced before it
        // is retired: its records are acknowledged with the group, not when the retired
        // segment's own sync happens to finish.
        const leaving = this.handle && this.handle.segment !== segment ? this.handle : undefined;
        if (always && wroteOpenSegment && leaving) await datasyncOnPool(leaving.fd);
        const fd = this.fileFor(segment);
        if (bytes <= INLINE_WRITE_BYTES) writeAllSync(fd, buffers);
        else await writeAll(fdWriter(fd), buffers);
        wroteOpenSegment = true;
        start = end;
      }
      if (always && this.handle) await datasyncOnPool(this.handle.fd);
      else this.dirty = true;
      for (const write of group) {
        write.record.written = true;
        write.resolve();
      }
    } catch (error) {
      this.failWrites([...group, ...this.pending.splice(0)], error);
    }
  }

  /**
   * A failed write leaves its segment with a torn tail: the records are forgotten (their
   * senders get a retryable error and keep the data), and appends move to a new segment so
   * nothing valid is written after the tear.
   */
  private failWrites(writes: PendingWrite[], error: unknown): void {
    const failed = new Set(writes.map((write) => write.record));
    for (let i = this.records.length - 1; i >= 0; i--) {
      const record = this.records[i]!;
      if (!failed.has(record)) continue;
      this.records.splice(i, 1);
      this.untrack(record);
    }
    this.writeSegment++;
    this.writeOffset = 0;
    const refusal = new RetryableError(
      `the durable queue could not write to ${this.options.directory}: ${(error as Error).message}`,
      'queue_unavailable',
      1000,
      { cause: error },
    );
    for (const write of writes) write.reject(refusal);
  }

  /**
   * The open segment `segment`, opened on the event loop when new (~0.05 ms): an open on the
   * pool made the appends that started a segment wait for the loop to get to its completion,
   * and for a pool thread while the engine's queries held them all.
   */
  private fileFor(segment: number): number {
    if (this.handle?.segment === segment) return this.handle.fd;
    if (this.handle) this.retire(this.handle.fd);
    const fd = openSync(segmentPath(this.options.directory, segment), 'a');
    this.handle = { segment, fd };
    return fd;
  }

  /**
   * Syncs (unless `fsync: never`) and closes a finished segment file off the write path, so
   * appends to the next segment do not wait for it.
   */
  private retire(fd: number): void {
    this.handle = undefined;
    const sync = this.options.fsync !== 'never';
    this.background = this.background
      .then(async () => {
        try {
          if (sync) await datasyncOnPool(fd);
        } finally {
          closeSync(fd);
        }
      })
      .catch(() => undefined);
  }

  /**
   * `fsync: interval`: syncs the current segment off the write path. Measured on 512 KiB
   * appends: a sync in the write chain held appends behind it (p99 ~100 ms); beside it they go on.
   */
  private syncIfDirty(): void {
    const fd = this.handle?.fd;
    if (!this.dirty || fd === undefined) return;
    this.dirty = false;
    this.background = this.background
      .then(() => datasyncOnPool(fd))
      .catch(() => {
        this.dirty = true;
      });
  }
}

/** A random id made when the log is created; part of every deduplication token. */
async function logId(directory: string): Promise<string> {
  const path = join(directory, 'id');
  try {
    const id = (await readFile(path, 'utf8')).trim();
    if (id) return id;
  } catch {
    // created below
  }
  const id = randomUUID();
  await writeFile(path, id);
  return id;
}
