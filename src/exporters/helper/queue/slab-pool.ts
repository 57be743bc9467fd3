/** The size of one slab; a smaller memory bound makes one slab of that size. */
const SLAB_BYTES = 8 * 1024 * 1024;

/** A slab and how many copies in it are still held. */
export interface Slab {
  readonly buffer: Buffer;
  used: number;
  held: number;
}

/**
 * Copies of payloads in a few large buffers that are used again once every copy in them is
 * released, at most `maxBytes` in all. Payloads wait in the queue for a second or more, so a
 * buffer of their own each would outlive the young generation: their bytes (~3 KB a span)
 * then counted as external memory until a full collection, and that pressure started most
 * full collections under load. Recycled slabs make that churn none.
 */
export class SlabPool {
  private readonly slabBytes: number;
  private readonly maxSlabs: number;
  private readonly free: Slab[] = [];
  private current: Slab | undefined;
  private slabs = 0;

  constructor(maxBytes: number) {
    this.slabBytes = Math.min(maxBytes, SLAB_BYTES);
    this.maxSlabs = this.slabBytes > 0 ? Math.floor(maxBytes / this.slabBytes) : 0;
  }

  /** Copies `bytes` into a slab; undefined when it is larger than a slab or all are in use. */
  copy(bytes: Buffer): { copy: Buffer; slab: Slab } | undefined {
    const slab = this.slabFor(bytes.length);
    if (!slab) return undefined;
    const start = slab.used;
    slab.used += bytes.copy(slab.buffer, start);
    slab.held++;
    return { copy: slab.buffer.subarray(start, slab.used), slab };
  }

  /** The copy is no longer read: once its slab holds none, the slab takes new copies. */
  release(slab: Slab): void {
    if (--slab.held > 0) return;
    slab.used = 0;
    if (slab !== this.current) this.free.push(slab);
  }

  private slabFor(length: number): Slab | undefined {
    if (length > this.slabBytes) return undefined;
    const current = this.current;
    if (current && current.used + length <= this.slabBytes) return current;
    const next = this.free.pop() ?? this.allocate();
    if (!next) return undefined;
    // The slab left still holds copies (one holding none is empty and has room): its last
    // release frees it.
    this.current = next;
    return next;
  }

  private allocate(): Slab | undefined {
    if (this.slabs >= this.maxSlabs) return undefined;
    this.slabs++;
    return { buffer: Buffer.allocUnsafeSlow(this.slabBytes), used: 0, held: 0 };
  }
}
