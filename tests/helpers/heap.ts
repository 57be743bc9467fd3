import { Buffer } from 'node:buffer';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * Heap bytes that what `hold` returns keeps alive, with what it made and dropped collected. It
 * is returned too, so it stays reachable through the measurement. Run it in a test file of its
 * own: each gets its own process (vitest.config.ts).
 */
export async function heldBytes<T>(
  hold: () => T | Promise<T>,
): Promise<{ bytes: number; held: T }> {
  const before = usedAfterCollection();
  const held = await hold();
  const bytes = usedAfterCollection() - before;
  return { bytes, held };
}

function usedAfterCollection(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** A fresh, flat string of `length` characters, as the OTLP decoder makes them. */
export const flatText = (seed: number, length: number): string =>
  Buffer.alloc(length, `${seed} a line of output, `).toString('latin1');
