import { extensionKey } from '../pipeline/host.js';
import type { Store } from './store.js';

/** The daemon's one store, offered to components (the ClickHouse exporter) as an extension. */
export const STORAGE = extensionKey<Store>('storage');
