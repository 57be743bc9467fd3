import type { FaultlineConfig } from '../config/load.js';
import { splitEndpoint } from '../config/units.js';

/** The admin URL of the daemon the config describes (a wildcard listen address → loopback). */
export function daemonUrl(config: FaultlineConfig): string {
  const { host, port } = splitEndpoint(config.admin.endpoint);
  // With admin TLS the daemon speaks HTTPS only (a private CA is trusted via NODE_EXTRA_CA_CERTS).
  const scheme = config.admin.tls ? 'https' : 'http';
  return `${scheme}://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
}
