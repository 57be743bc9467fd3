import { mod97 } from './checksums.js';
import type { Detector } from './detector.js';
import { codeAt, isAsciiAlnum, isAsciiLetter, isDigit } from './text.js';

/** IBAN length per country, from the SWIFT IBAN registry. */
// prettier-ignore
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29,
  BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29,
  ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28,
  LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25,
  QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** A country code and two check digits, not inside a longer word. */
const START = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}/g;

/**
 * International bank account numbers, compact (`DE89370400440532013000`) or printed in
 * groups of four (`DE89 3704 0044 0532 0130 00`): the country's registered length exactly,
 * then ISO 7064 mod 97 over the number with its first four characters moved to the end.
 * A random string passes with probability 1/97 after already matching country and length.
 */
export const ibanDetector: Detector = {
  entity: 'iban',
  minLength: 15,
  mightMatch: (probe) => LETTERS_THEN_DIGITS.test(probe.text),
  scan(text, _key, found) {
    START.lastIndex = 0;
    for (let match = START.exec(text); match; match = START.exec(text)) {
      const length = IBAN_LENGTHS[match[0].slice(0, 2).toUpperCase()];
      if (length === undefined) continue;
      const end = readIban(text, match.index, length);
      if (end < 0) continue;
      found(match.index, end);
      START.lastIndex = end;
    }
  },
};

const LETTERS_THEN_DIGITS = /[A-Za-z]{2}\d{2}/;

/**
 * Reads `length` alphanumerics from `start`, allowing single spaces between groups of four;
 * returns the end if they form a valid IBAN that ends there, else -1.
 */
function readIban(text: string, start: number, length: number): number {
  let compact = '';
  let position = start;
  while (compact.length < length) {
    const code = codeAt(text, position);
    if (isAsciiAlnum(code)) {
      compact += text[position];
      position++;
    } else if (
      code === 32 &&
      compact.length % 4 === 0 &&
      compact.length > 0 &&
      isAsciiAlnum(codeAt(text, position + 1))
    ) {
      position++;
    } else {
      return -1;
    }
  }
  if (isAsciiAlnum(codeAt(text, position))) return -1; // runs on: part of a longer token
  if (!hasBbanShape(compact)) return -1;
  return mod97(compact.slice(4) + compact.slice(0, 4)) ? position : -1;
}

/** The account part mixes digits in (an all-letter BBAN is a word, not an account). */
function hasBbanShape(compact: string): boolean {
  let digits = 0;
  for (let i = 4; i < compact.length; i++) if (isDigit(compact.charCodeAt(i))) digits++;
  return digits >= 4 && isAsciiLetter(compact.charCodeAt(0));
}
