import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { runEnd } from '../../../pipeline/cost-runs.js';
import { errorMessage } from '../../../pipeline/errors.js';
import type {
  EncodedChunk,
  EncodedRows,
  RowEncoder,
  UnencodableRow,
} from '../../helper/encoder.js';
import type { PayloadFormat } from '../../helper/queue/payload-format.js';
import { nativeBlocks } from './payload-format.js';
import type { BlockEncoder } from './block.js';

const ONE = (): number => 1;

export interface NativeRowsOptions<T> {
  block: BlockEncoder<T>;
  /** What identifies an item that cannot be encoded. */
  key: (item: T) => Record<string, string>;
  maxChunkBytes: number;
  /**
   * What one block may cost to encode, in units of `cost`. A block is encoded in one go (its
   * columns need all its rows), so this bounds how long one slice of encoding holds the event
   * loop: ~10 µs a span row makes 1,000 rows about 10 ms.
   */
  costPerBlock: number;
  /**
   * What one item costs, relative to others (default: 1, every row alike). A trace's row costs
   * by its steps: its summary and document are made from all of them.
   */
  cost?: (item: T) => number;
}

/**
 * Items as ClickHouse Native blocks, one block per chunk. Encoding yields to the event loop
 * between blocks; a block over `maxChunkBytes` is encoded again with half the rows; a block
 * that fails is encoded row by row, so only the rows that cannot be encoded are left out.
 */
export class NativeRowEncoder<T> implements RowEncoder<T> {
  readonly format: PayloadFormat;

  constructor(private readonly options: NativeRowsOptions<T>) {
    this.format = nativeBlocks(options.block.columnNames);
  }

  async encode(items: readonly T[]): Promise<EncodedRows> {
    const chunks: EncodedChunk[] = [];
    const unencodable: UnencodableRow[] = [];
    let budget = this.options.costPerBlock;
    for (let start = 0; start < items.length;) {
      const { end, cost } = runEnd(items, start, budget, this.options.cost ?? ONE);
      const rows = items.slice(start, end);
      const chunk = this.encodeBlock(rows, unencodable);
      if (chunk && chunk.payload.length > this.options.maxChunkBytes && rows.length > 1) {
        budget = cost / 2;
        continue;
      }
      if (chunk) chunks.push(chunk);
      start = end;
      if (start < items.length) await yieldToEventLoop();
    }
    return { chunks, unencodable };
  }

  private encodeBlock(rows: readonly T[], unencodable: UnencodableRow[]): EncodedChunk | undefined {
    const { block, key } = this.options;
    try {
      return { payload: block.encode(rows), rows: rows.length };
    } catch {
      const good = rows.filter((row) => {
        try {
          block.encode([row]);
          return true;
        } catch (error) {
          unencodable.push({ reason: `unserializable: ${errorMessage(error)}`, key: key(row) });
          return false;
        }
      });
      return good.length ? { payload: block.encode(good), rows: good.length } : undefined;
    }
  }
}
