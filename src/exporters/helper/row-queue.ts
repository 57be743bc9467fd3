import type { RetryableError } from '../../pipeline/errors.js';

/**
 * What an exporter hands its rows to: the in-memory `Batcher` (a row is safe once stored) or
 * the `DurableQueue` (a row is safe once in the write-ahead log).
 */
export interface RowQueue<T> {
  start(): Promise<void>;
  /** Resolves once `items` are safe; rejects with a retryable error when there is no room. */
  add(items: T[]): Promise<void>;
  /**
   * False while the queue is full or closing (used by /readyz); with `payloadBytes`, whether
   * a serialized payload of that size would be taken (a queue bounded by rows ignores it).
   * A queue bounded by bytes is full when another append as large as the last would not fit.
   */
  hasRoom(payloadBytes?: number): boolean;
  /**
   * Why an `add` would be refused now (shutting down, or full), asked before a request is
   * read; undefined when there is room.
   */
  refusal(): RetryableError | undefined;
  /** Sends what is buffered now and waits until it is stored. */
  flush(): Promise<void>;
  /** Refuses new items and delivers what it holds until `deadline` aborts. */
  shutdown(deadline?: AbortSignal): Promise<void>;
}
