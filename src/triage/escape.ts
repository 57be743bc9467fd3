/**
 * Client-written text (names, messages, previews) going into Markdown and YAML documents.
 * It must read as the characters it is, never as structure: no heading, list, link, HTML or
 * key of its own making.
 */

/** Markdown inline text: one line, every ASCII punctuation character backslash-escaped. */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\u0085]+/g, ' ')
    .replace(/[!-/:-@[-`{-~]/g, (char) => `\\${char}`);
}

/**
 * A YAML double-quoted scalar. JSON strings are valid YAML double-quoted scalars; the line
 * and paragraph separators YAML 1.1 treats as line breaks are escaped as well.
 */
export function yamlString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u2028\u2029\u0085]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
