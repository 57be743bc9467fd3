import { LOCAL_SUFFIX, type DdlTarget } from '../schema/target.js';
import { queryRows, sqlString } from '../sql.js';
import type { Store } from '../store.js';

/** Storage use of one table, from the active parts in `system.parts`. */
export interface TableUsage {
  table: string;
  rows: number;
  parts: number;
  bytesOnDisk: number;
  compressedBytes: number;
  uncompressedBytes: number;
  /** Uncompressed over compressed bytes; 0 for an empty table. */
  compressionRatio: number;
}

/**
 * Reads the storage use of every table of the database: one query over `system.parts`
 * (metadata, not data). On a cluster it reads one replica of every shard.
 */
export async function storageUsage(store: Store, target: DdlTarget): Promise<TableUsage[]> {
  const parts = target.cluster
    ? `cluster(${sqlString(target.cluster)}, system.parts)`
    : 'system.parts';
  const found = await queryRows<Record<string, string | number>>(
    store,
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(bytes_on_disk) AS bytes,
       sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
FROM ${parts}
WHERE database = ${sqlString(target.database)} AND active
GROUP BY table
ORDER BY table`,
  );
  return found.map((row) => {
    const compressed = Number(row['compressed']);
    const uncompressed = Number(row['uncompressed']);
    const table = String(row['table']);
    return {
      table:
        target.cluster && table.endsWith(LOCAL_SUFFIX)
          ? table.slice(0, -LOCAL_SUFFIX.length)
          : table,
      rows: Number(row['rows']),
      parts: Number(row['parts']),
      bytesOnDisk: Number(row['bytes']),
      compressedBytes: compressed,
      uncompressedBytes: uncompressed,
      compressionRatio: compressed > 0 ? Math.round((uncompressed / compressed) * 100) / 100 : 0,
    };
  });
}
