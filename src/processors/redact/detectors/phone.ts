import type { Detector } from './detector.js';
import { callingCode, isNanpNational, nationalLength } from './phone-plan.js';
import { codeAt, continuesIban, hasContext, isDigit, isWordChar, keywordPattern } from './text.js';

/**
 * A run that might be a phone number: an optional `+` or `(`, then at least seven digits with
 * at most three separator characters (space, `.`, `-`, `/`, parentheses) between them.
 * Every repetition consumes a digit, so the run is found in linear time.
 */
const CANDIDATE = /(?<![\w+.@/-])(?:\+[ \u00a0]?|\(\+?)?\d(?:[ \u00a0.\-/()]{0,3}\d){6,17}/g;

const DECIMAL = /^\d+\.\d+$/;

/** Bare digit runs (`4155550132`) are phone numbers only near one of these. */
const CONTEXT = keywordPattern([
  'phone',
  'phones',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'cellphone',
  'call',
  'sms',
  'whatsapp',
  'fax',
  'contact',
  'dial',
  'msisdn',
  'text me',
]);

interface Group {
  digits: string;
  /** Offsets in the text. */
  start: number;
  end: number;
  /** Written in parentheses: `(415)`, `(0)`. */
  parenthesised: boolean;
  /** The separator characters before it, parentheses removed. */
  separator: string;
}

/**
 * Phone numbers in the formats people write: international (`+44 20 7946 0958`,
 * `+1 (415) 555-0132`, `+33 (0)1 23 45 67 89`, `0049 30 1234567`, E.164 `+14155550132`) and
 * national — North American `(415) 555-0132` / `415.555.0132` / `1-800-555-0199`, and
 * trunk-prefix formats such as `020 7946 0958`, `07700 900123`, `01 23 45 67 89`,
 * `030/1234567`.
 *
 * Digit counts decide, not the pattern: a valid country code with a national number of that
 * country's length; for North America ten digits with area code and exchange starting 2–9.
 * Shapes outside these formats — dates, times, versions, ISBNs, decimal numbers — are not
 * numbers; a bare digit run counts only next to a phone keyword, so timestamps, durations and
 * ids stay.
 */
export const phoneDetector: Detector = {
  entity: 'phone',
  minLength: 7,
  mightMatch: (probe) => probe.hasNumberStart(),
  scan(text, key, found) {
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
      // Decimals (`0.0434974564705044`, scores and embeddings) are the commonest long digit
      // runs in telemetry JSON; they are never phone numbers, so they skip the grouping.
      if (DECIMAL.test(match[0]) || continuesIban(text, match.index)) continue;
      const groups = splitGroups(text, match.index, match.index + match[0].length);
      const plus = match[0].includes('+');
      // The run may carry more than the number (`415 555 0132 2024`): longest valid prefix.
      for (let count = groups.length; count >= 1; count--) {
        if (!mayEndAfter(groups, count)) continue;
        const kept = groups.slice(0, count);
        const last = kept[count - 1]!;
        if (last.parenthesised || !rightBoundary(text, last.end)) continue;
        if (!isPhoneNumber(kept, plus, () => hasContext(text, match.index, key, CONTEXT))) {
          continue;
        }
        found(match.index, last.end);
        CANDIDATE.lastIndex = last.end;
        break;
      }
    }
  },
};

/**
 * Whether a number may end after `count` of its run's groups. A run is cut only before a
 * space, and never when it is evenly grouped: `0295 6317 2916 9645 26` is one longer number
 * (an account in groups of four), not a phone number followed by more digits.
 */
function mayEndAfter(groups: readonly Group[], count: number): boolean {
  if (count === groups.length) return true;
  const next = groups[count]!;
  if (next.parenthesised || !/^[ \u00a0]$/.test(next.separator)) return false;
  return !evenlyGrouped(groups);
}

/** Four or more groups of one size, the last maybe shorter: how accounts and cards are printed. */
function evenlyGrouped(groups: readonly Group[]): boolean {
  if (groups.length < 4) return false;
  const size = groups[0]!.digits.length;
  const last = groups.length - 1;
  return groups.every((g, i) => (i < last ? g.digits.length === size : g.digits.length <= size));
}

function splitGroups(text: string, start: number, end: number): Group[] {
  const groups: Group[] = [];
  let separator = '';
  let open = false;
  let position = start;
  while (position < end) {
    const code = text.charCodeAt(position);
    if (isDigit(code)) {
      const groupStart = position;
      while (position < end && isDigit(text.charCodeAt(position))) position++;
      const closed = text.charCodeAt(position) === 41; // ')'
      groups.push({
        digits: text.slice(groupStart, position),
        start: groupStart,
        end: position,
        parenthesised: open && closed,
        separator,
      });
      separator = '';
      open = false;
      continue;
    }
    if (code === 40) open = true;
    else if (code !== 41 && code !== 43) separator += text[position];
    position++;
  }
  return groups;
}

