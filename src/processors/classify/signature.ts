import * as crypto from 'node:crypto';

/**
 * Failure identity. The signature groups recurrences of one failure; the failure id tells
 * re-deliveries of one failure apart from new ones. Both are the first 16 bytes of SHA-256,
 * in hex, over fields joined by a separator no field contains.
 */
const SEPARATOR = '\u001f';

/**
 * `crypto.hash` (Node 20.12+) is the one-shot form: 0.5 µs against 1.1 µs for createHash()
 * on a message-sized input, and every failure takes two.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

const hash = (parts: string[]): string => sha256Hex(parts.join(SEPARATOR)).slice(0, 32);

/** One placeholder for every kind of value, so a value is the same however it was written. */
const PLACEHOLDER = '<*>';

/**
 * What varies between recurrences of the same failure, replaced by a placeholder, in order:
 * redaction tokens first (`<EMAIL>`, `<PHONE>` — so the redactor's output groups however it
 * was produced), then URLs and emails (before their digits and quotes are touched), quoted
 * values, UUIDs, and any token with a digit in it (numbers, hex ids, `user_8f3a2`, `1.5s`,
 * `10.0.0.1`). The input is a finished message, at most `max_message_length` characters,
 * which bounds what the patterns can cost on client text.
 */
interface Normalisation {
  pattern: RegExp;
  replacement: string;
  /** A character any match contains; a message without it skips the pattern (most do). */
  needs?: string[];
}

const NORMALISATIONS: Normalisation[] = [
  { pattern: /<[A-Z][A-Z0-9_]*>/g, replacement: PLACEHOLDER, needs: ['<'] },
  // The lookbehinds let a match start only where a run of its characters starts: without
  // them a long run with no `://`, `@` or digit is rescanned from every position in it.
  {
    pattern: /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi,
    replacement: PLACEHOLDER,
    needs: ['://'],
  },
  { pattern: /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, replacement: PLACEHOLDER, needs: ['@'] },
  {
    pattern: /(?<!\w)"[^"\n]{0,500}"|(?<!\w)'[^'\n]{0,500}'(?!\w)|`[^`\n]{0,500}`/g,
    replacement: PLACEHOLDER,
    needs: ['"', "'", '`'],
  },
  {
    pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
    replacement: PLACEHOLDER,
    needs: ['-'],
  },
  { pattern: /(?<![a-z0-9])[a-z]*\d[a-z0-9]*/gi, replacement: PLACEHOLDER },
  { pattern: /<\*>(?:[.:,]<\*>)+/g, replacement: PLACEHOLDER, needs: ['<*>'] },
  // Runs and non-space whitespace only: single spaces, the common case, are left alone.
  { pattern: /\s{2,}|[^\S ]/g, replacement: ' ' },
];

/** Operation names are short; a longer one is cut before it is normalised. */
const MAX_OPERATION_LENGTH = 256;

/** The message with everything that differs between recurrences taken out. */
export function normaliseMessage(message: string): string {
  let text = message;
  for (const { pattern, replacement, needs } of NORMALISATIONS) {
    if (!needs || needs.some((part) => text.includes(part)))
      text = text.replace(pattern, replacement);
  }
  return text.trim().toLowerCase();
}

/**
 * Operations (tool names, span names) repeat from failure to failure, so their normal forms
 * are kept; the map is emptied when full rather than managed, as a miss costs one normalise.
 */
const normalisedOperations = new Map<string, string>();
const MAX_CACHED_OPERATIONS = 1024;

function normaliseOperation(operation: string): string {
  let normal = normalisedOperations.get(operation);
  if (normal === undefined) {
    normal = normaliseMessage(operation.slice(0, MAX_OPERATION_LENGTH));
    if (normalisedOperations.size >= MAX_CACHED_OPERATIONS) normalisedOperations.clear();
    normalisedOperations.set(operation, normal);
  }
  return normal;
}

export interface SignatureParts {
  service: string;
  stepType: string;
  /** Tool name, else the step's operation, else the span name. */
  operation: string;
  failureClass: string;
  message: string;
}

/** Stable across recurrences: the same failure of the same tool in the same service. */
export function failureSignature(parts: SignatureParts): string {
  return hash([
    parts.service,
    parts.stepType,
    normaliseOperation(parts.operation),
    parts.failureClass,
    normaliseMessage(parts.message),
  ]);
}

/** Stable across re-deliveries of one span (or one trace's emissions): the same capture. */
export function failureId(
  traceId: string,
  spanId: string,
  ruleId: string,
  failureClass: string,
): string {
  return hash([traceId, spanId, ruleId, failureClass]);
}
