import type { Detector } from './detector.js';
import { hasContext, keywordPattern } from './text.js';

/** AAA-GG-SSSS with one separator used twice (`-`, space or `.`), or nine bare digits. */
const CANDIDATE = /(?<![\w.,+\-/$])(\d{3})([-. ]?)(\d{2})\2(\d{4})(?![\w]|[.,-]\d)/g;

/** Nine bare digits are an SSN only near one of these (or in an attribute named so). */
const CONTEXT = keywordPattern([
  'ssn',
  'ssns',
  'social security',
  'social security number',
  'social',
  'ss#',
  'ssn#',
  'taxpayer',
  'tin',
  'itin',
]);

/**
 * US Social Security numbers. The SSA never issues area 000, 666 or 900–999, group 00 or
 * serial 0000, so those are not numbers at all; `078-05-1120`, printed on sample cards in
 * wallets sold in 1938, is void too. Written `123-45-6789` or `123 45 6789` a number needs no
 * context; nine bare digits (ids, durations, counts) or dotted ones need an SSN keyword nearby.
 */
export const usSsnDetector: Detector = {
  entity: 'us_ssn',
  minLength: 9,
  mightMatch: (probe) => probe.hasNumberStart(),
  scan(text, key, found) {
    CANDIDATE.lastIndex = 0;
    for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
      const [whole, area, separator, group, serial] = match as unknown as [
        string,
        string,
        string,
        string,
        string,
      ];
      if (!issuable(area, group, serial)) continue;
      // Bare or dotted (`123.45.6789` could be a version) only next to an SSN keyword.
      const needsContext = separator === '' || separator === '.';
      if (needsContext && !hasContext(text, match.index, key, CONTEXT)) continue;
      found(match.index, match.index + whole.length);
    }
  },
};

function issuable(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  return `${area}${group}${serial}` !== '078051120';
}
