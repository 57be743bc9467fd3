import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.js';

/**
 * The scenarios SPEC §9 judges: the floor, then the whole daemon (on the embedded engine, and
 * at 10,000 spans/s on the server engine), and their summary.
 */
const DEFAULT_SCENARIOS = ['floor', 'ingest', 'server'];

/**
 * `faultline bench [scenario…] [--option value…]`: runs the benchmarks of the source tree
 * (bench/run.mjs, beside dist/) in a child process and exits with its code. The benchmarks
 * are not part of the installed package, so this works from a checkout.
 */
export async function benchCommand(args: string[]): Promise<void> {
  const runner = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));
  if (!existsSync(runner)) {
    throw new UsageError(
      'faultline bench runs the benchmarks of a source checkout (bench/run.mjs); none was found beside this installation',
    );
  }
  const firstOption = args.findIndex((arg) => arg.startsWith('-'));
  const scenarios = firstOption === -1 ? args : args.slice(0, firstOption);
  const options = firstOption === -1 ? [] : args.slice(firstOption);
  const passed = [...(scenarios.length ? scenarios : DEFAULT_SCENARIOS), ...options];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [runner, ...passed], { stdio: 'inherit' });
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  process.exitCode = code;
}
