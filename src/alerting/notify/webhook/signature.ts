import { createHmac } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, the form GitHub-style receivers check. */
export function signBody(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}
