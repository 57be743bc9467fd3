/**
 * The first `end` UTF-16 code units of `text`, kept apart from it. V8 makes a slice a view that
 * keeps the whole text alive, so what the daemon holds for a while (a held step's preview, a
 * failure's message) would keep a 100 KB tool result or stack trace with it. A cut from a text
 * more than twice as long is copied (concatenating makes a new string, whose slice refers to it
 * alone); a shorter one stays a view, at most twice its size.
 */
export function keptPrefix(text: string, end: number): string {
  const cut = text.slice(0, end);
  return text.length > 2 * end ? (' ' + cut).slice(1) : cut;
}
