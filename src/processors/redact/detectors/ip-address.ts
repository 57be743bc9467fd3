import type { Detector } from './detector.js';
import { codeAt, isAsciiLetter, isDigit, isWordChar } from './text.js';

/** Four dot-separated numbers, read from where a candidate starts, not running on. */
const IPV4_AT = /\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)/y;
/** `2001:` or `::`, then hex, colons and dots (an embedded IPv4), and a zone. */
const IPV6_AT = /(?:[0-9A-Fa-f]{1,4}:|::)[0-9A-Fa-f:.]{1,43}(?:%[\w.-]{1,32})?/y;

/** Text that, right before a dotted number, makes it a version: "version 1.2.3.4". */
const VERSION_BEFORE =
  /(?:version|ver\.?|release|build|rev(?:ision)?|firmware|fw|sdk|tag|runtime|(?:upgrad|updat|bump)(?:e|ed|ing)\s+to)[\s:="'#]*$/i;

const isHex = (code: number): boolean =>
  isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

/**
 * IP addresses, parsed: four octets of 0–255 without leading zeros; eight groups of up to four
 * hex digits, or fewer around one `::`, optionally ending in an IPv4 address, with a zone.
 *
 * Left alone: dotted numbers in a version context (`version 1.2.3.4`, `Chrome/120.0.0.0`,
 * `pkg@1.2.3.4`, `1.2.3.4-beta`, an attribute whose key says version); loopback, unspecified,
 * multicast and netmask addresses, which identify no one; and colon runs that are times
 * (`10:30:45`), MAC addresses or slices (`[::2]`), which do not parse as IPv6.
 *
 * Candidates are looked for only around a `:` between hex digits and a `.` between digits:
 * a regex trying every position of JSON text (colons everywhere) cost 9 µs per benchmark span,
 * this a tenth of that.
 */
export const ipAddressDetector: Detector = {
  entity: 'ip_address',
  minLength: 3,
  mightMatch: ({ text }) => text.includes(':') || (text.includes('.') && hasNumberDot(text)),
  scan(text, key, found) {
    const ipv6End = scanIpv6(text, found);
    scanIpv4(text, ipv6End, /version/i.test(key), found);
  },
};

/** A digit, a dot, a digit: the least an IPv4 address holds. */
function hasNumberDot(text: string): boolean {
  for (let dot = text.indexOf('.'); dot !== -1; dot = text.indexOf('.', dot + 1)) {
    if (isDigit(codeAt(text, dot - 1)) && isDigit(codeAt(text, dot + 1))) return true;
  }
  return false;
}

/** Reports IPv6 addresses; returns where the last one ends (-1 when none). */
function scanIpv6(text: string, found: (start: number, end: number) => void): number {
  let lastEnd = -1;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    const before = codeAt(text, colon - 1);
    const after = codeAt(text, colon + 1);
    if (!(isHex(before) || before === 58) || !(isHex(after) || after === 58)) continue;
    let start = colon;
    while (
      start > 0 &&
      colon - start < 40 &&
      (isHex(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === 58)
    )
      start--;
    const previous = codeAt(text, start - 1);
    if (isWordChar(previous) || previous === 58 || previous === 46 || previous === 37) continue;
    IPV6_AT.lastIndex = start;
    const match = IPV6_AT.exec(text);
    if (!match) continue;
    const candidate = trimTrailing(match[0]);
    const end = start + candidate.length;
    colon = Math.max(colon, end - 1);
    if (!isPersonalIpv6(candidate)) continue;
    found(start, end);
    lastEnd = end;
  }
  return lastEnd;
}

function scanIpv4(
  text: string,
  ipv6End: number,
  versionKey: boolean,
  found: (start: number, end: number) => void,
): void {
  for (let dot = text.indexOf('.'); dot !== -1; dot = text.indexOf('.', dot + 1)) {
    if (!isDigit(codeAt(text, dot - 1)) || !isDigit(codeAt(text, dot + 1))) continue;
    let start = dot - 1;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    const previous = codeAt(text, start - 1);
    // Inside a longer dotted or word token (`1.2.3.4.5`, `v1.2.3.4`): skip the whole token.
    let end = dot;
    while (end < text.length && (isDigit(text.charCodeAt(end)) || text.charCodeAt(end) === 46))
      end++;
    dot = end - 1;
    if (isWordChar(previous) || previous === 46) continue;
    IPV4_AT.lastIndex = start;
    const match = IPV4_AT.exec(text);
    if (!match) continue;
    end = start + match[0].length;
    // The tail of an IPv6 address found above (`::ffff:10.0.0.1`).
    if (ipv6End >= end && previous === 58) continue;
    if (!isPersonalIpv4(match[0])) continue;
    if (versionKey || inVersionContext(text, start, end)) continue;
    found(start, end);
  }
}

/** A candidate may carry a sentence's full stop or a trailing colon (`10.0.0.1:` before a port). */
function trimTrailing(candidate: string): string {
  let end = candidate.length;
  while (end > 0) {
    const last = candidate[end - 1];
    if (last === '.' || (last === ':' && candidate[end - 2] !== ':')) end--;
    else break;
  }
  return candidate.slice(0, end);
}

/** Octets 0–255 without leading zeros, or undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (part.length === 0 || part.length > 3 || (part.length > 1 && part[0] === '0')) {
      return undefined;
    }
    if (!/^\d+$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

/** Loopback (127/8), "this network" (0/8), multicast and reserved (224 and up, netmasks) are not people's. */
function isPersonalIpv4(text: string): boolean {
  const octets = parseIpv4(text);
  if (!octets) return false;
  const first = octets[0]!;
  return first !== 0 && first !== 127 && first < 224;
}

/** Groups of an IPv6 address (an embedded IPv4 counts as two), or undefined if it is not one. */
export function parseIpv6(text: string): string[] | undefined {
  const percent = text.indexOf('%');
  const address = percent < 0 ? text : text.slice(0, percent);
  const double = address.indexOf('::');
  if (double !== address.lastIndexOf('::')) return undefined;
  const sides = double < 0 ? [address] : [address.slice(0, double), address.slice(double + 2)];
  const groups: string[] = [];
  for (let side = 0; side < sides.length; side++) {
    const part = sides[side]!;
    if (part === '') continue;
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      // Only the very last piece of the address may be an IPv4 address.
      const last = side === sides.length - 1 && i === pieces.length - 1;
      if (last && piece.includes('.')) {
        if (!parseIpv4(piece)) return undefined;
        groups.push(piece, '');
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        groups.push(piece);
      } else {
        return undefined;
      }
    }
  }
  if (double < 0 ? groups.length !== 8 : groups.length > 7) return undefined;
  return groups;
}

/**
 * Parses, then leaves out `::`, `::1`, and compressed forms too small to be addresses rather
 * than code (`a::b`, `1::2`): fewer than two groups or four hex digits.
 */
function isPersonalIpv6(text: string): boolean {
  const groups = parseIpv6(text);
  if (!groups) return false;
  const filled = groups.filter((g) => g !== '');
  const hexDigits = filled.reduce((n, g) => n + (g.includes('.') ? 4 : g.length), 0);
  return filled.length >= 2 && hexDigits >= 4;
}

function inVersionContext(text: string, start: number, end: number): boolean {
  const before = codeAt(text, start - 1);
  // Product tokens (`Chrome/120.0.0.0`), package specs (`pkg@1.2.3.4`), `name-1.2.3.4`.
  if ((before === 47 || before === 45) && isWordChar(codeAt(text, start - 2))) return true;
  if (before === 64) return true;
  // Pre-release and build suffixes: `1.2.3.4-beta`, `1.2.3.4+build`.
  const after = codeAt(text, end);
  if ((after === 45 && isAsciiLetter(codeAt(text, end + 1))) || after === 43) return true;
  return VERSION_BEFORE.test(text.slice(Math.max(0, start - 24), start));
}
