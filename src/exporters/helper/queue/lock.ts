import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'LOCK';

/**
 * Claims a queue directory for this process. Two daemons appending to one log would corrupt
 * it, so a second one is refused while the first is alive; a lock left by a process that
 * died (kill -9) is taken over.
 */
export async function lockDirectory(directory: string): Promise<() => Promise<void>> {
  const path = join(directory, LOCK_FILE);
  const holder = await readFile(path, 'utf8').then(Number, () => undefined);
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `queue directory ${directory} is in use by process ${holder}; give each daemon its own exporters.<name>.queue.directory`,
    );
  }
  await writeFile(path, String(process.pid));
  return () => rm(path, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
