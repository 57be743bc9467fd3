/**
 * `text.slice(start, end)`, kept apart from `text`. V8 makes a slice a view that keeps the
 * whole text alive, so what the daemon holds for a while (a held step's preview, a failure's
 * message) would keep a 100 KB tool result or stack trace with it. A slice is copied
 * (concatenating makes a new string, whose slice refers to it alone) when it is less than half
 * the text, or short: a 256-character preview of a 400-character message kept the message (at
 * 10,000 spans/s the held steps' strings took 6 MiB more for it). A long slice of most of the
 * text stays a view, at most twice its size, where a copy would cost more than it saves.
 */
export function keptSlice(text: string, start: number, end: number): string {
  const slice = text.slice(start, end);
  const copy =
    slice.length < text.length && (slice.length <= SHORT_SLICE || slice.length * 2 < text.length);
  return copy ? (' ' + slice).slice(1) : slice;
}

/** Slices up to this long are always copied: a copy this size costs well under a microsecond. */
const SHORT_SLICE = 1024;
