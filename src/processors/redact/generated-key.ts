import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ComponentConfig } from '../../pipeline/factory.js';
import { MIN_HMAC_KEY_LENGTH, type RedactConfig } from './config.js';

/** The generated key's file in the data directory; owner-only, like Grafana's secret key. */
export const GENERATED_KEY_FILE = 'redaction-hmac.key';

/**
 * Gives every redact processor without a configured `hmac_key` the key kept in the data
 * directory, generating it at the first start, so user ids are pseudonymised (and users
 * counted) out of the box and a user keeps one pseudonym across restarts. A configured key
 * wins; without any redact processor nothing is read or written.
 */
export function provideGeneratedHmacKey(
  processors: ComponentConfig[],
  dataDir: string,
  logger: Logger,
): void {
  const keyless = processors.filter(
    (component) =>
      component.type === 'redact' && (component.config as RedactConfig).hmac_key === '',
  );
  if (keyless.length === 0) return;
  const key = generatedKey(dataDir, logger);
  for (const component of keyless) {
    component.config = { ...(component.config as RedactConfig), hmac_key: key };
  }
}

function generatedKey(dataDir: string, logger: Logger): string {
  const path = join(dataDir, GENERATED_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // `wx`: of two daemons starting on one directory, one writes and the other reads.
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    logger.info(
      { path },
      'no hmac_key is configured: generated one for user-id pseudonyms and kept it in the data directory (owner-only); back it up with the data, or set hmac_key to use your own',
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = readFileSync(path, 'utf8').trim();
  if (key.length < MIN_HMAC_KEY_LENGTH) {
    throw new Error(
      `${path} holds no usable HMAC key (${key.length} characters, at least ${MIN_HMAC_KEY_LENGTH} needed): delete it to generate a new one (pseudonyms then change), or set hmac_key`,
    );
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    logger.warn({ path }, 'the generated HMAC key file is readable by others: chmod 600 it');
  }
  return key;
}
