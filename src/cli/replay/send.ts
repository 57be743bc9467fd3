import { setTimeout as sleep } from 'node:timers/promises';
import { ExportTraceServiceResponse } from '../../receivers/otlp/proto.js';
import type { SavedRequest } from './requests.js';

/** What became of one request. */
export type Outcome =
  | { kind: 'accepted' }
  | { kind: 'partial'; rejectedSpans: number; message: string }
  | { kind: 'refused'; message: string };

export interface SendOptions {
  /** The OTLP/HTTP traces URL, e.g. http://localhost:4318/v1/traces. */
  url: string;
  /** Attempts after the first for 429 / 503 and unreachable daemons. */
  retries: number;
  headers: Record<string, string>;
  /** Told before each wait, for the progress line. */
  onRetry?: (waitMs: number, reason: string) => void;
}

/** Without Retry-After, waits double from here, up to the cap. */
const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 30_000;

/**
 * Posts one saved request, retrying what the OTLP spec calls retryable here (429, 503, and a
 * daemon not answering) after the server's Retry-After, else a doubling wait. A 200 may still
 * carry a partial success: the spans the daemon rejected.
 */
export async function send(request: SavedRequest, options: SendOptions): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    let retry: { waitMs: number; reason: string };
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { ...options.headers, 'Content-Type': request.contentType },
        body: request.body,
      });
      const body = Buffer.from(await response.arrayBuffer());
      if (response.ok) return successOf(body, request.contentType);
      const reason = `${response.status} ${errorText(body)}`.trim();
      if (response.status !== 429 && response.status !== 503)
        return { kind: 'refused', message: reason };
      retry = { waitMs: retryAfterMs(response.headers.get('retry-after'), attempt), reason };
    } catch (error) {
      retry = {
        waitMs: backoffMs(attempt),
        reason: (error as Error).cause ? String((error as Error).cause) : String(error),
      };
    }
    if (attempt >= options.retries) {
      return {
        kind: 'refused',
        message: `${retry.reason} (gave up after ${attempt + 1} attempts)`,
      };
    }
    options.onRetry?.(retry.waitMs, retry.reason);
    await sleep(retry.waitMs);
  }
}

function successOf(body: Buffer, contentType: SavedRequest['contentType']): Outcome {
  const partial = partialSuccessOf(body, contentType);
  return partial && partial.rejectedSpans > 0
    ? { kind: 'partial', rejectedSpans: partial.rejectedSpans, message: partial.message }
    : { kind: 'accepted' };
}

function partialSuccessOf(
  body: Buffer,
  contentType: SavedRequest['contentType'],
): { rejectedSpans: number; message: string } | undefined {
  if (body.length === 0) return undefined;
  try {
    const response = (
      contentType === 'application/json'
        ? JSON.parse(body.toString('utf8'))
        : ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(body), {
            longs: String,
          })
    ) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
    const partial = response.partialSuccess;
    if (!partial) return undefined;
    return {
      rejectedSpans: Number(partial.rejectedSpans ?? 0),
      message: partial.errorMessage ?? '',
    };
  } catch {
    return undefined;
  }
}

/** The message of an OTLP error body (JSON `{code, message}` or a google.rpc.Status), short. */
function errorText(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === 'string') return json.message;
  } catch {
    // not JSON: protobuf or plain text
  }
  return text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);
}

function retryAfterMs(header: string | null, attempt: number): number {
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_WAIT_MS);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - Date.now()), MAX_WAIT_MS);
  }
  return backoffMs(attempt);
}

const backoffMs = (attempt: number): number => Math.min(FIRST_WAIT_MS * 2 ** attempt, MAX_WAIT_MS);
