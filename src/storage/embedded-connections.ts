import type { Session } from 'chdb';

/**
 * Two: an insert or a query beside another, while two of libuv's four threads stay free for
 * file I/O. More let more statements run at once on machines with more cores, each holding a
 * thread (raise UV_THREADPOOL_SIZE with them).
 */
export const DEFAULT_EMBEDDED_CONNECTIONS = 2;

/** Queries (reads: the API, the UI, reports) or everything else (inserts, DDL, pings). */
export type Lane = 'read' | 'write';

interface Waiter {
  read: boolean;
  resolve(session: Session): void;
  reject(error: Error): void;
}

/**
 * chDB connections to one data directory, each given one statement at a time; further
 * statements wait here, in order, for the first connection free.
 *
 * A connection runs its statements one after another, and each call waiting for it holds one
 * of libuv's threads (4 by default) for as long as it waits. Queued on one connection, a few
 * inserts and a slow query took every thread, and the process's file I/O, DNS and zlib work
 * waited seconds behind them. Waiting here holds no thread, and a statement on another
 * connection (an insert beside a long query) runs at the same time. With two or more, reads
 * take all connections but one, so however many slow queries run, the pipeline's inserts go on.
 */
export class EmbeddedConnections {
  private readonly idle: Session[];
  private readonly waiting: Waiter[] = [];
  private readonly maxReads: number;
  private reads = 0;
  private closed = false;

  constructor(private readonly sessions: readonly Session[]) {
    this.idle = [...sessions];
    this.maxReads = Math.max(1, sessions.length - 1);
  }

  /** Runs `statement` on the first connection free for its lane, then hands that one on. */
  async run<T>(statement: (session: Session) => Promise<T>, lane: Lane): Promise<T> {
    const read = lane === 'read';
    const session = await this.acquire(read);
    try {
      return await statement(session);
    } finally {
      this.release(session, read);
    }
  }

  /** Closes every connection; statements still waiting for one fail. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions) session.close();
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError());
  }

  private acquire(read: boolean): Promise<Session> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.waiting.push({ read, resolve, reject });
      this.dispatch();
    });
  }

  private release(session: Session, read: boolean): void {
    if (read) this.reads--;
    if (this.closed) return;
    this.idle.push(session);
    this.dispatch();
  }

  /** Hands free connections to the first waiters their lane lets in. */
  private dispatch(): void {
    while (this.idle.length > 0) {
      const next = this.waiting.findIndex((waiter) => !waiter.read || this.reads < this.maxReads);
      if (next < 0) return;
      const [waiter] = this.waiting.splice(next, 1);
      if (waiter!.read) this.reads++;
      waiter!.resolve(this.idle.pop()!);
    }
  }
}

const closedError = () => new Error('the embedded store is not open');
