import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** cgroup v2: the container's memory limit, or `max` when there is none. */
const CGROUP_MEMORY_MAX = '/sys/fs/cgroup/memory.max';

/**
 * The memory this process may use: the cgroup's limit when one is set (a container), else the
 * machine's. Memory bounds given as a share (the memory limiter's RSS limit, the embedded
 * engine's) are shares of this.
 */
export function availableMemory(
  readLimit: () => string = () => readFileSync(CGROUP_MEMORY_MAX, 'utf8'),
): number {
  const machine = totalmem();
  let text: string;
  try {
    text = readLimit().trim();
  } catch {
    return machine;
  }
  const limit = Number(text);
  return text !== 'max' && Number.isFinite(limit) && limit > 0 ? Math.min(limit, machine) : machine;
}
