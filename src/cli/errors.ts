import { ConfigError } from '../config/load.js';
import { errorMessage } from '../pipeline/errors.js';

/** A failure the user can act on: printed as one line (plus a hint), never as a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function reportAndExit(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`faultline: ${error.message}\n`);
  } else {
    process.stderr.write(`faultline: ${errorMessage(error).split('\n', 1)[0]}\n`);
    if (process.env.FAULTLINE_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
  }
  process.exit(error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE);
}
