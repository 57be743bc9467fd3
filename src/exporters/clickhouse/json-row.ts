/**
 * One JSONEachRow line whose DateTime64 columns (`ticks`) are written as bare integers of the
 * column's unit. ClickHouse reads a bare number as exact ticks, while a quoted one is parsed as
 * text: digit strings shorter than 19 digits (any nanosecond time before 2001-09-09, such as an
 * unset 0) are then read as seconds or refused, and one refused row fails its whole insert.
 */
export function jsonRow(
  columns: object,
  ticks: Record<string, bigint | readonly bigint[]>,
): string {
  let tail = '';
  for (const name in ticks) {
    const value = ticks[name]!;
    tail += `,"${name}":${typeof value === 'bigint' ? value : `[${value.join(',')}]`}`;
  }
  const head = JSON.stringify(columns);
  return head === '{}' ? `{${tail.slice(1)}}` : `${head.slice(0, -1)}${tail}}`;
}
