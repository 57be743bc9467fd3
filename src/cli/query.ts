import { existsSync } from 'node:fs';
import { builtinFactories } from '../components.js';
import { loadConfigFile } from '../config/load.js';
import { PipelineError } from '../pipeline/errors.js';
import { createStore } from '../storage/open.js';
import { QUERY_FORMATS, runReadonlyQuery, type QueryFormat } from '../storage/queries/readonly.js';
import { resolveConfigPath } from './config-path.js';
import { daemonUrl } from './daemon-url.js';
import { UsageError } from './errors.js';

export interface QueryOptions {
  config?: string;
  format?: string;
  /** Admin URL of a running daemon; by default the one in the config. */
  url?: string;
}

/**
 * `faultline query "SQL"`: asks the running daemon's API when one answers (the embedded engine
 * holds its data directory), and otherwise opens the store itself.
 */
export async function queryCommand(sql: string, options: QueryOptions): Promise<void> {
  const format = parseFormat(options.format);
  const config = loadConfigFile(resolveConfigPath(options.config), builtinFactories);
  const base = options.url ?? daemonUrl(config);
  const viaDaemon = await queryDaemon(base, config.admin.bearer_token, sql, format);
  if (viaDaemon !== undefined) return void process.stdout.write(viaDaemon);
  if (options.url) throw new UsageError(`no Faultline daemon answers at ${options.url}`);
  if (config.storage.engine === 'embedded' && !existsSync(config.storage.path)) {
    throw new UsageError(
      `no daemon answers at ${base} and there is no data at ${config.storage.path}; start one with "faultline serve" or pass the daemon's --config`,
    );
  }
  const store = createStore(config.storage);
  await store.open();
  try {
    process.stdout.write(await runReadonlyQuery(store, sql, format));
  } catch (error) {
    throw error instanceof PipelineError ? new UsageError(error.message) : error;
  } finally {
    await store.close();
  }
}

function parseFormat(given: string | undefined): QueryFormat {
  const format = given ?? (process.stdout.isTTY ? 'PrettyCompact' : 'TSV');
  if (!(QUERY_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}": use one of ${QUERY_FORMATS.join(', ')}`);
  }
  return format as QueryFormat;
}

/** The daemon's answer, or undefined when no daemon is listening. */
async function queryDaemon(
  base: string,
  token: string,
  sql: string,
  format: QueryFormat,
): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/v1/query`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ sql, format }),
    });
  } catch {
    return undefined;
  }
  const text = await response.text();
  if (response.ok) return text;
  let message = text;
  try {
    message = (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    // not a Faultline error body; show it as it came
  }
  throw new UsageError(`query refused (HTTP ${response.status}): ${message}`);
}
