import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../../src/exporters/helper/batcher.js';
import { ExporterMetrics } from '../../src/exporters/helper/metrics.js';
import {
  PermanentError,
  QUEUE_FULL,
  RetryableError,
  SHUTTING_DOWN,
} from '../../src/pipeline/errors.js';
import { silentLogger } from '../helpers/test-doubles.js';

interface Sent {
  items: number[];
  token: string;
}

function makeBatcher(send: (items: number[], token: string) => Promise<void>, overrides = {}) {
  return new Batcher<number>({
    labels: { exporter: 'test', table: 't' },
    maxItems: 10,
    timeoutMs: 200,
    maxPending: 25,
    retry: { initial_interval: 100, max_interval: 1000, max_elapsed_time: 5000 },
    send,
    metrics: ExporterMetrics.for(new Registry()),
    logger: silentLogger,
    ...overrides,
  });
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('Batcher', () => {
  let sent: Sent[];
  const recordingSend = (items: number[], token: string) => {
    sent.push({ items: [...items], token });
    return Promise.resolve();
  };

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('batching', () => {
    it('sends as soon as a batch reaches maxItems', async () => {
      const batcher = makeBatcher(recordingSend);
      const done = batcher.add(range(0, 10));
      await done;
      expect(sent.map((s) => s.items)).toEqual([range(0, 10)]);
    });

    it('sends a partial batch when its timeout expires, not before', async () => {
      const batcher = makeBatcher(recordingSend);
      const done = batcher.add([1, 2]);
      await vi.advanceTimersByTimeAsync(199);
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(sent.map((s) => s.items)).toEqual([[1, 2]]);
    });

    it('puts items from several callers into one batch and settles each caller', async () => {
      const batcher = makeBatcher(recordingSend);
      const first = batcher.add([1, 2, 3]);
      const second = batcher.add([4, 5]);
      await vi.advanceTimersByTimeAsync(200);
      await Promise.all([first, second]);
      expect(sent.map((s) => s.items)).toEqual([[1, 2, 3, 4, 5]]);
    });
  });

  describe('while a send is in flight', () => {
    it('keeps growing the open batch past its timeout and sends it when the sender is free', async () => {
      const releases: (() => void)[] = [];
      const batcher = makeBatcher(
        (items: number[], token: string) => {
          sent.push({ items: [...items], token });
          return new Promise<void>((resolve) => releases.push(resolve));
        },
        { maxPending: 1000, maxItems: 100 },
      );
      const first = batcher.add([1]);
      await vi.advanceTimersByTimeAsync(200);
      expect(sent.map((s) => s.items)).toEqual([[1]]);

      // Three timeouts pass during the slow send: still one open batch, not three.
      const waiting = [batcher.add([2]), batcher.add([3])];
      await vi.advanceTimersByTimeAsync(200);
      waiting.push(batcher.add([4]));
      await vi.advanceTimersByTimeAsync(400);
      expect(sent).toHaveLength(1);

      releases.shift()!();
      await first;
      await vi.advanceTimersByTimeAsync(0);
      expect(sent.map((s) => s.items)).toEqual([[1], [2, 3, 4]]);
      releases.shift()!();
      await Promise.all(waiting);
    });

    it('still sends a full batch at once, behind the one in flight', async () => {
      const releases: (() => void)[] = [];
      const batcher = makeBatcher(
        (items: number[], token: string) => {
          sent.push({ items: [...items], token });
          return new Promise<void>((resolve) => releases.push(resolve));
        },
        { maxPending: 1000 },
      );
      const first = batcher.add(range(0, 10));
      const second = batcher.add(range(10, 10));
      await vi.advanceTimersByTimeAsync(0);
      expect(sent).toHaveLength(1);
      releases.shift()!();
      await first;
      await vi.advanceTimersByTimeAsync(0);
      expect(sent.map((s) => s.items)).toEqual([range(0, 10), range(10, 10)]);
      releases.shift()!();
      await second;
    });
  });

  describe('backpressure', () => {
    it('refuses with a retryable QUEUE_FULL error beyond maxPending, and accepts again after sending', async () => {
      let release!: () => void;
      const blocked = new Promise<void>((resolve) => (release = resolve));
      const batcher = makeBatcher(async (items, token) => {
        await blocked;
        sent.push({ items, token });
      });
      const accepted = batcher.add(range(0, 20));
      const refused = batcher.add(range(20, 10));
      await expect(refused).rejects.toMatchObject({ code: QUEUE_FULL, retryable: true });
      expect(batcher.hasRoom()).toBe(true);
      const third = batcher.add(range(40, 5));
      expect(batcher.hasRoom()).toBe(false);
      release();
      await vi.advanceTimersByTimeAsync(200);
      await Promise.all([accepted, third]);
      expect(sent.flatMap((s) => s.items)).toHaveLength(25);
      expect(batcher.hasRoom()).toBe(true);
    });
  });

  describe('retries', () => {
    it('retries retryable failures with the same dedup token until the send succeeds', async () => {
      let failures = 2;
      const batcher = makeBatcher((items, token) => {
        sent.push({ items, token });
        return failures-- > 0
          ? Promise.reject(new RetryableError('down', 'storage_unavailable'))
          : Promise.resolve();
      });
      const done = batcher.add(range(0, 10));
      await vi.advanceTimersByTimeAsync(1000);
      await done;
      expect(sent).toHaveLength(3);
      expect(new Set(sent.map((s) => s.token)).size).toBe(1);
    });

    it('does not retry a permanent failure and rejects every caller of the batch with it', async () => {
      const batcher = makeBatcher((items, token) => {
        sent.push({ items, token });
        return Promise.reject(new PermanentError('bad data', 'storage_rejected'));
      });
      const first = batcher.add([1]);
      const second = batcher.add([2]);
      const outcomes = Promise.allSettled([first, second]);
      await vi.advanceTimersByTimeAsync(200);
      expect((await outcomes).map((o) => o.status)).toEqual(['rejected', 'rejected']);
      await expect(first).rejects.toBeInstanceOf(PermanentError);
      expect(sent).toHaveLength(1);
    });

    it('gives up after max_elapsed_time with the retryable error, so clients retry later', async () => {
      const batcher = makeBatcher((items, token) => {
        sent.push({ items, token });
        return Promise.reject(new RetryableError('down', 'storage_unavailable'));
      });
      const done = batcher.add(range(0, 10));
      const outcome = expect(done).rejects.toBeInstanceOf(RetryableError);
      await vi.advanceTimersByTimeAsync(10_000);
      await outcome;
      expect(sent.length).toBeGreaterThan(2);
      expect(batcher.hasRoom()).toBe(true);
    });
  });

  describe('shutdown', () => {
    it('sends what is buffered, then refuses new items as shutting down', async () => {
      const batcher = makeBatcher(recordingSend);
      const pending = batcher.add([7, 8]);
      await batcher.shutdown(AbortSignal.timeout(1000));
      await pending;
      expect(sent.map((s) => s.items)).toEqual([[7, 8]]);
      await expect(batcher.add([9])).rejects.toMatchObject({
        code: SHUTTING_DOWN,
        retryable: true,
      });
    });

    it('stops retrying when the grace period ends', async () => {
      const batcher = makeBatcher(
        () => Promise.reject(new RetryableError('down', 'storage_unavailable')),
        {
          retry: { initial_interval: 100, max_interval: 1000, max_elapsed_time: 3_600_000 },
        },
      );
      const pending = batcher.add([1]);
      const outcome = expect(pending).rejects.toBeInstanceOf(RetryableError);
      const stopped = batcher.shutdown(AbortSignal.timeout(2000));
      await vi.advanceTimersByTimeAsync(2500);
      await stopped;
      await outcome;
    });
  });
});
