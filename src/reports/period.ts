import { parseDuration } from '../config/units.js';
import type { ReportPeriod } from './model.js';

const MAX_PERIOD_MS = 400 * 86_400_000;

/** Thrown for a `since` that is not a usable period. */
export class ReportPeriodError extends Error {
  override readonly name = 'ReportPeriodError';
}

export interface PeriodBounds {
  period: ReportPeriod;
  fromMs: number;
  toMs: number;
  previousFromMs: number;
}

/** The period ending now that `since` (e.g. `7d`, `24h`) names, and the one before it. */
export function reportPeriod(since: string, now = Date.now()): PeriodBounds {
  const length = parseDuration(since);
  if (length === undefined || length <= 0 || length > MAX_PERIOD_MS) {
    throw new ReportPeriodError(
      `since must be a duration from 1m to 400d, e.g. 24h or 7d (got ${JSON.stringify(since.slice(0, 16))})`,
    );
  }
  const toMs = Math.floor(now);
  const fromMs = toMs - length;
  const previousFromMs = fromMs - length;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    period: { since, from: iso(fromMs), to: iso(toMs), previousFrom: iso(previousFromMs) },
    fromMs,
    toMs,
    previousFromMs,
  };
}
