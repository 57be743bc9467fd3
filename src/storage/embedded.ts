import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from 'chdb';
import { DEDUP_INSERT_SETTINGS } from './schema/migrations.js';
import {
  DEFAULT_EMBEDDED_CONNECTIONS,
  EmbeddedConnections,
  type Lane,
} from './embedded-connections.js';
import {
  JSON_EACH_ROW,
  wholeBody,
  type InsertBody,
  type InsertOptions,
  type QueryOptions,
  type Store,
} from './store.js';
import { classifyStorageError } from './errors.js';
import { guardedSql, withReadonlySetting } from './readonly-sql.js';
import { sqlString } from './sql.js';
import { fdWriter, writeAll } from './write-all.js';

/**
 * Options for the engine's allocator, jemalloc, which reads `JE_MALLOC_CONF` once, when the
 * library loads. `thp:always` backs its memory with transparent huge pages: each first touch
 * of a 4 KiB page is a fault, ~11 µs on the 2-core benchmark VM, and the engine's threads took
 * most of the daemon's ~2 faults per span. With huge pages the daemon took under half as many,
 * and the engine's insert and merge threads ~10% less CPU per stored span. Peak RSS stayed
 * the same at 10,000 spans/s and rose by up to ~100 MiB at the maximum rate. Where the
 * kernel's THP mode is `never`, the option changes nothing.
 */
const ENGINE_ALLOCATOR_OPTIONS = 'thp:always';

/**
 * The embedded engine: chDB (ClickHouse in-process) over a data directory.
 * Every call uses chDB's async API, which runs on libuv's thread pool, so the event loop
 * is never blocked by the engine. chDB binds one data directory per process; the store opens
 * `connections` to it, each running one statement at a time (`embedded-connections.ts`).
 */
export class EmbeddedStore implements Store {
  readonly engine = 'embedded';
  private connections: EmbeddedConnections | undefined;

  /** `memoryBytes` bounds the engine's memory in all; one query gets half of it. */
  constructor(
    private readonly path: string,
    readonly database: string,
    private readonly memoryBytes: number,
    private readonly connectionCount = DEFAULT_EMBEDDED_CONNECTIONS,
  ) {}

  async open(): Promise<void> {
    if (this.connections) return;
    // Loaded here, not at import: the engine alone is ~150 MiB resident, which a daemon on the
    // server engine, and the CLI's commands that talk to a daemon, should not carry.
    // Before the library loads; a value the user set wins.
    process.env.JE_MALLOC_CONF ??= ENGINE_ALLOCATOR_OPTIONS;
    const { Session } = await import('chdb');
    if (this.connections) return;
    try {
      mkdirSync(this.path, { recursive: true });
      // Insert files a crash left behind were never inserted by this store's process, and
      // their batches are still in the durable queue: they are only litter.
      rmSync(this.insertDirectory(), { recursive: true, force: true });
      // Settings can only be given as command-line arguments, to every connection: the
      // server's take effect when the first one starts the engine, a query's on each one.
      const options = {
        connectionArgs: [
          `--max_server_memory_usage=${this.memoryBytes}`,
          `--max_memory_usage=${Math.floor(this.memoryBytes / 2)}`,
        ],
      };
      const sessions: Session[] = [];
      try {
        while (sessions.length < this.connectionCount) {
          sessions.push(new Session(this.path, options));
        }
      } catch (error) {
        for (const session of sessions) session.close();
        throw error;
      }
      this.connections = new EmbeddedConnections(sessions);
    } catch (error) {
      throw classifyStorageError(error, `opening the data directory ${this.path}`);
    }
  }

  async command(sql: string): Promise<void> {
    try {
      await this.run((session) => session.queryAsync(sql, { format: 'TSV' }));
    } catch (error) {
      throw classifyStorageError(error, 'running a statement');
    }
  }

