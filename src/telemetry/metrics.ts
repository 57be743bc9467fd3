import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per daemon, with Node.js process metrics (CPU, RSS, event loop lag, GC). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
