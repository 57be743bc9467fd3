import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Rows storage refused for good (or that outlived the queue's `max_age`) are kept here, one
 * JSON line each: `{"time", "exporter", "table", "reason", "row"}`, where `row` is the row as
 * it would have been inserted. Nothing is retried from it automatically; an operator can fix
 * and insert the rows (`jq -c .row | clickhouse-client -q "INSERT INTO … FORMAT JSONEachRow"`).
 */
export class DeadLetterFile {
  private ready: Promise<unknown> | undefined;

  constructor(
    readonly path: string,
    private readonly exporter: string,
  ) {}

  async write(table: string, reason: string, rows: Buffer[]): Promise<void> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.ready;
    const prefix = `{"time":${JSON.stringify(new Date().toISOString())},"exporter":${JSON.stringify(
      this.exporter,
    )},"table":${JSON.stringify(table)},"reason":${JSON.stringify(reason)},"row":`;
    const lines = rows.map((row) => `${prefix}${row.toString('utf8')}}\n`);
    await appendFile(this.path, lines.join(''));
  }
}
