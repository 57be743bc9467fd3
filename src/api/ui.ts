import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

/**
 * The review UI's files (built into dist/ui). The UI holds no data itself; everything it shows
 * comes from the API, behind the admin token. The policy lets the page load only its own
 * scripts and styles and talk only to this origin: no inline script, no other origin.
 */
const UI_DIR = new URL('../ui/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
for (const name of ['app', 'api', 'dom', 'queue', 'signature', 'trace', 'alerting', 'overview'])
  FILES[`/ui/${name}.js`] = { file: `${name}.js`, type: 'text/javascript; charset=utf-8' };

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves a UI file; false when `path` is not one. */
export async function serveUi(path: string, response: ServerResponse): Promise<boolean> {
  const entry = FILES[path];
  if (!entry) return false;
  const body = await readFile(new URL(entry.file, UI_DIR));
  response
    .writeHead(200, {
      'Content-Type': entry.type,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    })
    .end(body);
  return true;
}
