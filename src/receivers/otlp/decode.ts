import { MalformedRequest } from './convert.js';

/**
 * JSON text must be UTF-8; invalid sequences are refused rather than replaced, as the protobuf
 * decoders refuse them in string fields, so both encodings answer bad text with a 400.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses an OTLP/JSON body; throws MalformedRequest on invalid UTF-8 or invalid JSON. */
export function decodeJsonRequest(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new MalformedRequest('the JSON body is not valid UTF-8');
  }
  try {
    return JSON.parse(MAYBE_LONG_INTEGER.test(text) ? quoteLongIntegers(text) : text) as unknown;
  } catch (error) {
    throw new MalformedRequest(`cannot parse the JSON body: ${(error as Error).message}`);
  }
}

/**
 * A number literal of 16 or more digits in a value position. JSON.parse would round it to a
 * double, but OTLP/JSON may carry 64-bit integers (timestamps, int values) as plain numbers.
 * Most senders write them as strings, so this cheap test keeps the common case on the fast path.
 */
const MAYBE_LONG_INTEGER = /[:,[]\s*-?\d{16}/;

/** Rewrites integer literals of 16+ digits outside strings as strings, which OTLP/JSON allows. */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x2d /* - */ && (c < 0x30 || c > 0x39)) continue;
    let end = i + 1;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
    const literal = text.slice(i, end);
    if (/^-?\d{16,}$/.test(literal)) {
      out += `${text.slice(copiedUpTo, i)}"${literal}"`;
      copiedUpTo = end;
    }
    i = end - 1;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

function isNumberChar(c: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return (
    (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d
  );
}
