import type { Logger } from 'pino';
import type { Store } from '../../storage/store.js';

/** Rows held while storage is down, per table; beyond it the oldest are dropped (and logged). */
const MAX_HELD_ROWS = 50_000;
const RETRY_MS = 2000;

/**
 * Writes alert transitions and incident changes. They are few (a handful per evaluation), so
 * rows are inserted as soon as they come, one insert per table at a time; while storage is
 * down they are held (bounded) and retried, never blocking the evaluation that produced them.
 */
export class AlertRecorder {
  private readonly held = new Map<string, string[]>();
  private writing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private dropped = 0;
  /** Set while writes fail, so an outage is logged once, not every retry. */
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  add(table: string, rows: readonly string[]): void {
    if (rows.length === 0) return;
    const held = this.held.get(table) ?? [];
    held.push(...rows);
    if (held.length > MAX_HELD_ROWS) {
      const over = held.length - MAX_HELD_ROWS;
      held.splice(0, over);
      this.dropped += over;
      this.logger.warn(
        { table, dropped: this.dropped },
        'storage unreachable: oldest alert rows dropped',
      );
    }
    this.held.set(table, held);
    this.kick();
  }

  /** Resolves when everything added so far was written, or a write failed. */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing) await this.writing;
  }

  close(): void {
    clearTimeout(this.retry);
  }

  private kick(): void {
    this.writing ??= this.writeAll().finally(() => (this.writing = undefined));
  }

  private async writeAll(): Promise<void> {
    for (;;) {
      const next = [...this.held].find(([, rows]) => rows.length > 0);
      if (!next) return;
      const [table, rows] = next;
      const batch = rows.splice(0, rows.length);
      try {
        await this.store.insert(table, Buffer.from(batch.join('\n')));
        if (this.failing) this.logger.info('alert rows are being stored again');
        this.failing = false;
      } catch (error) {
        rows.unshift(...batch);
        if (!this.failing) {
          this.failing = true;
          this.logger.warn(
            { table, err: error instanceof Error ? error.message : String(error) },
            'alert rows not stored yet; retrying until storage answers',
          );
        }
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.kick(), RETRY_MS).unref();
        return;
      }
    }
  }
}
