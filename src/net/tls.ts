import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * TLS for a listener, shaped like the Collector's configtls: a PEM certificate chain and key,
 * and optionally a CA bundle that client certificates must chain to (mutual TLS).
 */
export const tlsSchema = z
  .object({
    cert_file: z.string().min(1, 'give the PEM certificate file'),
    key_file: z.string().min(1, 'give the PEM private key file'),
    /** When set, clients must present a certificate signed by one of these CAs. */
    client_ca_file: z.string().min(1).optional(),
  })
  .strict();

export type TlsConfig = z.infer<typeof tlsSchema>;

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | undefined;
}

/** Reads the files named by `config` at start-up; errors name the config key and the file. */
export function loadTls(config: TlsConfig, path: string): TlsMaterial {
  const read = (key: keyof TlsConfig, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new Error(`${path}.tls.${key}: cannot read ${file} (${code})`, { cause: error });
    }
  };
  return {
    cert: read('cert_file', config.cert_file),
    key: read('key_file', config.key_file),
    clientCa: config.client_ca_file ? read('client_ca_file', config.client_ca_file) : undefined,
  };
}
