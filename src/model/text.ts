/**
 * `text.slice(start, end)`, kept apart from `text`. V8 makes a slice a view that keeps the
 * whole text alive, so what the daemon holds for a while (a held step's preview, a failure's
 * message) would keep a 100 KB tool result or stack trace with it. A slice of less than half
 * the text is copied (concatenating makes a new string, whose slice refers to it alone); a
 * longer one stays a view, at most twice its size.
 */
export function keptSlice(text: string, start: number, end: number): string {
  const slice = text.slice(start, end);
  return slice.length * 2 < text.length ? (' ' + slice).slice(1) : slice;
}
