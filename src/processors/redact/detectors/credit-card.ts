import { luhn } from './checksums.js';
import type { Detector } from './detector.js';
import { codeAt, continuesIban, isDigit, isWordChar } from './text.js';

/** An issuer identification range: card numbers starting within [low, high] of given lengths. */
interface IssuerRange {
  low: number;
  high: number;
  prefixDigits: number;
  lengths: readonly number[];
}

const range = (low: number, high: number, lengths: readonly number[]): IssuerRange => ({
  low,
  high,
  prefixDigits: String(low).length,
  lengths,
});
const LONG = [16, 17, 18, 19];

/** The major networks' IIN ranges (ISO/IEC 7812 as the networks publish them). */
const ISSUERS: readonly IssuerRange[] = [
  // Visa stopped issuing 13-digit numbers decades ago; a bare 13-digit number starting with 4
  // is far more often a count or an id.
  range(4, 4, [16, 19]), // Visa
  range(51, 55, [16]), // Mastercard
  range(2221, 2720, [16]), // Mastercard 2-series
  range(34, 34, [15]), // American Express
  range(37, 37, [15]),
  range(6011, 6011, LONG), // Discover
  range(644, 649, LONG),
  range(65, 65, LONG), // Discover, RuPay
  range(300, 305, [14, ...LONG]), // Diners Club
  range(3095, 3095, [14, ...LONG]),
  range(36, 36, [14, ...LONG]),
  range(38, 39, [14, ...LONG]),
  range(3528, 3589, LONG), // JCB
  range(62, 62, LONG), // UnionPay
  range(81, 82, [16]), // UnionPay, RuPay
  range(2200, 2204, LONG), // Mir
  range(60, 60, LONG), // RuPay, Hipercard
  range(508, 508, [16]), // RuPay
  range(353, 353, [16]),
  range(356, 356, [16]),
  range(5018, 5018, [13, 15, ...LONG]), // Maestro
  range(5020, 5020, [13, 15, ...LONG]),
  range(5038, 5038, [13, 15, ...LONG]),
  range(5893, 5893, [13, 15, ...LONG]),
  range(6304, 6304, [13, 15, ...LONG]),
  range(6759, 6759, [13, 15, ...LONG]),
  range(6761, 6763, [13, 15, ...LONG]),
  range(506099, 506198, [16, 19]), // Verve
  range(650002, 650027, [16, 19]),
  range(9792, 9792, [16]), // Troy
];

function knownIssuer(digits: string): boolean {
  for (const issuer of ISSUERS) {
    const prefix = Number(digits.slice(0, issuer.prefixDigits));
    if (prefix >= issuer.low && prefix <= issuer.high && issuer.lengths.includes(digits.length)) {
      return true;
    }
  }
  return false;
}

/** 13–19 digits, optionally grouped by single spaces, dashes or dots. */
const CANDIDATE = /(?<![\w.,+\-/$€£])\d(?:[ .-]?\d){12,18}/g;

/**
 * Payment card numbers: 13–19 digits that start in a known issuer range with a length that
 * issuer uses, pass Luhn, and, when grouped, are grouped the way cards are printed
 * (4-4-4-4, 4-6-5, …). Timestamps, token counts and snowflake ids fail the issuer test; 90%
 * of other digit runs fail Luhn.
 */
export const creditCardDetector: Detector = {
  entity: 'credit_card',
  minLength: 13,
  mightMatch: (probe) => probe.hasNumberStart(),
  scan(text, _key, found) {
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
      if (continuesIban(text, match.index)) continue;
      const end = longestValidCard(text, match.index, match[0]);
      if (end > 0) found(match.index, end);
    }
  },
};

/**
 * A run may carry more digits than the card (`4111 1111 1111 1111 2025`): tries the run's
 * group boundaries from the longest, returns the end of the first valid card, or -1.
 */
function longestValidCard(text: string, start: number, run: string): number {
  const separator = run.search(/[ .-]/);
  if (separator < 0)
    return validCard(run) && rightBoundary(text, start + run.length) ? start + run.length : -1;
  const sepChar = run[separator]!;
  // A card uses one separator; where another starts, so does something else (`… 1111 123`).
  const other = run
    .slice(separator)
    .search(sepChar === ' ' ? /[.-]/ : sepChar === '.' ? /[ -]/ : /[ .]/);
  const groups = (other < 0 ? run : run.slice(0, separator + other)).split(sepChar);
  for (let count = groups.length; count >= 1; count--) {
    const kept = groups.slice(0, count);
    const end = start + kept.join(sepChar).length;
    // One group is a card written without separators, followed by another number.
    if (count > 1 ? !printedGrouping(kept) : sepChar !== ' ') continue;
    if (rightBoundary(text, end) && validCard(kept.join(''))) return end;
  }
  return -1;
}

/** How cards are printed: fours (the last group shorter), or 4-6-5 / 4-6-4 (Amex, Diners). */
function printedGrouping(groups: readonly string[]): boolean {
  const lengths = groups.map((g) => g.length);
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6) {
    return lengths[2] === 5 || lengths[2] === 4;
  }
  const last = lengths.length - 1;
  return lengths.every((length, i) => (i < last ? length === 4 : length >= 1 && length <= 4));
}

function validCard(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (/^(\d)\1+$/.test(digits)) return false; // 0000 0000 0000 0000 passes Luhn
  return knownIssuer(digits) && luhn(digits);
}

/** After a card: not a word character, and not `.`/`-`/`,` going on into more digits. */
function rightBoundary(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isWordChar(next)) return false;
  return !((next === 46 || next === 45 || next === 44) && isDigit(codeAt(text, end + 1)));
}
