import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { DEDUP_INSERT_SETTINGS } from './schema/migrations.js';
import {
  JSON_EACH_ROW,
  type InsertBody,
  type InsertOptions,
  type QueryOptions,
  type Store,
} from './store.js';
import { classifyStorageError } from './errors.js';
import { guardedSql } from './readonly-sql.js';

export interface ServerStoreOptions {
  url: string;
  username: string;
  password: string;
  database: string;
  requestTimeoutMs: number;
  /** Whether to send `insert_deduplication_token` (servers before 22.2 do not know it). */
  dedupTokens: boolean;
}

/** A ClickHouse server (or cluster front) reached over HTTP with @clickhouse/client. */
export class ServerStore implements Store {
  readonly engine = 'server';
  readonly database: string;
  private client: ClickHouseClient | undefined;

  constructor(private readonly options: ServerStoreOptions) {
    this.database = options.database;
  }

  open(): Promise<void> {
    this.client ??= createClient({
      url: this.options.url,
      username: this.options.username,
      password: this.options.password,
      request_timeout: this.options.requestTimeoutMs,
      compression: { request: false, response: false },
      // Failures are classified and logged by Faultline; the client's own logging would repeat them.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return Promise.resolve();
  }

  async command(sql: string): Promise<void> {
    try {
      await this.live().command({ query: sql });
    } catch (error) {
      throw classifyStorageError(error, 'running a statement');
    }
  }

  async query(sql: string, options: QueryOptions): Promise<string> {
    const text = guardedSql(sql, options.readonly);
    try {
      const result = await this.live().exec({
        query: `${text}\nFORMAT ${options.format}`,
        clickhouse_settings: options.readonly ? { readonly: '1' } : {},
      });
      return await readAll(result.stream);
    } catch (error) {
      throw classifyStorageError(error, 'query failed');
    }
  }

  async insert(table: string, body: InsertBody, options: InsertOptions = {}): Promise<void> {
    const settings: Record<string, string> = {};
    if (options.dedupToken && this.options.dedupTokens) {
      Object.assign(settings, DEDUP_INSERT_SETTINGS);
      settings['insert_deduplication_token'] = options.dedupToken;
    }
    const format = options.format ?? JSON_EACH_ROW;
    const columns =
      format.name === 'Native'
        ? ` (${format.columns.map((name) => `\`${name}\``).join(', ')})`
        : '';
    try {
      // exec streams the bytes as they are; insert() would re-encode them as objects.
      const result = await this.live().exec({
        query: `INSERT INTO ${this.database}.${table}${columns} FORMAT ${format.name}`,
        values: Readable.from(Buffer.isBuffer(body) ? [body] : body),
        clickhouse_settings: settings,
      });
      await readAll(result.stream);
    } catch (error) {
      throw classifyStorageError(error, `inserting into ${this.database}.${table}`);
    }
  }

  async ping(): Promise<boolean> {
    const result = await this.live().ping();
    return result.success;
  }

  async close(): Promise<void> {
    await this.client?.close();
    this.client = undefined;
  }

  private live(): ClickHouseClient {
    if (!this.client) throw new Error('the ClickHouse client is not open');
    return this.client;
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
