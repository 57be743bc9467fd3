import { writeSync } from 'node:fs';

/** pino's numeric levels, as they are named and coloured on a terminal. */
const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '90' },
  20: { name: 'DEBUG', colour: '36' },
  30: { name: 'INFO ', colour: '32' },
  40: { name: 'WARN ', colour: '33' },
  50: { name: 'ERROR', colour: '31' },
  60: { name: 'FATAL', colour: '35' },
};

/** Fields every line has, shown in their own places (or, like the pid, not at all). */
const SHOWN_APART = new Set(['level', 'time', 'msg', 'component', 'service', 'pid', 'hostname']);

/**
 * Turns one pino JSON line into `12:00:01.250 INFO  [component] message key=value …`, the
 * level coloured unless `colour` is false. A line that is not JSON is passed on as it is.
 */
export function prettyLine(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = LEVELS[record.level as number] ?? { name: String(record.level), colour: '0' };
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const component =
    typeof record.component === 'string' ? `${paint('2', `[${record.component}]`)} ` : '';
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${paint('2', `${key}=`)}${fieldText(value)}`);
  const message = typeof record.msg === 'string' ? record.msg : '';
  return `${paint('2', time)} ${paint(level.colour, level.name)} ${component}${message}${
    fields.length > 0 ? ` ${fields.join(' ')}` : ''
  }\n`;
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * A pino destination writing human-readable lines to a file descriptor, synchronously as the
 * JSON destination does (log lines are few; a crash must not lose the last ones).
 */
export function prettyDestination(fd: number, colour: boolean): { write(line: string): void } {
  return {
    write(line: string) {
      writeSync(fd, prettyLine(line.trimEnd(), colour));
    },
  };
}
