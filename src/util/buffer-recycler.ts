// Big Buffers handed back for reuse. A big value overwritten by SET leaves its Buffer to the
// next big argument of the same size: no new allocation, and no growth of the external memory
// that makes V8 run full collections (a 100 KB SET loop otherwise triggered one every few hundred
// requests). Bounded in count per size and in total bytes; only exact sizes are reused, so a
// stored value never carries spare room.

/** Buffers smaller than this are not worth keeping (and may share Node's allocation pool). */
export const RECYCLE_MIN_BYTES = 16 * 1024;

export class BufferRecycler {
  private readonly bySize = new Map<number, Buffer[]>();
  private keptBytes = 0;

  constructor(
    private readonly maxKeptBytes: number,
    private readonly maxPerSize: number,
  ) {}

  /** A kept Buffer of exactly `sizeBytes` (contents undefined), or null. */
  take(sizeBytes: number): Buffer | null {
    const list = this.bySize.get(sizeBytes);
    const buf = list?.pop();
    if (buf === undefined) return null;
    this.keptBytes -= sizeBytes;
    if (list !== undefined && list.length === 0) this.bySize.delete(sizeBytes);
    return buf;
  }

  /**
   * Keeps `buf` for reuse. The caller guarantees nothing else references its memory (no other
   * view, no pending write) and that it owns the whole allocation (offset 0, full length).
   */
  give(buf: Buffer): void {
    const size = buf.length;
    if (size < RECYCLE_MIN_BYTES || buf.byteOffset !== 0 || buf.buffer.byteLength !== size) return;
    if (this.keptBytes + size > this.maxKeptBytes) return;
    let list = this.bySize.get(size);
    if (list === undefined) {
      list = [];
      this.bySize.set(size, list);
    }
    if (list.length >= this.maxPerSize) return;
    list.push(buf);
    this.keptBytes += size;
  }

  /** Drops every kept Buffer (memory pressure). */
  clear(): void {
    this.bySize.clear();
    this.keptBytes = 0;
  }
}

/**
 * Allocations behind exactly one view: a big argument cut out of a read buffer that was handed
 * over with it (see RespParser.feed's `handedOver`). The value using that view owns the whole
 * allocation, so it can be recycled whole once the value goes, though the view starts past 0.
 */
const soleViewAllocations = new WeakSet<ArrayBufferLike>();

/** `view` is the only user of its allocation from now on. */
export function markSoleView(view: Buffer): void {
  soleViewAllocations.add(view.buffer);
}

/** The bytes of memory `buf` holds: its whole allocation when it is a marked sole view. */
export function heldBytesOf(buf: Buffer): number {
  return buf.length >= RECYCLE_MIN_BYTES && soleViewAllocations.has(buf.buffer) ? buf.buffer.byteLength : buf.length;
}

/**
 * The whole allocation behind `buf` when `buf` is its only user (it starts at offset 0, or was
 * marked by markSoleView), else null.
 */
export function wholeAllocationOf(buf: Buffer): Buffer | null {
  const whole = buf.buffer;
  if (buf.byteOffset !== 0 && !soleViewAllocations.has(whole)) return null;
  return Buffer.from(whole, 0, whole.byteLength);
}

/** The process's recycler for big argument Buffers (parser) and overwritten values (SET). */
export const bigBuffers = new BufferRecycler(64 * 1024 * 1024, 16);
