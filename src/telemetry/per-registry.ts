import type { Registry } from 'prom-client';

/**
 * Metric families must be registered once per registry, while a component type may be
 * configured several times (`clickhouse/one`, `clickhouse/two`): instances share the families
 * and tell themselves apart by label.
 */
export function perRegistry<T>(create: (registry: Registry) => T): (registry: Registry) => T {
  const created = new WeakMap<Registry, T>();
  return (registry) => {
    let metrics = created.get(registry);
    if (!metrics) {
      metrics = create(registry);
      created.set(registry, metrics);
    }
    return metrics;
  };
}
