import { MAX_REMEMBERED_KEY_LENGTH } from '../key-rules.js';
import type { Detector } from './detector.js';

/**
 * A key naming a secret, then `=` or `:` — in a log line (`password=hunter2`), an env dump
 * (`OPENAI_API_KEY=…`), a connection string (`Password=…;`) or JSON text
 * (`"client_secret": "…"`, also with escaped quotes inside a JSON string). The keyword must
 * end the key (the separator follows it), so `max_tokens=4096`, `token_count: 12` and
 * `secret_name=db` are not secrets.
 */
const SECRET_KEYS = [
  'passw(?:or)?d',
  'pwd',
  'passphrase',
  'secret',
  'credentials?',
  '(?:api|access|secret|private|signing|encryption|master|client|app|license)[_-]?key',
  '[_-]token',
  '(?:access|refresh|auth|id|api|session|bearer|oauth|csrf|xsrf)token',
];

/**
 * Between a key and its value: after a quoted key (JSON, or JSON inside a JSON string) any
 * white space JSON allows, line breaks included, on either side of the separator; after a bare
 * key (logs, env dumps) spaces and tabs only, so a line ending in `password:` does not take the
 * next line's first word.
 */
const SEPARATOR = `(?:\\\\?["'][ \\t\\r\\n]*[:=][ \\t\\r\\n]*|[ \\t]*[:=][ \\t]*)`;

// A bare `token` counts only as `token=` (URLs, logs): `"token": "Hello"` is how LLM
// log-probabilities list text tokens.
const ASSIGNMENT = new RegExp(
  `(?:${SECRET_KEYS.join('|')}|\\btoken(?=[ \\t]*=))${SEPARATOR}`,
  'gi',
);

/** An attribute or JSON member named like a secret (`db.password`, `"client_secret"`). */
const SECRET_KEY = new RegExp(`(?:${SECRET_KEYS.join('|')})$`, 'i');

/** Values that say a secret is absent or already hidden, not a secret. */
const PLACEHOLDER =
  /^(?:null|none|nil|undefined|true|false|empty|redacted|\[redacted\]|<[^>]*>|\*+|x+|-+|\.+|\$\{.*|\{\{.*|%\(.*|process\.env.*|os\.environ.*)$/i;

/**
 * Secrets assigned to a key that names them. The value runs to whitespace, a quote, `,`, `;`,
 * `&` or a closing bracket; quoted values run to the closing quote. A value whose attribute or
 * JSON member is itself named like a secret is a secret whole (when it is one word).
 */
export const secretAssignmentDetector: Detector = {
  entity: 'secret',
  minLength: 3,
  mightMatch: (probe) => namesSecret(probe.key) || MIGHT_MATCH.test(probe.text),
  scan(text, key, found) {
    // One word under a key named like a secret is the secret; prose there is scanned as text.
    if (namesSecret(key) && !/\s/.test(text) && isSecretValue(text)) {
      found(0, text.length);
      return;
    }
    ASSIGNMENT.lastIndex = 0;
    for (let match = ASSIGNMENT.exec(text); match; match = ASSIGNMENT.exec(text)) {
      const value = readValue(text, match.index + match[0].length);
      if (!value) continue;
      found(value.start, value.end);
      ASSIGNMENT.lastIndex = value.end;
    }
  },
};

/** A `:` or `=` after a secret-naming word: looked for at separators only, as in `api-key.ts`. */
const MIGHT_MATCH =
  /[:=](?<=(?:passw(?:or)?d|pwd|passphrase|secret|credentials?|key|token)(?:\\?["'][ \t\r\n]*|[ \t]*)[:=])/i;

/** Keys repeat across spans: their answer is remembered (bounded, like the key rules' cache). */
const secretKeys = new Map<string, boolean>();
function namesSecret(key: string): boolean {
  if (key === '') return false;
  if (key.length > MAX_REMEMBERED_KEY_LENGTH) return SECRET_KEY.test(key);
  let answer = secretKeys.get(key);
  if (answer === undefined) {
    answer = SECRET_KEY.test(key);
    if (secretKeys.size >= 10_000) secretKeys.clear();
    secretKeys.set(key, answer);
  }
  return answer;
}

function readValue(text: string, from: number): { start: number; end: number } | undefined {
  let start = from;
  let quote = '';
  if (text[start] === '\\' && (text[start + 1] === '"' || text[start + 1] === "'")) start++;
  if (text[start] === '"' || text[start] === "'") {
    quote = text[start]!;
    start++;
  }
  let end = start;
  const limit = Math.min(text.length, start + 512);
  while (end < limit) {
    const ch = text[end]!;
    if (quote ? ch === quote || ch === '\\' : /[\s"'`,;&)\]}<>\\]/.test(ch)) break;
    end++;
  }
  return isSecretValue(text.slice(start, end)) ? { start, end } : undefined;
}

function isSecretValue(value: string): boolean {
  if (value.length < 3 || PLACEHOLDER.test(value)) return false;
  // Short numbers are counts and ports, not secrets.
  return !(value.length < 6 && /^\d+$/.test(value));
}
