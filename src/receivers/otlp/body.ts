import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw } from 'node:zlib';
import { PermanentError } from '../../pipeline/errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);

/** Codes of the bodies refused before decoding; status.ts gives each its HTTP and gRPC status. */
export const BODY_TOO_LARGE = 'body_too_large';
export const UNSUPPORTED_ENCODING = 'unsupported_encoding';
export const UNDECOMPRESSABLE = 'undecompressable';

/** A body refused as it is read: sending it again cannot help. */
export class BodyError extends PermanentError {
  constructor(
    code: typeof BODY_TOO_LARGE | typeof UNSUPPORTED_ENCODING | typeof UNDECOMPRESSABLE,
    message: string,
  ) {
    super(message, code);
  }
}

/**
 * Reads a request body of at most `limit` bytes as sent, then decompresses it to at most
 * `limit` bytes. zlib stops at `maxOutputLength`, so a gzip bomb is refused after inflating
 * `limit` bytes, never all of it.
 */
export async function readBody(
  request: IncomingMessage,
  limit: number,
): Promise<{ raw: number; body: Buffer }> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    throw new BodyError(
      UNSUPPORTED_ENCODING,
      `unsupported Content-Encoding "${encoding}": use gzip, deflate or none`,
    );
  }
  // An oversized body is read to its end and discarded (never buffered) rather than cut off:
  // a client still sending when its socket is closed sees a reset (EPIPE) instead of the 413.
  // The receiver's read timeout bounds how long that can take.
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) {
    request.resume();
    throw new BodyError(
      BODY_TOO_LARGE,
      `request body of ${declared} bytes is over the ${limit}-byte limit`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= limit) chunks.push(chunk as Buffer);
  }
  if (size > limit)
    throw new BodyError(BODY_TOO_LARGE, `request body is over the ${limit}-byte limit`);
  const raw = Buffer.concat(chunks, size);
  if (encoding === 'identity') return { raw: size, body: raw };
  return { raw: size, body: await decompress(raw, encoding, limit) };
}

/**
 * Inflates a gzip or deflate (zlib-wrapped or raw) `raw` to at most `limit` bytes; throws a
 * BodyError when it is larger or not compressed data.
 */
export async function decompress(raw: Buffer, encoding: string, limit: number): Promise<Buffer> {
  const options = { maxOutputLength: limit };
  try {
    if (encoding !== 'deflate') return await gunzipAsync(raw, options);
    // HTTP "deflate" is zlib-wrapped, but some clients send raw deflate: accept both.
    try {
      return await inflateAsync(raw, options);
    } catch (error) {
      if (isTooLarge(error)) throw error;
      return await inflateRawAsync(raw, options);
    }
  } catch (error) {
    if (isTooLarge(error))
      throw new BodyError(BODY_TOO_LARGE, `request body decompresses to more than ${limit} bytes`);
    throw new BodyError(
      UNDECOMPRESSABLE,
      `cannot decompress the ${encoding} body: ${(error as Error).message}`,
    );
  }
}

function isTooLarge(error: unknown): boolean {
  return (
    (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError
  );
}
