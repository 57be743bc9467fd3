import { availableMemory } from '../telemetry/available-memory.js';
import type { StorageConfig } from './config.js';
import { EmbeddedStore } from './embedded.js';
import { ServerStore } from './server.js';
import type { Store } from './store.js';

export function createStore(config: StorageConfig): Store {
  if (config.engine === 'embedded') {
    const memory = Math.floor((availableMemory() * config.embedded_memory_percentage) / 100);
    return new EmbeddedStore(config.path, config.database, memory, config.embedded_connections);
  }
  return new ServerStore({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    requestTimeoutMs: config.request_timeout,
    dedupTokens: config.dedup_tokens,
  });
}
