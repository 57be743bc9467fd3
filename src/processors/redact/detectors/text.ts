/** Character tests and context look-ups shared by the detectors, on UTF-16 code units. */

export const isDigit = (code: number): boolean => code >= 48 && code <= 57;

export const isAsciiLetter = (code: number): boolean =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

export const isAsciiAlnum = (code: number): boolean => isDigit(code) || isAsciiLetter(code);

/** `[A-Za-z0-9_]`, what `\w` matches. */
export const isWordChar = (code: number): boolean => isAsciiAlnum(code) || code === 95;

const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;

/** A letter, digit or mark in any script: what may continue a word outside ASCII. */
export function isUnicodeWordChar(code: number): boolean {
  if (code < 0x80) return isWordChar(code);
  return NON_ASCII_WORD.test(String.fromCharCode(code));
}

/** The code unit at `index`, or -1 outside the string (so edge tests read as "not a char"). */
export function codeAt(text: string, index: number): number {
  return index >= 0 && index < text.length ? text.charCodeAt(index) : -1;
}

/** How far back from a match context keywords are looked for. */
export const CONTEXT_WINDOW = 48;

/**
 * A case-insensitive test for any of `keywords` as whole words (`_`, `.`, `-` count as word
 * breaks, so `user_phone` and `phone.number` hold the keyword `phone`).
 */
export function keywordPattern(keywords: readonly string[]): RegExp {
  const escaped = keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?:^|[^A-Za-z0-9])(?:${escaped.join('|')})(?![A-Za-z0-9])`, 'i');
}

/**
 * True when `keywords` occur in the attribute key or in the text shortly before `start`:
 * "phone: 4155550132", or the value of an attribute named `user.phone`.
 */
export function hasContext(text: string, start: number, key: string, keywords: RegExp): boolean {
  if (key !== '' && keywords.test(key)) return true;
  return keywords.test(text.slice(Math.max(0, start - CONTEXT_WINDOW), start));
}

const IBAN_HEAD = /(?:^|[^A-Za-z0-9])[A-Z]{2}\d{2}$/;

/**
 * True when the digits at `start` follow `DE89 ` or `NO55 `: the rest of an IBAN printed in
 * groups (valid or not), which the digit-run detectors (cards, phones) must leave alone.
 */
export function continuesIban(text: string, start: number): boolean {
  return (
    start >= 5 &&
    text.charCodeAt(start - 1) === 32 &&
    IBAN_HEAD.test(text.slice(Math.max(0, start - 6), start - 1))
  );
}
