import type { PayloadFormat } from '../../helper/queue/payload-format.js';
import { mergeNativeBlocks } from './merge.js';

/** The row count of a Native block: its second LEB128 number, after the column count. */
function blockRows(block: Buffer): number {
  let at = 0;
  while (block[at]! & 0x80) at++;
  let rows = 0;
  for (let shift = 1; ; shift *= 128) {
    const byte = block[++at] ?? 0;
    rows += (byte & 0x7f) * shift;
    if (!(byte & 0x80)) return rows;
  }
}

/**
 * ClickHouse Native blocks (one per record), merged into one block per insert. A block is the
 * smallest part; typed columns leave storage little to refuse row by row. The dead-letter file
 * keeps a refused block in base64, to be inserted again with `FORMAT Native`.
 */
export function nativeBlocks(columns: readonly string[]): PayloadFormat {
  return {
    insert: { name: 'Native', columns },
    body: mergeNativeBlocks,
    split: (payloads) => [...payloads],
    rowsIn: (parts) => parts.reduce((sum, block) => sum + blockRows(block), 0),
    deadLetterRow: (part) => Buffer.from(JSON.stringify({ native: part.toString('base64') })),
  };
}
