import type { Session } from 'chdb';

/**
 * Two: an insert or a query beside another, while two of libuv's four threads stay free for
 * file I/O. More let more statements run at once on machines with more cores, each holding a
 * thread (raise UV_THREADPOOL_SIZE with them).
 */
export const DEFAULT_EMBEDDED_CONNECTIONS = 2;

/**
 * chDB connections to one data directory, each given one statement at a time; further
 * statements wait here, in order, for the first connection free.
 *
 * A connection runs its statements one after another, and each call waiting for it holds one
 * of libuv's threads (4 by default) for as long as it waits. Queued on one connection, a few
 * inserts and a slow query took every thread, and the process's file I/O, DNS and zlib work
 * waited seconds behind them. Waiting here holds no thread, and a statement on another
 * connection (an insert beside a long query) runs at the same time.
 */
export class EmbeddedConnections {
  private readonly idle: Session[];
  private readonly waiting: { resolve(session: Session): void; reject(error: Error): void }[] = [];
  private closed = false;

  constructor(private readonly sessions: readonly Session[]) {
    this.idle = [...sessions];
  }

  /** Runs `statement` on the first connection free, then hands that connection on. */
  async run<T>(statement: (session: Session) => Promise<T>): Promise<T> {
    const session = await this.acquire();
    try {
      return await statement(session);
    } finally {
      this.release(session);
    }
  }

  /** Closes every connection; statements still waiting for one fail. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions) session.close();
    for (const waiter of this.waiting.splice(0)) waiter.reject(closedError());
  }

  private acquire(): Promise<Session> {
    if (this.closed) return Promise.reject(closedError());
    const session = this.idle.pop();
    if (session) return Promise.resolve(session);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(session: Session): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.resolve(session);
    else this.idle.push(session);
  }
}

const closedError = () => new Error('the embedded store is not open');
