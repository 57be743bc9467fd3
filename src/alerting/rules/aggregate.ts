/**
 * The aggregates a rule can compute over its window (SPEC §5.4), written in the config as
 * `count`, `rate`, `error_rate`, `failure_count`, `failure_count(timeout)`, `p50`/`p90`/`p95`/
 * `p99`, `tokens`, `cost` or `avg(quality_score)`.
 */
export type Aggregate =
  | { kind: 'count' | 'rate' | 'error_rate' | 'tokens' | 'cost' }
  | { kind: 'failure_count'; failureClass: string }
  | { kind: 'quantile'; quantile: number }
  | { kind: 'avg'; attribute: string };

const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };
const SIMPLE = new Set(['count', 'rate', 'error_rate', 'tokens', 'cost']);

export const AGGREGATE_HELP =
  'count, rate, error_rate, failure_count, failure_count(CLASS), p50, p90, p95, p99, tokens, cost or avg(ATTRIBUTE)';

/** Parses an aggregate; undefined when the text is none of the known forms. */
export function parseAggregate(text: string): Aggregate | undefined {
  const trimmed = text.trim();
  if (SIMPLE.has(trimmed)) return { kind: trimmed as 'count' };
  if (trimmed in QUANTILES) return { kind: 'quantile', quantile: QUANTILES[trimmed]! };
  if (trimmed === 'failure_count') return { kind: 'failure_count', failureClass: '' };
  const call = /^(failure_count|avg)\(\s*([^()\s]+)\s*\)$/.exec(trimmed);
  if (!call) return undefined;
  return call[1] === 'avg'
    ? { kind: 'avg', attribute: call[2]! }
    : { kind: 'failure_count', failureClass: call[2]! };
}

/** Failure counts are read from the batch's failures; every other aggregate from its spans. */
export const countsFailures = (aggregate: Aggregate): boolean => aggregate.kind === 'failure_count';
