import process from 'node:process';
import { setFlagsFromString } from 'node:v8';

/**
 * How far past what survived its last full collection V8 lets the heap grow before the next
 * one, in percent. V8's own factor rises to 4× for a process that allocates fast: at 8,000
 * spans/s the daemon held 135–145 MiB live and let its heap reach ~500 MiB between full
 * collections.
 */
const HEAP_GROWING_PERCENT = 50;

const GIVEN = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Sets V8's heap growing factor for this process, unless node was started with one (on its
 * command line or in NODE_OPTIONS); true when it set it. V8 reads the factor at every full
 * collection, so setting it once the process runs takes effect from the next one.
 */
export function boundHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): boolean {
  if ([...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => GIVEN.test(arg))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
