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

  update(elapsedMs: number, detail: string): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.min(width, Math.round((elapsedMs / this.totalMs) * width));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    process.stderr.write(`\r${this.task} ${bar} ${Math.round(elapsedMs / 1000)}s ${detail}   `);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
