import { readNativeRows } from './native-reader.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { TelemetryBatch } from '../../src/model/index.js';
import type { ComponentSettings, TelemetryConsumer } from '../../src/pipeline/component.js';
import { Extensions } from '../../src/pipeline/host.js';
import { STORAGE } from '../../src/storage/extension.js';
import {
  wholeBody,
  type InsertBody,
  type InsertOptions,
  type QueryOptions,
  type Store,
} from '../../src/storage/store.js';

export const silentLogger = pino({ level: 'silent' });

/**
 * An in-memory Store for unit tests of components above storage; the integration tests use
 * chDB and a real clickhouse-server instead. `failWith` makes the next inserts throw;
 * `hang` makes every insert wait forever (a storage that stopped answering).
 */
export class RecordingStore implements Store {
  readonly engine = 'embedded';
  readonly database = 'faultline';
  readonly inserts: { table: string; rows: string[]; options: InsertOptions }[] = [];
  failWith: Error[] = [];
  hang = false;

  open(): Promise<void> {
    return Promise.resolve();
  }
  command(): Promise<void> {
    return Promise.resolve();
  }
  query(_sql: string, _options: QueryOptions): Promise<string> {
    return Promise.resolve('');
  }
  /** Records each row as a JSON line, whether it came as JSONEachRow or in Native blocks. */
  insert(table: string, body: InsertBody, options: InsertOptions = {}): Promise<void> {
    if (this.hang) return new Promise(() => {});
    const failure = this.failWith.shift();
    if (failure) return Promise.reject(failure);
    const payload = wholeBody(body);
    const rows =
      options.format?.name === 'Native'
        ? readNativeRows(payload).map((row) =>
            JSON.stringify(row, (_key, value: unknown) =>
              typeof value === 'bigint' ? String(value) : value,
            ),
          )
        : payload.toString('utf8').split('\n');
    this.inserts.push({ table, rows, options });
    return Promise.resolve();
  }
  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function settingsFor<Config>(
  id: string,
  config: Config,
  store: Store = new RecordingStore(),
): ComponentSettings<Config> {
  const host = new Extensions().register(STORAGE, store);
  return { id, config, logger: silentLogger, metrics: new Registry(), host };
}

/** A next consumer that keeps every batch it is handed. */
export class RecordingConsumer implements TelemetryConsumer {
  readonly batches: TelemetryBatch[] = [];
  consume(batch: TelemetryBatch): Promise<void> {
    this.batches.push(batch);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  /** Every assembled trace handed on so far. */
  traces(): TelemetryBatch['traces'] {
    return this.batches.flatMap((b) => b.traces);
  }
}
