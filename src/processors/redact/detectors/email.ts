import type { Detector } from './detector.js';
import { codeAt, isAsciiAlnum, isAsciiLetter, isUnicodeWordChar } from './text.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const MAX_LABEL = 63;

/**
 * Top-level "domains" that are really file extensions: `icon@2x.png` and `bundle@3x.js` are
 * asset names, not addresses. Real addresses under these TLDs are rare enough to give up.
 */
const FILE_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif svg webp ico bmp tif tiff avif heic js mjs cjs ts tsx jsx css scss map ' +
    'json html htm txt log csv tsv yaml yml xml pdf woff woff2 ttf otf eot gz tgz tar zip ' +
    'lock wasm bin exe dll py rb go rs java class jar md'
  ).split(' '),
);

/** `[A-Za-z0-9._%+'-]` and letters of other scripts: what an address's local part holds. */
function isLocalChar(code: number): boolean {
  return (
    isAsciiAlnum(code) ||
    code === 46 || // .
    code === 95 || // _
    code === 37 || // %
    code === 43 || // +
    code === 45 || // -
    code === 39 || // '
    (code >= 0x80 && isUnicodeWordChar(code))
  );
}

function isLabelChar(code: number): boolean {
  return isAsciiAlnum(code) || code === 45 || (code >= 0x80 && isUnicodeWordChar(code));
}

/**
 * Email addresses, found from each `@` outwards rather than by one regex: a regex that starts
 * anywhere in a long run of word characters backtracks quadratically, this stays linear.
 * The domain needs a dot and an alphabetic TLD of two or more letters, so `pkg@1.2.3`,
 * `image@sha256:…` and `@decorator` are not addresses.
 */
export const emailDetector: Detector = {
  entity: 'email',
  minLength: 6,
  mightMatch: (probe) => probe.text.includes('@'),
  scan(text, _key, found) {
    let from = 0;
    for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', from)) {
      from = at + 1;
      const start = localPartStart(text, at);
      if (start < 0) continue;
      const end = domainEnd(text, at + 1);
      if (end < 0) continue;
      found(start, end);
      from = end;
    }
  },
};

/** Where the local part before `at` starts, or -1 when there is none or it is too long. */
function localPartStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && isLocalChar(text.charCodeAt(start - 1))) {
    start--;
    if (at - start > MAX_LOCAL) return -1;
  }
  // Quotes and dots around an address belong to the sentence, not the address.
  while (start < at && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 39)) start++;
  return start < at ? start : -1;
}

/** The end of a valid domain starting at `from`, or -1. */
function domainEnd(text: string, from: number): number {
  let position = from;
  let labels = 0;
  let end = -1;
  for (;;) {
    const labelStart = position;
    while (isLabelChar(codeAt(text, position)) && position - labelStart <= MAX_LABEL) position++;
    const length = position - labelStart;
    if (length === 0 || length > MAX_LABEL) break;
    if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(position - 1) === 45) break;
    labels++;
    if (labels >= 2 && isTopLevelDomain(text, labelStart, position)) end = position;
    if (position - from > MAX_DOMAIN) return -1;
    if (codeAt(text, position) !== 46 || !isLabelChar(codeAt(text, position + 1))) break;
    position++;
  }
  // The last label must be the TLD: `jane@example.com123` is not an address.
  return end === position ? end : -1;
}

/** A TLD is alphabetic (or punycode `xn--…`), 2–63 characters, and not a file extension. */
function isTopLevelDomain(text: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  const label = text.slice(start, end);
  if (label.startsWith('xn--')) return true;
  for (let i = 0; i < label.length; i++) {
    const code = label.charCodeAt(i);
    if (!isAsciiLetter(code) && !(code >= 0x80 && isUnicodeWordChar(code))) return false;
  }
  return !FILE_EXTENSIONS.has(label.toLowerCase());
}
