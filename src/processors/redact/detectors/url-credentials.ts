import type { Detector } from './detector.js';
import { codeAt } from './text.js';

/** Where a URL ends in running text: whitespace, quotes, brackets. */
const URL_END = /[\s"'<>\\`]/;

/**
 * Credentials written into a URL, `scheme://user:password@host` (`postgres://app:s3cret@db`,
 * `https://x-access-token:ghs_…@github.com`, `redis://:password@cache`). The whole user-info
 * part goes, since the user name is often a person or an account too; the host stays.
 */
export const urlCredentialsDetector: Detector = {
  entity: 'url_credentials',
  minLength: 8,
  // `@` first: a one-character search is the cheaper one, and most text has no `@`.
  mightMatch: ({ text }) => text.includes('@') && text.includes('://'),
  scan(text, _key, found) {
    for (
      let scheme = text.indexOf('://');
      scheme !== -1;
      scheme = text.indexOf('://', scheme + 3)
    ) {
      const start = scheme + 3;
      const rest = text.slice(start, start + 512);
      const urlEnd = rest.search(URL_END);
      // The authority ends at the path. Passwords hold `#` and `?` often enough (unencoded)
      // that only `/` is taken to end it; the user info is up to the authority's last `@`.
      const url = urlEnd < 0 ? rest : rest.slice(0, urlEnd);
      const slash = url.indexOf('/');
      const hostPart = slash < 0 ? url : url.slice(0, slash);
      const at = hostPart.lastIndexOf('@');
      // User info needs a password (`user:pass@`); `user@host` alone is an address or a login.
      if (at <= 0 || !hostPart.slice(0, at).includes(':')) continue;
      if (at === hostPart.length - 1 || codeAt(hostPart, at + 1) === 58) continue; // no host
      found(start, start + at);
    }
  },
};
