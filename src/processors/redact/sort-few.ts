/** Up to this many items are sorted by insertion; more go to `Array#sort` (n log n). */
const FEW = 16;

/**
 * Sorts items in place, stable as `Array#sort`. A few go by insertion: `Array#sort` allocates
 * a work array per call, and a span's redacted entities and a text's findings are a handful.
 */
export function sortFew<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > FEW) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    let j = i - 1;
    for (; j >= 0 && compare(items[j]!, item) > 0; j--) items[j + 1] = items[j]!;
    items[j + 1] = item;
  }
  return items;
}
