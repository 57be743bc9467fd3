// The part of ClickHouse's HTTP interface the daemon's server store uses, served by chDB in a
// process of its own: so the ingest bench can run the daemon on its server engine, without the
// engine in the daemon's process, against a current ClickHouse. (The Debian clickhouse-server
// is 18.16, which cannot hold the schema: no Map, no DateTime64.) Not a ClickHouse server:
// one data directory, no users, queries run one at a time as chDB runs them.
//
//   node bench/clickhouse-http.mjs <data directory>
//
// Listens on a free loopback port and sends `{ port }` to its parent (IPC) or prints it.
//   GET /ping                            → "Ok."
//   POST ?query=INSERT … FORMAT F, body  → the body inserted (Native through a file, as the
//                                          embedded store does; text formats directly)
//   POST body = SQL (or ?query=SQL)      → its result; a trailing FORMAT clause is kept
// Other URL parameters are query settings, as with ClickHouse; failures answer 500 with
// ClickHouse's `Code: N. DB::Exception: …` text, which the client turns into an error.

import { Buffer } from 'node:buffer';
import console from 'node:console';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';
import { Session } from 'chdb';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: node bench/clickhouse-http.mjs <data directory>');
const insertDir = join(dataDir, 'http-inserts');
mkdirSync(insertDir, { recursive: true });
const session = new Session(dataDir);

/** URL parameters of the HTTP protocol itself; every other one is a setting. */
const PROTOCOL_PARAMS = new Set(['query', 'query_id', 'database', 'session_id', 'role']);
const INSERT = /^\s*INSERT\s+INTO\s+(\S+)\s*(\([^)]*\))?\s*FORMAT\s+(\w+)\s*$/is;
const TRAILING_FORMAT = /\s+FORMAT\s+(\w+)\s*$/i;

const quoted = (value) => `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function settingsOf(params) {
  const settings = [];
  for (const [key, value] of params) {
    if (PROTOCOL_PARAMS.has(key)) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`unsupported parameter ${key}`);
    settings.push(`${key} = ${quoted(value)}`);
  }
  return settings.length ? ` SETTINGS ${settings.join(', ')}` : '';
}

async function insert(match, body, settings) {
  const [, table, columns = '', format] = match;
  if (format !== 'Native') {
    await session.insert({ table, values: body.toString('utf8'), format });
    return '';
  }
  const path = join(insertDir, `${randomUUID()}.native`);
  writeFileSync(path, body);
  try {
    await session.queryAsync(
      `INSERT INTO ${table} ${columns}${settings} SELECT * FROM file(${quoted(path)}, 'Native')`,
      { format: 'TSV' },
    );
  } finally {
    rmSync(path, { force: true });
  }
  return '';
}

async function query(sql, settings) {
  const format = TRAILING_FORMAT.exec(sql);
  const statement = format ? sql.slice(0, format.index) : sql;
  const result = await session.queryAsync(statement + settings, { format: format?.[1] ?? 'TSV' });
  return result.text();
}

async function answer(request) {
  const url = new URL(request.url, 'http://localhost');
  if (request.method === 'GET' && url.pathname === '/ping') return 'Ok.\n';
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const settings = settingsOf(url.searchParams);
  const inUrl = url.searchParams.get('query');
  const match = inUrl ? INSERT.exec(inUrl) : null;
  if (match) return insert(match, body, settings);
  return query([inUrl, body.toString('utf8')].filter(Boolean).join('\n'), settings);
}

const server = createServer((request, response) => {
  answer(request).then(
    (text) => {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
      response.end(text);
    },
    (error) => {
      const message = String(error?.message ?? error).replace(/\s+/g, ' ');
      const code = /Code: (\d+)/.exec(message)?.[1] ?? '0';
      response.writeHead(500, { 'X-ClickHouse-Exception-Code': code });
      response.end(
        /DB::Exception/.test(message) ? message : `Code: ${code}. DB::Exception: ${message}`,
      );
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(`listening on http://127.0.0.1:${port}`);
});
const stop = () => {
  server.close();
  session.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
