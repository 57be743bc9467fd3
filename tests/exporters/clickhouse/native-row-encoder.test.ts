/** How the Native row encoder cuts items into blocks: by cost, and smaller when too large. */
import { describe, expect, it } from 'vitest';
import { NativeBlockEncoder, columnsOf } from '../../../src/exporters/clickhouse/native/block.js';
import { NativeRowEncoder } from '../../../src/exporters/clickhouse/native/row-encoder.js';
import { String_, UInt32 } from '../../../src/exporters/clickhouse/native/types.js';
import { readNativeRows } from '../../helpers/native-reader.js';

interface Item {
  id: number;
  cost: number;
  text: string;
}

const column = columnsOf<Item>();
const block = new NativeBlockEncoder<Item>(
  [column('Id', UInt32, (item) => item.id), column('Text', String_, (item) => item.text)],
  (item) => item,
);

const items = (costs: number[], text = ''): Item[] => costs.map((cost, id) => ({ id, cost, text }));

const encoder = (options: { maxChunkBytes?: number; costPerBlock: number; weighed?: boolean }) =>
  new NativeRowEncoder<Item>({
    block,
    key: (item) => ({ Id: String(item.id) }),
    maxChunkBytes: options.maxChunkBytes ?? 1024 * 1024,
    costPerBlock: options.costPerBlock,
    ...(options.weighed && { cost: (item: Item) => item.cost }),
  });

async function blockIds(rows: NativeRowEncoder<Item>, input: Item[]): Promise<number[][]> {
  const { chunks, unencodable } = await rows.encode(input);
  expect(unencodable).toEqual([]);
  return chunks.map((chunk) => {
    const rows = readNativeRows(chunk.payload);
    expect(rows).toHaveLength(chunk.rows);
    return rows.map((row) => Number(row['Id']));
  });
}

describe('NativeRowEncoder', () => {
  it('puts as many rows in a block as costPerBlock covers, each row counted once', async () => {
    expect(await blockIds(encoder({ costPerBlock: 2 }), items([9, 9, 9, 9, 9]))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });

  it('weighs rows by their cost, and gives a row costing more than a block a block of its own', async () => {
    const weighed = encoder({ costPerBlock: 500, weighed: true });
    expect(await blockIds(weighed, items([400, 400, 10, 10, 600, 1]))).toEqual([
      [0],
      [1, 2, 3],
      [4],
      [5],
    ]);
  });

  it('encodes a block over maxChunkBytes again with half its cost', async () => {
    // Room for about two rows of 100 bytes of text.
    const small = encoder({ maxChunkBytes: 260, costPerBlock: 8, weighed: true });
    const ids = await blockIds(small, items([1, 1, 1, 1, 1, 1, 1, 1], 'x'.repeat(100)));
    expect(ids).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
  });
});
