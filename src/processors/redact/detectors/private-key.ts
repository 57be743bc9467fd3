import type { Detector } from './detector.js';

const BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
const END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
/** Base64 body lines, also as escaped newlines inside JSON text. */
const BODY = /[A-Za-z0-9+/=\s\\:,-]*/y;

/**
 * PEM and PGP private key blocks, header to footer. A block cut short (a value truncated at
 * the attribute length limit) is taken to the end of its base64 body, so no part of the key
 * remains.
 */
export const privateKeyDetector: Detector = {
  entity: 'private_key',
  minLength: 40,
  mightMatch: (probe) => probe.text.includes('PRIVATE KEY'),
  scan(text, _key, found) {
    BEGIN.lastIndex = 0;
    for (let begin = BEGIN.exec(text); begin; begin = BEGIN.exec(text)) {
      END.lastIndex = begin.index + begin[0].length;
      const end = END.exec(text);
      let stop: number;
      if (end) {
        stop = end.index + end[0].length;
      } else {
        BODY.lastIndex = begin.index + begin[0].length;
        BODY.exec(text);
        stop = BODY.lastIndex;
      }
      found(begin.index, stop);
      BEGIN.lastIndex = stop;
    }
  },
};
