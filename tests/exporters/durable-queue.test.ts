import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonLinesEncoder, type RowEncoder } from '../../src/exporters/helper/encoder.js';
import { ExporterMetrics } from '../../src/exporters/helper/metrics.js';
import { DeadLetterFile } from '../../src/exporters/helper/queue/dead-letter.js';
import {
  DurableQueue,
  type DurableQueueOptions,
} from '../../src/exporters/helper/queue/durable-queue.js';
import { QueueMetrics } from '../../src/exporters/helper/queue/metrics.js';
import { PermanentError, RetryableError } from '../../src/pipeline/errors.js';
import { wholeBody, type InsertBody } from '../../src/storage/store.js';
import { sampleSum } from '../helpers/otlp-client.js';
import { silentLogger } from '../helpers/test-doubles.js';

interface Sent {
  rows: number[];
  token: string;
}

let directory: string;
let registry: Registry;

function makeQueue(
  send: (rows: InsertBody, token: string) => Promise<void>,
  overrides: Partial<DurableQueueOptions<number>> = {},
): DurableQueue<number> {
  return new DurableQueue<number>({
    labels: { exporter: 'test', table: 't' },
    maxRows: 4,
    timeoutMs: 20,
    maxAgeMs: 0,
    retry: { initial_interval: 5, max_interval: 20, max_elapsed_time: 1000 },
    wal: {
      directory: join(directory, 'wal'),
      fsync: 'interval',
      fsyncIntervalMs: 50,
      segmentBytes: 1024 * 1024,
      maxBytes: 1024 * 1024,
      memoryBytes: 1024 * 1024,
    },
    maxBytes: 1024 * 1024,
    encoder: numberEncoder(),
    send,
    deadLetter: new DeadLetterFile(join(directory, 'dead-letter.jsonl'), 'test'),
    metrics: ExporterMetrics.for(registry),
    queueMetrics: QueueMetrics.for(registry),
    logger: silentLogger,
    ...overrides,
  });
}

const numberEncoder = (): JsonLinesEncoder<number> =>
  new JsonLinesEncoder<number>({
    row: (n) => JSON.stringify({ n }),
    key: (n) => ({ n: String(n) }),
    maxChunkBytes: 1024 * 1024,
    sliceMs: 10,
  });

/** The number encoder, noting the rows of every insert body it is asked to merge. */
function mergeRecordingEncoder(merged: number[][]): RowEncoder<number> {
  const encoder = numberEncoder();
  return {
    encode: (items) => encoder.encode(items),
    format: {
      ...encoder.format,
      async body(parts) {
        const body = await encoder.format.body(parts);
        merged.push(numbers(body));
        return body;
      },
    },
  };
}

