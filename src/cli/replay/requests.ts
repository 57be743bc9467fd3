import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** One OTLP export request read from a file, as it will be posted. */
export interface SavedRequest {
  body: Buffer;
  contentType: 'application/json' | 'application/x-protobuf';
  /** Where it came from, for messages: `file` or `file:line`. */
  origin: string;
}

/** OTLP/HTTP bodies are 16 MiB at most by default; a saved request is bounded the same way. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The requests saved in one file, in order: OTLP/JSON (one request, pretty-printed or not),
 * JSONL of OTLP/JSON requests (one per line, as the Collector's file exporter writes), or one
 * OTLP protobuf request; gzip-compressed or not (told by its first bytes). JSONL is streamed
 * line by line; a single request is read whole, up to `MAX_REQUEST_BYTES`. `onBytes` is told
 * of every byte read from the file, for progress.
 */
export async function* requestsIn(
  path: string,
  onBytes: (bytes: number) => void,
): AsyncGenerator<SavedRequest> {
  const head = await firstBytes(path, 2);
  const gzipped = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const content = (counted = true): Readable => {
    const file = createReadStream(path);
    if (counted) file.on('data', (chunk) => onBytes(chunk.length));
    return gzipped ? file.pipe(createGunzip()) : file;
  };
  const start = await firstNonBlank(content(false));
  if (start !== '{'.charCodeAt(0)) {
    yield {
      body: await whole(content(), path),
      contentType: 'application/x-protobuf',
      origin: path,
    };
    return;
  }
  let lineNumber = 0;
  let pending: string[] | undefined;
  let pendingBytes = 0;
  for await (const line of linesOf(content(), path)) {
    lineNumber++;
    if (pending) {
      pendingBytes += line.length + 1;
      if (pendingBytes > MAX_REQUEST_BYTES) throw tooLarge(path);
      pending.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    if (!isJson(line)) {
      // Not one request per line: the file is one (pretty-printed) request.
      pending = [line];
      pendingBytes = line.length + 1;
      continue;
    }
    yield {
      body: Buffer.from(line),
      contentType: 'application/json',
      origin: `${path}:${lineNumber}`,
    };
  }
  if (pending) {
    const body = Buffer.from(pending.join('\n'));
    yield { body, contentType: 'application/json', origin: path };
  }
}

/**
 * The stream's lines (without `\n` / `\r\n`), each bounded by `MAX_REQUEST_BYTES`: a file
 * with no line breaks cannot make the reader hold more than one request's worth.
 */
async function* linesOf(stream: Readable, path: string): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let newline: number;
    while ((newline = pending.indexOf(0x0a)) !== -1) {
      yield pending.subarray(0, newline).toString('utf8').replace(/\r$/, '');
      pending = pending.subarray(newline + 1);
    }
    if (pending.length > MAX_REQUEST_BYTES) {
      stream.destroy();
      throw tooLarge(path);
    }
  }
  if (pending.length > 0) yield pending.toString('utf8').replace(/\r$/, '');
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const file = await open(path);
  try {
    const buffer = Buffer.alloc(count);
    const { bytesRead } = await file.read(buffer, 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The first byte that is not JSON whitespace, or undefined for an empty file. */
async function firstNonBlank(stream: Readable): Promise<number | undefined> {
  try {
    for await (const chunk of stream) {
      for (const byte of chunk as Buffer) if (![0x20, 0x09, 0x0a, 0x0d].includes(byte)) return byte;
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

async function whole(stream: Readable, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      stream.destroy();
      throw tooLarge(path);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (path: string) =>
  new Error(
    `${path}: a request over ${MAX_REQUEST_BYTES / 1024 / 1024} MiB; split it into smaller ones`,
  );
