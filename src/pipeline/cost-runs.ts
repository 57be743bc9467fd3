/**
 * Where a run of items starting at `start` ends when the run may cost `budget` in all: as many
 * items as it covers, at least one. Work done over a run without yielding (a Native block, a
 * batch of traces to classify) is bounded this way by what it costs, not by how many items.
 */
export function runEnd<T>(
  items: readonly T[],
  start: number,
  budget: number,
  cost: (item: T) => number,
): { end: number; cost: number } {
  let total = cost(items[start]!);
  let end = start + 1;
  while (end < items.length) {
    const next = cost(items[end]!);
    if (total + next > budget) break;
    total += next;
    end++;
  }
  return { end, cost: total };
}