const numbers = (rows: InsertBody): number[] =>
  wholeBody(rows)
    .toString()
    .split('\n')
    .map((line) => (JSON.parse(line) as { n: number }).n);

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleSum(await registry.metrics(), name, labels);
}

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-queue-'));
  registry = new Registry();
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('DurableQueue', () => {
  it('acknowledges once logged, before storage has the rows, then delivers them in batches', async () => {
    const sent: Sent[] = [];
    let release!: () => void;
    const storageBusy = new Promise<void>((resolve) => (release = resolve));
    const queue = makeQueue(async (rows, token) => {
      await storageBusy;
      sent.push({ rows: numbers(rows), token });
    });
    await queue.start();
    await queue.add([1, 2, 3]);
    await queue.add([4, 5]);
    expect(sent).toEqual([]);
    expect(await metric('faultline_queue_rows')).toBe(5);
    release();
    await queue.flush();
    expect(sent.map((s) => s.rows)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(await metric('faultline_queue_rows')).toBe(0);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('reads and merges the next full batch while the current one is inserted', async () => {
    const merged: number[][] = [];
    const sent: Sent[] = [];
    let release!: () => void;
    const storageBusy = new Promise<void>((resolve) => (release = resolve));
    let inserting!: () => void;
    const firstInsert = new Promise<void>((resolve) => (inserting = resolve));
    const queue = makeQueue(
      async (rows, token) => {
        inserting();
        await storageBusy;
        sent.push({ rows: numbers(rows), token });
      },
      { encoder: mergeRecordingEncoder(merged), timeoutMs: 60_000 },
    );
    await queue.start();
    await queue.add([1, 2, 3, 4]);
    await queue.add([5, 6, 7, 8]);
    await queue.add([9, 10]);
    const flushed = queue.flush();
    await firstInsert;
    await vi.waitFor(() =>
      expect(merged).toEqual([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]),
    );
    expect(sent).toEqual([]);
    // [9, 10] can still grow: it is merged only once it is the batch being sent.
    await queue.add([11, 12]);
    release();
    await flushed;
    expect(sent.map((s) => s.rows)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ]);
    expect(new Set(sent.map((s) => s.token)).size).toBe(3);
    expect(merged).toEqual(sent.map((s) => s.rows));
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('retries a transient failure with the same deduplication token', async () => {
    const tokens: string[] = [];
    const queue = makeQueue((_rows, token) => {
      tokens.push(token);
      return tokens.length < 3
        ? Promise.reject(new RetryableError('storage down', 'storage_unavailable'))
        : Promise.resolve();
    });
    await queue.start();
    await queue.add([1, 2, 3, 4]);
    await queue.flush();
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
    expect(await metric('faultline_exporter_retries_total')).toBe(2);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('isolates the row storage refuses for good in the dead-letter file and stores the others', async () => {
    const stored: number[] = [];
    const queue = makeQueue(
      (rows) => {
        const batch = numbers(rows);
        if (batch.includes(13)) return Promise.reject(new PermanentError('Cannot parse', 'bad'));
        stored.push(...batch);
        return Promise.resolve();
      },
      { maxRows: 8 },
    );
    await queue.start();
    await queue.add([10, 11, 12, 13, 14, 15, 16, 17]);
    await queue.flush();
    expect(stored.sort()).toEqual([10, 11, 12, 14, 15, 16, 17]);
    const deadLetters = readFileSync(join(directory, 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { table: string; reason: string; row: { n: number } });
    expect(deadLetters).toEqual([
      expect.objectContaining({
        table: 't',
        reason: 'rejected by storage: Cannot parse',
        row: { n: 13 },
      }),
    ]);
    expect(
      await metric('faultline_dead_letter_rows_total', { reason: 'rejected by storage' }),
    ).toBe(1);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('dead-letters a row it cannot serialise with the reason, once, and delivers the others', async () => {
    const sent: number[] = [];
    const queue = makeQueue(
      (rows) => {
        sent.push(...numbers(rows));
        return Promise.resolve();
      },
      {
        encoder: new JsonLinesEncoder<number>({
          row: (n) => {
            if (n === 2) throw new RangeError('Invalid string length');
            return JSON.stringify({ n });
          },
          key: (n) => ({ n: String(n) }),
          maxChunkBytes: 1024,
          sliceMs: 10,
        }),
      },
    );
    await queue.start();
    await queue.add([1, 2, 3]);
    await queue.flush();
    expect(sent).toEqual([1, 3]);
    const deadLetters = readFileSync(join(directory, 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(deadLetters).toEqual([
      expect.objectContaining({
        table: 't',
        reason: 'unserializable: Invalid string length',
        row: null,
        key: { n: '2' },
      }),
    ]);
    expect(await metric('faultline_dead_letter_rows_total', { reason: 'unserializable' })).toBe(1);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('sends at most max bytes per insert', async () => {
    const sizes: number[] = [];
    const queue = makeQueue(
      (rows) => {
        sizes.push(wholeBody(rows).length);
        return Promise.resolve();
      },
      { maxRows: 1000, maxBytes: 64 },
    );
    await queue.start();
    for (let n = 0; n < 12; n++) await queue.add([n]);
    await queue.flush();
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(64);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('keeps what storage did not take at shutdown and delivers it after the next start, with the same token', async () => {
    const tokens: string[] = [];
    const down = makeQueue((_rows, token) => {
      tokens.push(token);
      return Promise.reject(new RetryableError('storage down', 'storage_unavailable'));
    });
    await down.start();
    await down.add([1, 2, 3, 4]);
    await down.add([5]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await down.shutdown(AbortSignal.timeout(20));
    expect(tokens.length).toBeGreaterThan(0);

    const sent: Sent[] = [];
    const up = makeQueue((rows, token) => {
      sent.push({ rows: numbers(rows), token });
      return Promise.resolve();
    });
    await up.start();
    await up.flush();
    expect(sent.map((s) => s.rows)).toEqual([[1, 2, 3, 4], [5]]);
    expect(sent[0]!.token).toBe(tokens[0]);
    expect(await metric('faultline_queue_replayed_rows_total')).toBe(5);
    await up.shutdown(AbortSignal.timeout(1000));
  });

  it('dead-letters rows older than max_age instead of sending them', async () => {
    const sent: number[] = [];
    const queue = makeQueue(
      (rows) => {
        sent.push(...numbers(rows));
        return Promise.resolve();
      },
      { maxAgeMs: 5, timeoutMs: 60_000 },
    );
    await queue.start();
    await queue.add([1, 2]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.flush();
    expect(sent).toEqual([]);
    expect(await metric('faultline_dead_letter_rows_total', { reason: 'expired' })).toBe(2);
    await queue.shutdown(AbortSignal.timeout(1000));
  });

  it('refuses items once shutting down', async () => {
    const queue = makeQueue(() => Promise.resolve());
    await queue.start();
    await queue.shutdown(AbortSignal.timeout(1000));
    await expect(queue.add([1])).rejects.toBeInstanceOf(RetryableError);
    expect(queue.hasRoom()).toBe(false);
  });
});
