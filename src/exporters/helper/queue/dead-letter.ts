import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UnencodableRow } from '../encoder.js';

/** Characters written per append at most (lines are never split). */
const WRITE_BYTES = 8 * 1024 * 1024;

/**
 * Rows storage refused for good (or that outlived the queue's `max_age`) are kept here, one
 * JSON line each: `{"time", "exporter", "table", "reason", "row"}`, where `row` is the row as
 * it would have been inserted (null for an item that could not be serialized; `key` then says
 * which it was). Nothing is retried from it automatically; an operator can fix
 * and insert the rows (`jq -c .row | clickhouse-client -q "INSERT INTO … FORMAT JSONEachRow"`).
 */
export class DeadLetterFile {
  private ready: Promise<unknown> | undefined;

  constructor(
    readonly path: string,
    private readonly exporter: string,
  ) {}

  async write(table: string, reason: string, rows: Buffer[]): Promise<void> {
    const prefix = this.prefix(table, reason);
    await this.append(rows.map((row) => `${prefix}"row":${row.toString('utf8')}}\n`));
  }

  /** Items that could not be serialized: `row` is null, `key` says which item it was. */
  async writeUnencodable(table: string, rows: UnencodableRow[]): Promise<void> {
    await this.append(
      rows.map(
        ({ reason, key }) =>
          `${this.prefix(table, reason)}"row":null,"key":${JSON.stringify(key)}}\n`,
      ),
    );
  }

  private prefix(table: string, reason: string): string {
    return `{"time":${JSON.stringify(new Date().toISOString())},"exporter":${JSON.stringify(
      this.exporter,
    )},"table":${JSON.stringify(table)},"reason":${JSON.stringify(reason)},`;
  }

  /** Appends lines one bounded write at a time, never as one string of every row. */
  private async append(lines: string[]): Promise<void> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.ready;
    for (let from = 0; from < lines.length;) {
      let bytes = 0;
      let to = from;
      while (to < lines.length && (to === from || bytes + lines[to]!.length <= WRITE_BYTES)) {
        bytes += lines[to]!.length;
        to++;
      }
      await appendFile(this.path, lines.slice(from, to).join(''));
      from = to;
    }
  }
}
