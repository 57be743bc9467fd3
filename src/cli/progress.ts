/**
 * A one-line progress indicator on a terminal (redrawn in place); elsewhere it prints the
 * task once and a final line, so logs stay readable.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly task: string,
    private readonly totalMs: number,
  ) {
    if (!this.tty) process.stderr.write(`${task}…\n`);
  }

  /** Progress in time: `elapsedMs` of the expected total. */
  update(elapsedMs: number, detail: string): void {
    this.show(elapsedMs / this.totalMs, `${Math.round(elapsedMs / 1000)}s ${detail}`);
  }

  /** Progress as a fraction of the work (0…1). */
  show(fraction: number, detail: string): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    process.stderr.write(`\r${this.task} ${bar} ${detail}   `);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
