import { pino, type Logger, type LevelWithSilent } from 'pino';

/**
 * Structured JSON logs on stderr, so commands that print results on stdout stay clean.
 * Secrets never reach a log line: configs are not logged, and errors carry only messages.
 */
export function createLogger(level: LevelWithSilent): Logger {
  return pino(
    {
      level,
      base: { service: 'faultline' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.password', '*.bearer_token', '*.authorization'], censor: '[redacted]' },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