/** After a number: not a word character, and not `.`, `-` or `/` going on into more digits. */
function rightBoundary(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isWordChar(next)) return false;
  return !((next === 46 || next === 45 || next === 47) && isDigit(codeAt(text, end + 1)));
}

function isPhoneNumber(groups: Group[], plus: boolean, nearKeyword: () => boolean): boolean {
  if (!consistentSeparators(groups)) return false;
  const digits = groups.map((g) => g.digits).join('');
  if (plus) return isInternational(groups, digits);
  // `0044 20 7946 0958`: the international prefix 00 opens the first group (`0.0043…` is a decimal).
  if (groups[0]!.digits.startsWith('00') && isInternational(groups, digits.slice(2))) return true;
  if (groups.length === 1) return nearKeyword() && isBareNational(digits);
  return isFixedNational(groups, digits) || isTrunkNational(groups, digits);
}

/**
 * One separator character between groups (parentheses aside), and dots only throughout:
 * `415.555.0132` is a phone number, `1.2.3-4` is not.
 */
function consistentSeparators(groups: Group[]): boolean {
  let dots = 0;
  for (let i = 1; i < groups.length; i++) {
    const separator = groups[i]!.separator.replace(/\u00a0/g, ' ');
    const parenthesised = groups[i]!.parenthesised || groups[i - 1]!.parenthesised;
    if (separator.length > 1 || (separator === '' && !parenthesised)) return false;
    if (separator === '.') dots++;
  }
  return dots === 0 || dots === groups.length - 1;
}

/** `+<country code><national number>`, optionally with a `(0)` trunk prefix after the code. */
function isInternational(groups: Group[], digits: string): boolean {
  const code = callingCode(digits);
  if (code === undefined || digits.length > 15) return false;
  let national = digits.slice(code.length);
  const trunk = groups.find((g) => g.parenthesised && g.digits === '0');
  if (trunk) national = national.replace(/^0/, '');
  if (code === '1') return isNanpNational(national);
  const [min, max] = nationalLength(code);
  // A trunk 0 written after the code (`+44 020 …`) is a common slip; still the same number.
  const length = national.startsWith('0') ? national.length - 1 : national.length;
  if (length < min || length > max) return false;
  // `+1 2 3 4 5 6 7` is a list, not a number; `+33 1 23 45 67 89` has one lone digit.
  return groups.slice(1).filter((g) => g.digits.length === 1 && !g.parenthesised).length <= 1;
}

/**
 * National formats with a fixed grouping: North American `(415) 555-0132`, `415-555-0132`,
 * `1 415 555 0132` (3-3-4 after an optional 1), and the Russian and Kazakh form with trunk 8,
 * `8 (495) 123-45-67`.
 */
function isFixedNational(groups: Group[], digits: string): boolean {
  const lengths = groups.map((g) => g.digits.length).join('-');
  if (lengths === '3-3-4') return isNanpNational(digits);
  if (lengths === '1-3-3-4') return digits[0] === '1' && isNanpNational(digits.slice(1));
  return lengths === '1-3-3-2-2' && digits[0] === '8' && groups[1]!.parenthesised;
}

/**
 * National formats with a trunk prefix 0: `020 7946 0958`, `07700 900123`, `0151 23456789`,
 * `030/1234567`, `06 1234 5678`, and French pairs `01 23 45 67 89`. A first group of two is
 * followed by pairs only or by longer groups only, so `05 06 2024` (a date) is not a number.
 */
function isTrunkNational(groups: Group[], digits: string): boolean {
  if (digits[0] !== '0' || digits[1] === '0' || digits.length < 9 || digits.length > 12) {
    return false;
  }
  const [first, ...rest] = groups.map((g) => g.digits.length);
  if (first === undefined || first < 2 || first > 5) return false;
  if (first === 2 && rest.every((length) => length === 2)) return rest.length === 4;
  return rest.every((length) => length >= 3 && length <= 8);
}

/** A bare run near a phone keyword: North American 10 (or 1 + 10) digits, or 0 + 9–11. */
function isBareNational(digits: string): boolean {
  if (isNanpNational(digits)) return true;
  if (digits.length === 11 && digits[0] === '1') return isNanpNational(digits.slice(1));
  return digits[0] === '0' && digits[1] !== '0' && digits.length >= 10 && digits.length <= 12;
}
