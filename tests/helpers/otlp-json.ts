import type { DaemonHandle } from './daemon.js';

/**
 * One OTLP/JSON request with `count` spans in trace `traceId` (span ids 1…count), each
 * carrying `padding` bytes in an attribute when given (to fill queues quickly).
 */
export function jsonRequest(
  traceId: string,
  count: number,
  service = 'test-service',
  padding = 0,
): string {
  const attributes = padding
    ? [{ key: 'padding', value: { stringValue: 'x'.repeat(padding) } }]
    : [];
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `step-${i}`,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)),
    endTimeUnixNano: String(1_700_000_000_500_000_000n + BigInt(i)),
    attributes,
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ spans }],
      },
    ],
  });
}

/** POSTs an OTLP/JSON body to the daemon's HTTP receiver; resolves with the status code. */
export async function postJson(daemon: DaemonHandle, body: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${daemon.httpPort}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  await response.text();
  return response.status;
}

/** A 32-hex-digit trace id: `prefix` then `n`, zero-padded. */
export const traceIdFor = (prefix: string, n: number): string =>
  `${prefix}${n.toString(16).padStart(32 - prefix.length, '0')}`;
