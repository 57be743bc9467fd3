import { pino, type Logger, type LevelWithSilent } from 'pino';
import { prettyDestination } from './pretty-log.js';

/** `auto`: human-readable on a terminal, JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Logs go to stderr, so commands that print results on stdout stay clean. */
const LOG_FD = 2;

/**
 * Structured logs on stderr: JSON lines, or coloured human-readable lines when asked or when
 * stderr is a terminal (`auto`); `NO_COLOR` turns the colours off.
 * Secrets never reach a log line: configs are not logged, and errors carry only messages.
 */
export function createLogger(level: LevelWithSilent, format: LogFormat = 'auto'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'faultline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.password', '*.bearer_token', '*.authorization'], censor: '[redacted]' },
    },
    pretty
      ? prettyDestination(LOG_FD, process.stderr.isTTY === true && !process.env.NO_COLOR)
      : pino.destination({ fd: LOG_FD, sync: true }),
  );
}