  async query(sql: string, options: QueryOptions): Promise<string> {
    const checked = guardedSql(sql, options.readonly);
    // chDB takes no per-query settings argument: readonly goes into the SQL itself.
    const text = options.readonly ? withReadonlySetting(checked) : checked;
    try {
      const result = await this.run(
        (session) => session.queryAsync(text, { format: options.format }),
        'read',
      );
      return result.text();
    } catch (error) {
      throw classifyStorageError(error, 'query failed');
    }
  }

  async insert(table: string, body: InsertBody, options: InsertOptions = {}): Promise<void> {
    const settings: Record<string, string> = {};
    if (options.dedupToken) {
      Object.assign(settings, DEDUP_INSERT_SETTINGS);
      settings['insert_deduplication_token'] = options.dedupToken;
    }
    const format = options.format ?? JSON_EACH_ROW;
    try {
      if (format.name === 'Native') {
        await this.insertNativeFile(table, body, format.columns, settings);
      } else {
        await this.run((session) =>
          session.insert({
            table: `${this.database}.${table}`,
            values: wholeBody(body),
            format: 'JSONEachRow',
            settings,
          }),
        );
      }
    } catch (error) {
      throw classifyStorageError(error, `inserting into ${this.database}.${table}`);
    }
  }

  /**
   * chDB's raw insert takes text formats only, so a Native payload goes through a file that
   * the engine reads with `file()`; plain String and Map columns in it are converted to the
   * table's LowCardinality types. A body in parts is written in one `writev`, never joined.
   * The file is removed once the insert settled.
   *
   * Only the write and the query go through libuv's pool, on the insert's way: creating and
   * closing the file take microseconds, while each step on the pool waits for the event loop to
   * get to its completion (at the maximum rate those round trips made most of an insert's
   * time, and storage fell behind the acknowledged spans). The removal goes to the pool too,
   * and nothing waits for it (`removeInBackground`).
   */
  private async insertNativeFile(
    table: string,
    body: InsertBody,
    columns: readonly string[],
    settings: Record<string, string>,
  ): Promise<void> {
    const path = join(this.insertDirectory(), `${randomUUID()}.native`);
    const fd = this.createInsertFile(path);
    try {
      try {
        await writeAll(fdWriter(fd), Buffer.isBuffer(body) ? [body] : body);
      } finally {
        closeSync(fd);
      }
      const names = columns.map((name) => `\`${name}\``).join(', ');
      const assignments = Object.entries(settings)
        .map(([key, value]) => `${key} = ${sqlString(value)}`)
        .join(', ');
      const sql = `INSERT INTO ${this.database}.${table} (${names})${assignments ? ` SETTINGS ${assignments}` : ''}
SELECT * FROM file(${sqlString(path)}, 'Native')`;
      await this.run((session) => session.queryAsync(sql, { format: 'TSV' }));
    } finally {
      removeInBackground(path);
    }
  }

  /** Opens a new insert file, making the directory first when it is missing. */
  private createInsertFile(path: string): number {
    try {
      return openSync(path, 'w');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(this.insertDirectory(), { recursive: true });
      return openSync(path, 'w');
    }
  }

  private insertDirectory(): string {
    return join(this.path, 'faultline-inserts');
  }

  async ping(): Promise<boolean> {
    try {
      await this.run((session) => session.queryAsync('SELECT 1', { format: 'TSV' }));
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    this.connections?.close();
    this.connections = undefined;
    return Promise.resolve();
  }

  private run<T>(statement: (session: Session) => Promise<T>, lane: Lane = 'write'): Promise<T> {
    if (!this.connections) return Promise.reject(new Error('the embedded store is not open'));
    return this.connections.run(statement, lane);
  }
}

/**
 * Removes a file on libuv's pool; nothing waits for it. Unlinking a 30 MiB insert file takes
 * ~2 ms on an idle machine (5 ms at most of 30), and under load the event loop was held up to
 * 51 ms by it (a profile at 6,500 spans/s). A file that a failed removal leaves behind is
 * litter that `open` clears.
 */
function removeInBackground(path: string): void {
  void rm(path, { force: true }).catch(() => undefined);
}
