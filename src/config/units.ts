import { z } from 'zod';

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** Parses `250ms`, `10s`, `5m`, `72h`, `7d` (or a bare number of milliseconds) into ms. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
}

/** Parses `16MiB`, `512KiB`, `4MB` (or a bare number of bytes) into bytes. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$/.exec(text);
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * SIZE_UNITS[match[2] ?? 'B']!);
}

/**
 * The rejected value as the error shows it. Real durations and sizes are short; a long value
 * in such a field is more likely a secret pasted into the wrong key, so it is not repeated.
 */
const shown = (value: string | number): string =>
  String(value).length <= 16
    ? JSON.stringify(value)
    : `(a ${String(value).length}-character value)`;

/** A zod type for a number written with a unit, parsed by `parse` into base units. */
const withUnit = (
  parse: (value: string | number) => number | undefined,
  what: string,
  examples: string,
) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: value,
        message: `invalid ${what} ${shown(value)}: use a number with a unit, e.g. ${examples}`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** A duration given as `10s` etc.; the parsed value is milliseconds. */
export const duration = () => withUnit(parseDuration, 'duration', '200ms, 10s, 5m, 72h, 7d');

/** A size given as `16MiB` etc.; the parsed value is bytes. */
export const byteSize = () => withUnit(parseByteSize, 'size', '512KiB, 16MiB, 1GiB');

const ENDPOINT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]*):(\d{1,5})$/;

/** `host:port` with a port from 0 (any free port) to 65535. */
export const endpoint = () =>
  z.string().refine((value) => {
    const match = ENDPOINT.exec(value);
    return match !== null && Number(match[2]) <= 65535;
  }, 'expected host:port with a port up to 65535, e.g. 0.0.0.0:4317');

export function splitEndpoint(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[|\]$/g, '');
  return { host: host || '0.0.0.0', port: Number(value.slice(colon + 1)) };
}
