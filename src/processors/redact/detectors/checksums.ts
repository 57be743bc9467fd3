/**
 * Check-digit algorithms. Each takes the characters that carry the value (digits, and for
 * mod 97 letters too) and ignores everything else, so `4111 1111 1111 1111` and
 * `4111-1111-1111-1111` check the same way.
 */

/** Luhn (ISO/IEC 7812): payment cards, IMEIs, many national ids. */
export function luhn(text: string): boolean {
  let sum = 0;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    let digit = code - 48;
    if (digits % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    digits++;
  }
  return digits > 1 && sum % 10 === 0;
}

/**
 * ISO 7064 MOD 97-10 over the text as written: letters count as 10…35, and the number they
 * and the digits spell must leave 1. IBANs use it after moving their first four characters
 * to the end (see `iban.ts`). Computed piecewise, so any length works without BigInt.
 */
export function mod97(text: string): boolean {
  let remainder = 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) | 0x20; // lower-case letters; digits are unchanged
    if (code >= 48 && code <= 57) {
      remainder = (remainder * 10 + (code - 48)) % 97;
    } else if (code >= 97 && code <= 122) {
      remainder = (remainder * 100 + (code - 87)) % 97;
    } else {
      continue;
    }
    seen++;
  }
  return seen > 2 && remainder === 1;
}

// Verhoeff's dihedral-group tables.
const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 8, 7, 6, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Verhoeff: catches every single-digit error and adjacent swap (India's Aadhaar uses it). */
export function verhoeff(text: string): boolean {
  let check = 0;
  let position = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    check = VERHOEFF_D[check]![VERHOEFF_P[position % 8]![code - 48]!]!;
    position++;
  }
  return position > 1 && check === 0;
}

/** The check-digit validators a custom detector may name in its config. */
export const VALIDATORS = { luhn, mod97, verhoeff } as const;
export type ValidatorName = keyof typeof VALIDATORS;
