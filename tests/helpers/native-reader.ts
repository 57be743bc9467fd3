/**
 * Reads ClickHouse Native blocks back into rows, for tests that look at what an exporter
 * handed to storage. Knows the types the exporter writes: String, (U)Int8–64, Float64,
 * DateTime64(n), Array(T) and Map(String, T).
 */
export type NativeValue = string | number | bigint | NativeValue[] | { [key: string]: NativeValue };

class Reader {
  at = 0;
  constructor(readonly bytes: Buffer) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  varUInt(): number {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      const byte = this.bytes[this.at++]!;
      value += (byte & 0x7f) * shift;
      if (!(byte & 0x80)) return value;
    }
  }

  string(): string {
    const length = this.varUInt();
    const text = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  column(type: string, rows: number): NativeValue[] {
    const values: NativeValue[] = [];
    const inner = /^(Array|Map)\((.*)\)$/.exec(type);
    if (inner) {
      const ends: number[] = [];
      for (let i = 0; i < rows; i++) ends.push(Number(this.fixed('UInt64')));
      const total = ends.at(-1) ?? 0;
      if (inner[1] === 'Array') {
        const flat = this.column(inner[2]!, total);
        let start = 0;
        for (const end of ends) values.push(flat.slice(start, (start = end)));
      } else {
        const valueType = inner[2]!.replace(/^String,\s*/, '');
        const keys = this.column('String', total);
        const items = this.column(valueType, total);
        let start = 0;
        for (const end of ends) {
          const map: Record<string, NativeValue> = {};
          for (let i = start; i < end; i++) map[keys[i] as string] = items[i]!;
          values.push(map);
          start = end;
        }
      }
      return values;
    }
    for (let i = 0; i < rows; i++)
      values.push(type === 'String' ? this.string() : this.fixed(type));
    return values;
  }

  private fixed(type: string): number | bigint {
    const { bytes, at } = this;
    const read: Record<string, [number, () => number | bigint]> = {
      UInt8: [1, () => bytes.readUInt8(at)],
      UInt16: [2, () => bytes.readUInt16LE(at)],
      UInt32: [4, () => bytes.readUInt32LE(at)],
      UInt64: [8, () => bytes.readBigUInt64LE(at)],
      Int32: [4, () => bytes.readInt32LE(at)],
      Int64: [8, () => bytes.readBigInt64LE(at)],
      Float64: [8, () => bytes.readDoubleLE(at)],
    };
    const [size, value] = read[type.startsWith('DateTime64') ? 'Int64' : type] ?? [];
    if (!size || !value) throw new Error(`the Native reader does not know the type ${type}`);
    const result = value();
    this.at += size;
    return result;
  }
}

/** Every row of the blocks in `payload` (blocks one after another), as column → value. */
export function readNativeRows(payload: Buffer): Record<string, NativeValue>[] {
  const reader = new Reader(payload);
  const rows: Record<string, NativeValue>[] = [];
  while (!reader.done) {
    const columns = reader.varUInt();
    const count = reader.varUInt();
    const block: Record<string, NativeValue>[] = Array.from({ length: count }, () => ({}));
    for (let c = 0; c < columns; c++) {
      const name = reader.string();
      const values = reader.column(reader.string(), count);
      values.forEach((value, i) => (block[i]![name] = value));
    }
    rows.push(...block);
  }
  return rows;
}
