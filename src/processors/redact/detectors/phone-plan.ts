/**
 * The parts of the world's telephone numbering plans (ITU-T E.164) that tell a phone number
 * from another digit run: which country calling codes exist and how many digits a national
 * number has after them.
 */

/** The two-digit country codes; codes are prefix-free, so `1` and `7` are the one-digit ones. */
const TWO_DIGIT_CODES = new Set(
  (
    '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
    '60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'
  ).split(' '),
);

/** First two digits of the three-digit codes (`21x` North Africa, `35x` Europe, …). */
const THREE_DIGIT_ZONES = new Set(
  '21 22 23 24 25 26 29 35 37 38 42 50 59 67 68 69 80 85 87 88 96 97 99'.split(' '),
);

/** The country calling code a string of digits starts with, or undefined if none does. */
export function callingCode(digits: string): string | undefined {
  const first = digits[0];
  if (first === '1' || first === '7') return first;
  const two = digits.slice(0, 2);
  if (TWO_DIGIT_CODES.has(two)) return two;
  if (THREE_DIGIT_ZONES.has(two) && digits.length >= 3) return digits.slice(0, 3);
  return undefined;
}

/** Digits of the national significant number, [min, max], where the plan is well known. */
// prettier-ignore
const NATIONAL_LENGTHS: Readonly<Record<string, readonly [number, number]>> = {
  '1': [10, 10], '7': [10, 10], '20': [8, 10], '27': [9, 9], '30': [10, 10], '31': [9, 9],
  '32': [8, 9], '33': [9, 9], '34': [9, 9], '36': [8, 9], '39': [6, 11], '40': [9, 9],
  '41': [9, 9], '43': [4, 13], '44': [9, 10], '45': [8, 8], '46': [7, 10], '47': [8, 8],
  '48': [9, 9], '49': [6, 13], '51': [8, 9], '52': [10, 10], '54': [10, 11], '55': [10, 11],
  '56': [9, 9], '57': [8, 10], '60': [7, 10], '61': [9, 9], '62': [8, 12], '63': [8, 10],
  '64': [8, 10], '65': [8, 8], '66': [8, 9], '81': [9, 10], '82': [8, 10], '84': [9, 10],
  '86': [10, 11], '90': [10, 10], '91': [10, 10], '92': [9, 10], '351': [9, 9], '353': [7, 9],
  '358': [5, 12], '380': [9, 9], '420': [9, 9], '852': [8, 8], '971': [8, 9], '972': [8, 9],
};
const DEFAULT_NATIONAL_LENGTH: readonly [number, number] = [6, 12];

export function nationalLength(code: string): readonly [number, number] {
  return NATIONAL_LENGTHS[code] ?? DEFAULT_NATIONAL_LENGTH;
}

/** North American numbers: area code and exchange both start with 2–9. */
export function isNanpNational(digits: string): boolean {
  return (
    digits.length === 10 &&
    digits.charCodeAt(0) >= 50 && // '2'
    digits.charCodeAt(3) >= 50
  );
}
