// What the benchmarks' embedded stores share with the daemon's.

import { storageSchema } from '../dist/storage/config.js';

/** The codecs a daemon creates its tables with by default (`storage.compression`). */
export const SHIPPED_COMPRESSION = storageSchema.parse({}).compression;
