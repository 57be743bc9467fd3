/**
 * Short strings seen before, found by their bytes: a decoder reading telemetry meets the same
 * keys, model and tool names, hosts and enum-like values in request after request, and hands
 * out one string for all of them. That spares an allocation per repeat, and later stages that
 * look these strings up (redaction's memo, the assembler's maps) hash and compare the same
 * string object instead of a fresh copy. Spans in flight, and the steps assembly keeps from
 * them for seconds, share them too.
 *
 * Direct-mapped: one entry per slot, the newest wins, so a one-off value costs one slot and
 * values in steady use come back. The bytes live in one preallocated pool, so a miss copies
 * them and allocates nothing but the string.
 */
export class InternTable {
  /** Slot `i` holds its bytes at `i * maxBytes`; `lengths[i]` is their length plus one (0: empty). */
  private readonly pool: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly texts: string[];
  private readonly mask: number;

  /** `slots` a power of two; `maxBytes` at most 254 (lengths are kept in a byte). */
  constructor(
    readonly maxBytes: number,
    slots: number,
  ) {
    if (!(maxBytes >= 1 && maxBytes <= 254) || !(slots >= 1 && (slots & (slots - 1)) === 0)) {
      throw new RangeError(
        'an intern table needs 1-254 bytes a slot and a power-of-two number of slots',
      );
    }
    this.pool = new Uint8Array(maxBytes * slots);
    this.lengths = new Uint8Array(slots);
    this.texts = new Array<string>(slots).fill('');
    this.mask = slots - 1;
  }

  /**
   * The string of `buf[from, to)` (at most `maxBytes`), made by `decode` the first time these
   * bytes are seen. `decode` may throw (invalid UTF-8): then nothing is kept.
   */
  get(
    buf: Uint8Array,
    from: number,
    to: number,
    decode: (from: number, to: number) => string,
  ): string {
    const length = to - from;
    let hash = 0x811c9dc5;
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const slot = (hash ^ length) & this.mask;
    const pool = this.pool;
    const at = slot * this.maxBytes;
    if (this.lengths[slot] === length + 1) {
      let i = 0;
      while (i < length && pool[at + i] === buf[from + i]) i++;
      if (i === length) return this.texts[slot]!;
    }
    const text = decode(from, to);
    // A loop, not `set(subarray)`: for a few bytes, making the view costs more than the copy.
    for (let i = 0; i < length; i++) pool[at + i] = buf[from + i]!;
    this.lengths[slot] = length + 1;
    this.texts[slot] = text;
    return text;
  }
}
