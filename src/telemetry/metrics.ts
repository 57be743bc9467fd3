import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * prom-client's default metrics include gauges named like counters, which `promtool check
 * metrics` rejects ("non-counter metrics should not have _total suffix"). Each is the sum over
 * the `type` label of its namesake without the suffix, e.g.
 * `sum(nodejs_active_handles)`, so nothing is lost by leaving them out.
 */
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** One registry per daemon, with Node.js process metrics (CPU, RSS, event loop lag, GC). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  return registry;
}
