import { statSync } from 'node:fs';
import { Progress } from '../progress.js';
import { UsageError } from '../errors.js';
import { requestsIn } from './requests.js';
import { send, type Outcome } from './send.js';

export interface ReplayOptions {
  /** The daemon's OTLP/HTTP endpoint, or its full traces URL. */
  endpoint?: string;
  retries?: string;
  /** `Name: value` headers, e.g. `Authorization: Bearer …`. */
  header?: string[];
}

export interface ReplayCounts {
  requests: number;
  accepted: number;
  partial: number;
  rejectedSpans: number;
  refused: number;
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_RETRIES = 5;

/**
 * `faultline replay FILE…`: re-sends saved OTLP trace requests to a daemon's OTLP/HTTP
 * receiver, one at a time and in order, and prints how many were accepted, partially rejected
 * and refused. Exits non-zero when any was refused.
 */
export async function replayCommand(files: string[], options: ReplayOptions): Promise<void> {
  if (files.length === 0)
    throw new UsageError('replay needs files, e.g. faultline replay traces.jsonl.gz');
  const url = tracesUrl(options.endpoint ?? DEFAULT_ENDPOINT);
  const retries = retriesOf(options.retries);
  const headers = headersOf(options.header ?? []);
  const sizes = files.map((file) => {
    try {
      return statSync(file).size;
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
  });
  const totalBytes = Math.max(
    1,
    sizes.reduce((a, b) => a + b, 0),
  );
  const counts: ReplayCounts = {
    requests: 0,
    accepted: 0,
    partial: 0,
    rejectedSpans: 0,
    refused: 0,
  };
  const progress = new Progress(`replaying ${files.length} file(s) to ${url}`, 1);
  let readBytes = 0;
  const show = (note = '') =>
    progress.show(
      readBytes / totalBytes,
      `${counts.requests} sent: ${counts.accepted} accepted, ${counts.partial} partial, ${counts.refused} refused${note}`,
    );
  for (const file of files) {
    for await (const request of requestsIn(file, (bytes) => (readBytes += bytes))) {
      const outcome = await send(request, {
        url,
        retries,
        headers,
        onRetry: (waitMs, reason) => show(` (retrying in ${Math.ceil(waitMs / 1000)}s: ${reason})`),
      });
      count(counts, outcome);
      if (outcome.kind === 'refused')
        warn(progress, `${request.origin}: refused: ${outcome.message}`);
      if (outcome.kind === 'partial') {
        warn(
          progress,
          `${request.origin}: ${outcome.rejectedSpans} span(s) rejected: ${outcome.message}`,
        );
      }
      show();
    }
  }
  progress.done();
  process.stdout.write(
    `${counts.requests} request(s) from ${files.length} file(s): ${counts.accepted} accepted, ` +
      `${counts.partial} partially rejected (${counts.rejectedSpans} span(s) rejected), ${counts.refused} refused\n`,
  );
  if (counts.refused > 0) process.exitCode = 1;
}

function count(counts: ReplayCounts, outcome: Outcome): void {
  counts.requests++;
  if (outcome.kind === 'accepted') counts.accepted++;
  else if (outcome.kind === 'refused') counts.refused++;
  else {
    counts.partial++;
    counts.rejectedSpans += outcome.rejectedSpans;
  }
}

/** A line of its own, even while the progress bar is drawn. */
function warn(progress: Progress, message: string): void {
  progress.done();
  process.stderr.write(`faultline: ${message}\n`);
}

function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`);
  } catch {
    throw new UsageError(`--endpoint "${endpoint}" is not a URL, e.g. http://localhost:4318`);
  }
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return url.toString();
}

function retriesOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RETRIES;
  const retries = Number(text);
  if (!Number.isInteger(retries) || retries < 0) {
    throw new UsageError(`--retries must be a whole number, not "${text}"`);
  }
  return retries;
}

function headersOf(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`--header "${line}" is not "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
